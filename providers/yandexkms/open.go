package yandexkms

import (
	"context"
	"errors"
	"net/url"
	"os"
	"strconv"
	"strings"

	ycsdk "github.com/yandex-cloud/go-sdk"
	"github.com/yandex-cloud/go-sdk/iamkey"

	"github.com/multikms/multikms/kms"
)

// Scheme is the URL scheme kms.Open understands once this package is imported.
const Scheme = "yandexkms"

// The environment variables CredentialsFromEnv reads, in order.
const (
	EnvIAMToken          = "YC_IAM_TOKEN"
	EnvToken             = "YC_TOKEN"
	EnvOAuthToken        = "YC_OAUTH_TOKEN"
	EnvServiceAccountKey = "YC_SERVICE_ACCOUNT_KEY_FILE"
)

func init() { kms.Register(Scheme, openURL) }

// CredentialsFromEnv picks the SDK credentials the usual way: an IAM token
// in YC_IAM_TOKEN; YC_TOKEN, an IAM token if it starts with "t1." and an
// OAuth token otherwise (as the yc CLI and Terraform read it); an OAuth
// token in YC_OAUTH_TOKEN; a service-account authorized key file named by
// YC_SERVICE_ACCOUNT_KEY_FILE; and otherwise the service account of the
// Compute instance, from the metadata service. Errors never quote a secret.
func CredentialsFromEnv() (ycsdk.Credentials, error) {
	if t := os.Getenv(EnvIAMToken); t != "" {
		return ycsdk.NewIAMTokenCredentials(t), nil
	}
	if t := os.Getenv(EnvToken); t != "" {
		if strings.HasPrefix(t, "t1.") {
			return ycsdk.NewIAMTokenCredentials(t), nil
		}
		return ycsdk.OAuthToken(t), nil
	}
	if t := os.Getenv(EnvOAuthToken); t != "" {
		return ycsdk.OAuthToken(t), nil
	}
	if path := os.Getenv(EnvServiceAccountKey); path != "" {
		key, err := iamkey.ReadFromJSONFile(path)
		if err != nil {
			return nil, kms.NewError(kms.ProviderYandex, "Credentials", kms.CodeUnauthenticated,
				errors.New("cannot read the service account key file named by "+EnvServiceAccountKey))
		}
		creds, err := ycsdk.ServiceAccountKey(key)
		if err != nil {
			return nil, kms.NewError(kms.ProviderYandex, "Credentials", kms.CodeUnauthenticated,
				errors.New("invalid service account key in the file named by "+EnvServiceAccountKey))
		}
		return creds, nil
	}
	return ycsdk.InstanceServiceAccount(), nil
}

// NewFromConfig builds an SDK from conf (with CredentialsFromEnv when
// conf.Credentials is nil; the SDK connects lazily, on the first request)
// and returns a Lister of folderID over it. Close the Lister to shut the SDK
// down.
func NewFromConfig(ctx context.Context, folderID string, conf ycsdk.Config, opts ...Option) (*Lister, error) {
	if conf.Credentials == nil {
		creds, err := CredentialsFromEnv()
		if err != nil {
			return nil, err
		}
		conf.Credentials = creds
	}
	sdk, err := ycsdk.Build(ctx, conf)
	if err != nil {
		return nil, kms.NewError(kms.ProviderYandex, "Build", kms.CodeInvalidArgument, err)
	}
	endpoint := conf.Endpoint
	if endpoint == "" {
		endpoint = "api.cloud.yandex.net:443"
	}
	l := newLister(sdk, endpoint, folderID, opts)
	l.owned = true
	return l, nil
}

// openURL opens yandexkms://<folderID>?endpoint=<host:port>&plaintext=<bool>&folder=<id>
// with NewFromConfig and CredentialsFromEnv: never credentials in the URL.
// endpoint (default api.cloud.yandex.net:443) and plaintext (default false)
// are for private installations and emulators; each folder parameter adds a
// folder (WithFolders).
func openURL(ctx context.Context, u *url.URL) (kms.Lister, error) {
	bad := func(format string, args ...any) error {
		return kms.InvalidArgument(kms.ProviderYandex, "Open", "url", format, args...)
	}
	if u.User != nil || u.Opaque != "" || strings.Trim(u.Path, "/") != "" || u.Host == "" || u.Port() != "" {
		return nil, bad("want yandexkms://<folderID>?endpoint=...&plaintext=...&folder=... with no user or path")
	}
	var conf ycsdk.Config
	var opts []Option
	for k, vs := range u.Query() {
		if len(vs) == 0 || vs[0] == "" || (k != "folder" && len(vs) != 1) {
			return nil, bad("parameter %q must be given once, non-empty", k)
		}
		switch k {
		case "endpoint":
			conf.Endpoint = vs[0]
		case "plaintext":
			b, err := strconv.ParseBool(vs[0])
			if err != nil {
				return nil, bad("plaintext must be true or false")
			}
			conf.Plaintext = b
		case "folder":
			opts = append(opts, WithFolders(vs...))
		default:
			return nil, bad("unknown parameter %q (known: endpoint, plaintext, folder)", k)
		}
	}
	return NewFromConfig(ctx, u.Host, conf, opts...)
}
