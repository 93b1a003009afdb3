package alibabakms

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	credprovider "github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials/provider"
	alikms "github.com/aliyun/alibaba-cloud-sdk-go/services/kms"

	"github.com/multikms/multikms/internal/adapter"
	"github.com/multikms/multikms/kms"
)

// The region and credential environment variables, standard first, then
// the legacy ALICLOUD_* names.
var (
	envAccessKeyID     = []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY"}
	envAccessKeySecret = []string{"ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY"}
	envSecurityToken   = []string{"ALIBABA_CLOUD_SECURITY_TOKEN", "ALICLOUD_SECURITY_TOKEN", "ALICLOUD_ACCESS_KEY_STS_TOKEN"}
	envRegion          = []string{"ALIBABA_CLOUD_REGION_ID", "ALICLOUD_REGION_ID", "ALICLOUD_REGION"}
)

func firstEnv(names []string) string {
	for _, n := range names {
		if v := strings.TrimSpace(os.Getenv(n)); v != "" {
			return v
		}
	}
	return ""
}

// NewFromConfig returns a Lister over a client it builds and owns (Close
// shuts it down), from the options and the SDK's standard credential chain:
//
//  1. WithCredentials, if given;
//  2. WithProfile (or the URL's profile=): that profile of the credentials
//     file, ALIBABA_CLOUD_CREDENTIALS_FILE or ~/.alibabacloud/credentials
//     (types access_key, ecs_ram_role, ram_role_arn, rsa_key_pair);
//  3. the environment: ALIBABA_CLOUD_ACCESS_KEY_ID and
//     ALIBABA_CLOUD_ACCESS_KEY_SECRET, with ALIBABA_CLOUD_SECURITY_TOKEN
//     for STS credentials (or the legacy ALICLOUD_ACCESS_KEY,
//     ALICLOUD_SECRET_KEY, ALICLOUD_SECURITY_TOKEN);
//  4. the default profile of the credentials file (ALIBABA_CLOUD_PROFILE
//     names another), if the file exists;
//  5. the instance RAM role named by ALIBABA_CLOUD_ECS_METADATA: its STS
//     credentials are fetched from the instance metadata service
//     (100.100.100.200, IMDSv2 token first) as the first request is signed,
//     under that call's context, and again three minutes before they
//     expire.
//
// A profile of type ecs_ram_role is fetched the same way; one of type
// ram_role_arn is resolved by the SDK's own provider, whose STS requests
// keep the SDK's timeouts rather than the call's context.
//
// The region is WithRegion's, else ALIBABA_CLOUD_REGION_ID (ALICLOUD_REGION_ID,
// ALICLOUD_REGION); the endpoint WithEndpoint's, else the region's public
// endpoint over HTTPS. Invalid options, a missing, blank or malformed
// region (ErrInvalidArgument naming it) and a chain that finds no
// credentials (ErrUnauthenticated) are refused before any request; the
// Lister is then nil.
func NewFromConfig(ctx context.Context, opts ...Option) (*Lister, error) {
	const op = "NewFromConfig"
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s := newSettings(opts)
	s.validate()
	if s.Err != nil {
		return nil, s.Err
	}
	region := s.region
	if region == "" {
		region = firstEnv(envRegion)
	}
	cred := s.cred
	if cred == nil {
		var err error
		if cred, err = chainCredential(op, s.profile); err != nil {
			return nil, err
		}
	}
	client, err := newClient(op, region, s.endpoint, cred)
	if err != nil {
		return nil, err
	}
	l := build(client, s, true, region)
	if ir, ok := cred.(*instanceRole); ok {
		ir.ctx = l.calls.preparing
	}
	return l, nil
}

// NewFromEnv returns a Lister from the environment's region and
// credentials; a non-empty endpoint (a full URL) overrides the regional
// one.
//
// Deprecated: use NewFromConfig, which reads the same environment and the
// rest of the credential chain.
func NewFromEnv(endpoint string, opts ...Option) (*Lister, error) {
	if endpoint != "" {
		opts = append(opts, WithEndpoint(endpoint))
	}
	return NewFromConfig(context.Background(), opts...)
}

