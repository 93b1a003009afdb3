package alibabakms

import (
	"net/url"
	"regexp"
	"slices"
	"sync"
	"unicode/utf8"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"

	"github.com/multikms/multikms/internal/adapter"
	"github.com/multikms/multikms/kms"
)

// The documented shapes of a RAM role ARN (the account's 16-digit UID, a
// role name of 1..64 letters, digits, "." and "-"), of an STS session name
// and of an external ID.
var (
	roleARNRe     = regexp.MustCompile(`^acs:ram::[0-9]{16}:role/[A-Za-z0-9.-]{1,64}$`)
	sessionNameRe = regexp.MustCompile(`^[A-Za-z0-9.@_-]{2,64}$`)
	externalIDRe  = regexp.MustCompile(`^[A-Za-z0-9=,.@:/+_-]+$`) // 2..1224 of them: checked apart (Go's regexp repeats at most 1000)
)

// fieldNames name Discovery's fields in errors: as Go fields, or as the
// URL parameters that set them.
type fieldNames struct{ regions, role, session, external, sts string }

var (
	goNames  = fieldNames{"Regions", "RoleARN", "RoleSessionName", "ExternalID", "STSEndpoint"}
	urlNames = fieldNames{"region", "role_arn", "role_session_name", "external_id", "sts_endpoint"}
)

// checkDiscovery checks every field of d before any request, naming the
// field, never quoting its value.
func checkDiscovery(op string, d Discovery, n fieldNames) error {
	bad := func(param, format string, args ...any) error {
		return kms.InvalidArgument(provider, op, param, format, args...)
	}
	switch {
	case len(d.Regions) == 0:
		return bad(n.regions, "must name at least one region, or be [%q] for every region", AllRegions)
	case len(d.Regions) > 1 && slices.Contains(d.Regions, AllRegions):
		return bad(n.regions, "%q stands alone: every region, or a list of region IDs", AllRegions)
	}
	if d.Concurrency < 0 {
		return bad("Concurrency", "must not be negative, got %d", d.Concurrency)
	}
	for _, r := range d.Regions {
		if r != AllRegions && !validRegion(r) {
			return bad(n.regions, "must be region IDs of lowercase letters, digits and hyphens, such as cn-hangzhou")
		}
	}
	if d.RoleARN == "" {
		if d.RoleSessionName != "" || d.ExternalID != "" || d.STSEndpoint != "" {
			return bad(n.role, "must be set with RoleSessionName, ExternalID or STSEndpoint")
		}
		return nil
	}
	if !utf8.ValidString(d.RoleARN) || !roleARNRe.MatchString(d.RoleARN) {
		return bad(n.role, "must be a RAM role ARN, acs:ram::<16-digit account UID>:role/<name>")
	}
	if d.RoleSessionName != "" && !sessionNameRe.MatchString(d.RoleSessionName) {
		return bad(n.session, "must be 2..64 letters, digits and .@_-")
	}
	if d.ExternalID != "" && (len(d.ExternalID) < 2 || len(d.ExternalID) > 1224 || !externalIDRe.MatchString(d.ExternalID)) {
		return bad(n.external, "must be 2..1224 letters, digits and =,.@:/+_-")
	}
	if d.STSEndpoint != "" {
		u, err := adapter.ParseEndpoint(provider, op, n.sts, d.STSEndpoint)
		if err != nil {
			return err
		}
		if u.Scheme != "https" {
			return bad(n.sts, "must be an https URL: the SDK reaches STS over HTTPS only")
		}
	}
	return nil
}

// roleCredential is base itself, or, with d.RoleARN, the SDK's RAM-role
// credential provider over base, shared by every region's client (one
// session for the fleet) behind a lock: the provider caches its session
// without one.
func roleCredential(op string, base auth.Credential, d Discovery) (auth.Credential, error) {
	if d.RoleARN == "" {
		return base, nil
	}
	prev, err := auth.ToCredentialsProvider(base)
	if err != nil {
		return nil, kms.NewError(provider, op, kms.CodeUnauthenticated, &nativeError{msg: "the credentials cannot assume a role"})
	}
	session := d.RoleSessionName
	if session == "" {
		session = DefaultRoleSessionName
	}
	b := credentials.NewRAMRoleARNCredentialsProviderBuilder().
		WithCredentialsProvider(prev).WithRoleArn(d.RoleARN).WithRoleSessionName(session).WithDurationSeconds(3600)
	if d.ExternalID != "" {
		b = b.WithExternalId(d.ExternalID)
	}
	if d.STSEndpoint != "" {
		u, _ := url.Parse(d.STSEndpoint)
		b = b.WithStsEndpoint(u.Host)
	}
	p, err := b.Build()
	if err != nil {
		return nil, kms.InvalidArgument(provider, op, "RoleARN", "the SDK refused the role's settings")
	}
	return &lockedProvider{p: p}, nil
}

// lockedProvider serialises a credentials provider that keeps its state
// without a lock.
type lockedProvider struct {
	mu sync.Mutex
	p  credentials.CredentialsProvider
}

func (l *lockedProvider) GetCredentials() (*credentials.Credentials, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.p.GetCredentials()
}

func (l *lockedProvider) GetProviderName() string { return l.p.GetProviderName() }
