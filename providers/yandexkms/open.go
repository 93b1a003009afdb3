package yandexkms

import (
	"context"
	"errors"
	"math"
	"net/url"
	"os"
	"strings"

	ycsdk "github.com/yandex-cloud/go-sdk"
	"github.com/yandex-cloud/go-sdk/iamkey"

	"github.com/multikms/multikms/internal/adapter"
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

// NewFromConfig builds an SDK and returns a Lister of folder folderID (and
// of WithFolders) over it, which owns the SDK: Close shuts it down. The SDK
// talks to WithEndpoint (default DefaultEndpoint, over TLS) with
// WithCredentials (default CredentialsFromEnv), starting from WithSDKConfig
// if given. It never dials blocking: nothing is sent until the first call,
// and every call, its connection, TLS handshake and IAM token exchange
// included, is bounded by the caller's context.
//
// The folder IDs and every option are checked first: an invalid one, or
// credentials CredentialsFromEnv cannot read, return a nil *Lister and a
// *kms.Error (kms.ErrInvalidArgument naming the parameter, or
// kms.ErrUnauthenticated), before any request.
func NewFromConfig(ctx context.Context, folderID string, opts ...Option) (*Lister, error) {
	s := newSettings(opts)
	if s.Err != nil {
		return nil, s.Err
	}
	if err := checkFolders("New", folderID, s.folders); err != nil {
		return nil, err
	}
	conf := s.conf
	if conf.Credentials == nil {
		creds, err := CredentialsFromEnv()
		if err != nil {
			return nil, err
		}
		conf.Credentials = creds
	}
	endpoint := DefaultEndpoint
	if conf.Endpoint == "" {
		conf.Endpoint, _, _ = parseEndpoint("New", "Endpoint", DefaultEndpoint)
	} else if conf.Plaintext {
		endpoint = "http://" + conf.Endpoint
	} else {
		endpoint = "https://" + conf.Endpoint
	}
	conf.DialContextTimeout = -1 // no blocking dial: see await
	sdk, err := ycsdk.Build(ctx, conf)
	if err != nil {
		return nil, kms.NewError(kms.ProviderYandex, "New", kms.CodeInvalidArgument, err) // "unsupported credentials type": no secret
	}
	l := newLister(sdk, endpoint, folderID, s)
	l.owned = true
	return l, nil
}

// URL parameters of yandexkms:// URLs (see the package doc).
var urlSpec = adapter.URLSpec{
	Provider:   kms.ProviderYandex,
	Params:     []string{"endpoint", "folder", "rate"},
	Repeatable: []string{"folder"},
	Host:       "folder ID",
}

// openURL opens yandexkms://<folderID>?endpoint=<full URL>&folder=<id>&rate=<n>
// with NewFromConfig and CredentialsFromEnv (see the package doc).
func openURL(ctx context.Context, u *url.URL) (kms.Lister, error) {
	if isDiscoveryURL(u) {
		return openDiscoveryURL(ctx, u) // yandexkms://?cloud=... or ?organization=...
	}
	q, err := adapter.ParseURL(u, urlSpec)
	if err != nil {
		return nil, err
	}
	if q.Host == "" {
		return nil, kms.InvalidArgument(kms.ProviderYandex, "Open", "url",
			"the host is the folder ID: want yandexkms://<folderID>?endpoint=...&folder=...&rate=...")
	}
	if err := checkID("Open", "folder ID (the URL's host)", q.Host, MaxFolderIDLen); err != nil {
		return nil, err
	}
	opts, err := urlOptions(q)
	if err != nil {
		return nil, err
	}
	l, err := NewFromConfig(ctx, q.Host, opts...)
	if err != nil {
		return nil, err // a nil kms.Lister, not a typed nil
	}
	return l, nil
}

// urlOptions turns the URL's parameters into options, checking each with
// op Open.
func urlOptions(q adapter.Query) ([]Option, error) {
	var opts []Option
	if q.Has("endpoint") {
		if _, _, err := parseEndpoint("Open", "endpoint", q.Get("endpoint")); err != nil {
			return nil, err
		}
		opts = append(opts, WithEndpoint(q.Get("endpoint")))
	}
	for _, f := range q.Values["folder"] {
		if err := checkID("Open", "folder", f, MaxFolderIDLen); err != nil {
			return nil, err
		}
		opts = append(opts, WithFolders(f))
	}
	if q.Has("rate") {
		r, err := adapter.ParseRate(kms.ProviderYandex, "rate", q.Get("rate"))
		if err != nil {
			return nil, err
		}
		opts = append(opts, WithRateLimit(r, rateBurst(r)))
	}
	return opts, nil
}

// rateBurst is the burst of a rate given in a URL: a second's worth of
// requests, at least 1 and at most DefaultBurst.
func rateBurst(r float64) int {
	return max(1, min(DefaultBurst, int(math.Ceil(r))))
}