// newClient builds an SDK client for region and endpoint (a full URL, or
// "" for the region's public endpoint), signed with cred, over HTTPS
// unless the endpoint asks for plain HTTP to a loopback or private host,
// with the SDK's retries off.
func newClient(op, region, endpoint string, cred auth.Credential) (*alikms.Client, error) {
	switch {
	case strings.TrimSpace(region) == "":
		return nil, kms.InvalidArgument(provider, op, "region", "must be set: WithRegion, region= in the URL, or ALIBABA_CLOUD_REGION_ID")
	case !validRegion(region):
		return nil, kms.InvalidArgument(provider, op, "region", "must be a region ID of lowercase letters, digits and hyphens, such as cn-hangzhou")
	}
	sc := sdk.NewConfig()
	sc.Scheme, sc.AutoRetry, sc.MaxRetryTime = "HTTPS", false, 0
	host := ""
	if endpoint != "" {
		u, err := adapter.ParseEndpoint(provider, op, "endpoint", endpoint)
		if err != nil {
			return nil, err
		}
		host, sc.Scheme = u.Host, strings.ToUpper(u.Scheme)
	}
	client, err := alikms.NewClientWithOptions(region, sc, cred)
	if err != nil {
		return nil, kms.NewError(provider, op, kms.CodeInvalidArgument, &nativeError{oneLine(scrub(err.Error(), nil)), scrubbed(err, nil)})
	}
	client.Domain = host
	return client, nil
}

// ownInstanceRole replaces the SDK's instance RAM role credential (a
// profile of type ecs_ram_role) by the adapter's, which fetches under the
// call's context; other credentials are returned as they are.
func ownInstanceRole(cred auth.Credential) auth.Credential {
	if r, ok := cred.(*credentials.EcsRamRoleCredential); ok {
		return newInstanceRole(r.RoleName)
	}
	return cred
}

// chainCredential resolves the credential chain of NewFromConfig (steps 2
// to 5) without a request.
func chainCredential(op, profile string) (auth.Credential, error) {
	unauth := func(format string, args ...any) error {
		return kms.NewError(provider, op, kms.CodeUnauthenticated, &nativeError{msg: oneLine(scrub(fmt.Sprintf(format, args...), nil))})
	}
	if profile != "" {
		cred, err := credprovider.NewProfileProvider(profile).Resolve()
		if err != nil || cred == nil {
			return nil, unauth("profile: not found or unusable in the credentials file (ALIBABA_CLOUD_CREDENTIALS_FILE or ~/.alibabacloud/credentials)")
		}
		return ownInstanceRole(cred), nil
	}
	id, secret := firstEnv(envAccessKeyID), firstEnv(envAccessKeySecret)
	switch {
	case id != "" && secret != "":
		if token := firstEnv(envSecurityToken); token != "" {
			return credentials.NewStsTokenCredential(id, secret, token), nil
		}
		return credentials.NewAccessKeyCredential(id, secret), nil
	case id != "" || secret != "":
		return nil, unauth("the environment sets only one of ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET")
	}
	name := firstEnv([]string{"ALIBABA_CLOUD_PROFILE"})
	if name == "" {
		name = "default"
	}
	cred, err := credprovider.NewProfileProvider(name).Resolve()
	switch {
	case err != nil && !strings.Contains(err.Error(), "section"):
		return nil, unauth("credentials file: %v", err)
	case cred != nil:
		return ownInstanceRole(cred), nil
	}
	if role := firstEnv([]string{"ALIBABA_CLOUD_ECS_METADATA"}); role != "" {
		return newInstanceRole(role), nil
	}
	return nil, unauth("no credentials found: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET " +
		"(with ALIBABA_CLOUD_SECURITY_TOKEN for STS), a profile in ~/.alibabacloud/credentials, " +
		"or ALIBABA_CLOUD_ECS_METADATA on an instance with a RAM role")
}
