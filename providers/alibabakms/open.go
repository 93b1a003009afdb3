package alibabakms

import (
	"context"
	"errors"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	alikms "github.com/aliyun/alibaba-cloud-sdk-go/services/kms"

	"github.com/multikms/multikms/kms"
)

func init() { kms.Register("alibabakms", open) }

// Config describes an SDK client to build with NewClient.
type Config struct {
	// Region is the region ID, such as cn-hangzhou.
	Region string
	// Endpoint overrides the regional endpoint: a host[:port], or a URL.
	// Requests use HTTPS unless Endpoint explicitly starts with http://.
	Endpoint string
	// AccessKeyID, AccessKeySecret and, for STS credentials, SecurityToken
	// sign the requests.
	AccessKeyID, AccessKeySecret, SecurityToken string
}

// The credential and region environment variables, standard first, then
// the legacy ALICLOUD_* names.
var (
	envAccessKeyID     = []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY"}
	envAccessKeySecret = []string{"ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY"}
	envSecurityToken   = []string{"ALIBABA_CLOUD_SECURITY_TOKEN", "ALICLOUD_SECURITY_TOKEN", "ALICLOUD_ACCESS_KEY_STS_TOKEN"}
	envRegion          = []string{"ALIBABA_CLOUD_REGION_ID", "ALICLOUD_REGION_ID", "ALICLOUD_REGION"}
)

func firstEnv(names []string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}

// ConfigFromEnv reads the region and credentials from the environment:
// ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET,
// ALIBABA_CLOUD_SECURITY_TOKEN and ALIBABA_CLOUD_REGION_ID, or the legacy
// ALICLOUD_ACCESS_KEY, ALICLOUD_SECRET_KEY, ALICLOUD_SECURITY_TOKEN
// (ALICLOUD_ACCESS_KEY_STS_TOKEN) and ALICLOUD_REGION_ID (ALICLOUD_REGION).
func ConfigFromEnv() Config {
	return Config{
		Region:          firstEnv(envRegion),
		AccessKeyID:     firstEnv(envAccessKeyID),
		AccessKeySecret: firstEnv(envAccessKeySecret),
		SecurityToken:   firstEnv(envSecurityToken),
	}
}

// NewClient builds an SDK client from cfg, over HTTPS unless cfg.Endpoint
// is an explicit http:// URL, with the SDK's retries off.
func NewClient(cfg Config) (*alikms.Client, error) {
	const op = "NewClient"
	if cfg.Region == "" {
		return nil, kms.InvalidArgument(provider, op, "Region", "must be set (ALIBABA_CLOUD_REGION_ID)")
	}
	if cfg.AccessKeyID == "" || cfg.AccessKeySecret == "" {
		return nil, kms.InvalidArgument(provider, op, "credentials",
			"AccessKey ID and secret must be set (ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET)")
	}
	host, scheme, err := splitEndpoint(cfg.Endpoint)
	if err != nil {
		return nil, kms.InvalidArgument(provider, op, "Endpoint", "%v", err)
	}
	sc := sdk.NewConfig()
	sc.Scheme = scheme
	sc.AutoRetry = false
	sc.MaxRetryTime = 0
	var cred auth.Credential = credentials.NewAccessKeyCredential(cfg.AccessKeyID, cfg.AccessKeySecret)
	if cfg.SecurityToken != "" {
		cred = credentials.NewStsTokenCredential(cfg.AccessKeyID, cfg.AccessKeySecret, cfg.SecurityToken)
	}
	client, err := alikms.NewClientWithOptions(cfg.Region, sc, cred)
	if err != nil {
		return nil, kms.NewError(provider, op, kms.CodeInvalidArgument, &nativeError{scrub(err.Error()), err})
	}
	client.Domain = host
	return client, nil
}

// splitEndpoint returns the host and the scheme (HTTPS unless http:// is
// explicit) of an endpoint given as host[:port] or URL.
func splitEndpoint(endpoint string) (host, scheme string, err error) {
	if endpoint == "" {
		return "", "HTTPS", nil
	}
	if !strings.Contains(endpoint, "://") {
		endpoint = "https://" + endpoint
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", "", errorsNoURL(err)
	}
	if u.Host == "" || (u.Path != "" && u.Path != "/") || u.User != nil {
		return "", "", errInvalidEndpoint
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return u.Host, "HTTPS", nil
	case "http":
		return u.Host, "HTTP", nil
	}
	return "", "", errInvalidEndpoint
}

// NewFromEnv returns a Lister over a client built from ConfigFromEnv; a
// non-empty endpoint overrides the regional one (see Config.Endpoint).
func NewFromEnv(endpoint string, opts ...Option) (*Lister, error) {
	cfg := ConfigFromEnv()
	cfg.Endpoint = endpoint
	client, err := NewClient(cfg)
	if err != nil {
		return nil, err
	}
	return New(client, append([]Option{WithRegion(cfg.Region)}, opts...)...), nil
}

// open serves kms.Open for alibabakms://[endpoint]?region=...&endpoint=...&rate=...:
// the region defaults to the environment's, the endpoint to the regional
// one (a host in the URL is taken as an HTTPS endpoint; endpoint=http://...
// is needed for plain HTTP), rate sets the request pace (default 50/s).
// Credentials come from the environment only, never from the URL.
func open(_ context.Context, u *url.URL) (kms.Lister, error) {
	const op = "Open"
	if u.User != nil {
		return nil, kms.InvalidArgument(provider, op, "url", "must not carry credentials; use the environment")
	}
	q := u.Query()
	cfg := ConfigFromEnv()
	if r := q.Get("region"); r != "" {
		cfg.Region = r
	}
	cfg.Endpoint = q.Get("endpoint")
	if cfg.Endpoint == "" && u.Host != "" {
		cfg.Endpoint = u.Host
	}
	var opts []Option
	if r := q.Get("rate"); r != "" {
		n, err := strconv.ParseFloat(r, 64)
		if err != nil || n <= 0 {
			return nil, kms.InvalidArgument(provider, op, "rate", "must be a positive number, got %q", r)
		}
		opts = append(opts, WithRateLimit(n, 5))
	}
	client, err := NewClient(cfg)
	if err != nil {
		return nil, err
	}
	return New(client, append([]Option{WithRegion(cfg.Region)}, opts...)...), nil
}

var errInvalidEndpoint = errors.New("must be host[:port], https://host[:port] or http://host[:port]")

// errorsNoURL drops the URL a *url.Error quotes.
func errorsNoURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
