package alibabakms

import (
	"context"
	"net/url"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	alikms "github.com/aliyun/alibaba-cloud-sdk-go/services/kms"

	"github.com/multikms/multikms/internal/adapter"
	"github.com/multikms/multikms/kms"
)

func init() { kms.Register("alibabakms", open) }

// urlSpec is what alibabakms:// URLs accept: parameters only, no host.
// The discovery parameters are named too, so that a typo's "known:" list
// shows them; they lead to openDiscoveryURL.
var urlSpec = adapter.URLSpec{Provider: provider, Params: []string{"region", "endpoint", "profile", "rate",
	"role_arn", "role_session_name", "external_id", "sts_endpoint"}}

// open serves kms.Open (the parameters are documented in the package doc):
// it parses the URL strictly and builds the Lister with NewFromConfig.
// Every refusal is a *kms.Error naming the parameter, before any request,
// with a nil Lister; no value is ever quoted.
func open(ctx context.Context, u *url.URL) (kms.Lister, error) {
	const op = "Open"
	if isDiscoveryURL(u) { // region=*, region=a,b, role_arn=...: a Fleet
		return openDiscoveryURL(ctx, u)
	}
	q, err := adapter.ParseURL(u, urlSpec)
	if err != nil {
		return nil, err
	}
	var opts []Option
	switch r := q.Get("region"); {
	case r != "" && !validRegion(r):
		return nil, kms.InvalidArgument(provider, op, "region", "must be a region ID of lowercase letters, digits and hyphens, such as cn-hangzhou")
	case r != "":
		opts = append(opts, WithRegion(r))
	case firstEnv(envRegion) == "":
		return nil, kms.InvalidArgument(provider, op, "region", "missing: give alibabakms://?region=<region-id> or set ALIBABA_CLOUD_REGION_ID")
	}
	more, err := clientURLOptions(q)
	if err != nil {
		return nil, err
	}
	opts = append(opts, more...)
	l, err := NewFromConfig(ctx, opts...)
	if err != nil {
		return nil, err // a nil kms.Lister, not a typed nil
	}
	return l, nil
}

// Config describes an SDK client to build with NewClient.
//
// Deprecated: use NewFromConfig with WithRegion, WithEndpoint and
// WithCredentials.
type Config struct {
	// Region is the region ID, such as cn-hangzhou.
	Region string
	// Endpoint overrides the regional endpoint: a full URL, https://host[:port],
	// or http://host[:port] for a loopback or private host only.
	Endpoint string
	// AccessKeyID, AccessKeySecret and, for STS credentials, SecurityToken
	// sign the requests.
	AccessKeyID, AccessKeySecret, SecurityToken string
}

// ConfigFromEnv reads the region and credentials from the environment
// variables NewFromConfig reads.
//
// Deprecated: use NewFromConfig.
func ConfigFromEnv() Config {
	return Config{
		Region:          firstEnv(envRegion),
		AccessKeyID:     firstEnv(envAccessKeyID),
		AccessKeySecret: firstEnv(envAccessKeySecret),
		SecurityToken:   firstEnv(envSecurityToken),
	}
}

// NewClient builds an SDK client from cfg, over HTTPS unless cfg.Endpoint
// asks for plain HTTP to a loopback or private host, with the SDK's
// retries off.
//
// Deprecated: use NewFromConfig, which builds and owns its client.
func NewClient(cfg Config) (*alikms.Client, error) {
	const op = "NewClient"
	if cfg.AccessKeyID == "" || cfg.AccessKeySecret == "" {
		return nil, kms.InvalidArgument(provider, op, "credentials", "AccessKey ID and secret must be set")
	}
	var cred auth.Credential = credentials.NewAccessKeyCredential(cfg.AccessKeyID, cfg.AccessKeySecret)
	if cfg.SecurityToken != "" {
		cred = credentials.NewStsTokenCredential(cfg.AccessKeyID, cfg.AccessKeySecret, cfg.SecurityToken)
	}
	return newClient(op, cfg.Region, cfg.Endpoint, cred)
}

// clientURLOptions are the options of the parameters both URL forms take
// alike: endpoint (a full URL), profile and rate.
func clientURLOptions(q adapter.Query) ([]Option, error) {
	var opts []Option
	if e := q.Get("endpoint"); e != "" {
		if _, err := adapter.ParseEndpoint(provider, "Open", "endpoint", e); err != nil {
			return nil, err
		}
		opts = append(opts, WithEndpoint(e))
	}
	if p := q.Get("profile"); p != "" {
		opts = append(opts, WithProfile(p))
	}
	if r := q.Get("rate"); r != "" {
		rate, err := adapter.ParseRate(provider, "rate", r)
		if err != nil {
			return nil, err
		}
		opts = append(opts, WithRateLimit(rate, 5))
	}
	return opts, nil
}
