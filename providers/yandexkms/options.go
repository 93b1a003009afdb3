package yandexkms

import (
	"net"

	ycsdk "github.com/yandex-cloud/go-sdk"

	"github.com/multikms/multikms/internal/adapter"
	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

// Option configures a Lister (New and NewFromConfig).
type Option func(*settings)

// settings are what the options set: the common ones of every adapter and
// Yandex Cloud's own.
type settings struct {
	adapter.Settings
	folders []string
	// The SDK pieces, for NewFromConfig only: sdkOpts names the options that
	// set them, so that New can refuse them by name.
	conf    ycsdk.Config
	sdkOpts []string
}

func newSettings(opts []Option) settings {
	s := settings{Settings: adapter.NewSettings(kms.ProviderYandex)}
	for _, o := range opts {
		if o == nil {
			s.fail("Option", "must not be nil")
			continue
		}
		o(&s)
	}
	return s
}

func (s *settings) fail(param, format string, args ...any) {
	if s.Err == nil {
		s.Err = kms.InvalidArgument(kms.ProviderYandex, "New", param, format, args...)
	}
}

// WithFolders adds folders to list after the one given to New or
// NewFromConfig: ListKeys lists them all as one stream, folder after folder.
// Each ID is checked as the first one is (see New).
func WithFolders(folderIDs ...string) Option {
	return func(s *settings) { s.folders = append(s.folders, folderIDs...) }
}

// WithRateLimit sets the client-side pace of the Lister's own limiter:
// perSecond requests a second (a finite number in (0, 1e6]) with burst
// (1..1e6). Default: DefaultRateLimit, DefaultBurst. Yandex Cloud publishes
// no KMS request quota; the limiter slows down on RESOURCE_EXHAUSTED.
func WithRateLimit(perSecond float64, burst int) Option {
	return func(s *settings) { s.SetRateLimit(perSecond, burst) }
}

// WithLimiter makes the Lister pace its requests with lim (not nil), to
// share one limiter between Listers that draw on the same quota. It takes
// precedence over WithRateLimit.
func WithLimiter(lim *pagination.Limiter) Option {
	return func(s *settings) { s.SetLimiter(lim) }
}

// WithConcurrency sets how many requests one call of the Lister has in
// flight at once: the folder x kind listings ListKeys fetches together
// (1..1024, default DefaultConcurrency).
func WithConcurrency(n int) Option {
	return func(s *settings) { s.SetConcurrency(n) }
}

// WithPrefetch sets how many pages each paged listing fetches ahead of the
// caller (0..64): 0 fetches a page only when it is needed, the default 1
// fetches the next page while the caller works on the current one.
func WithPrefetch(n int) Option {
	return func(s *settings) { s.SetPrefetch(n) }
}

// WithRetry sets the retry policy of every request (default: the zero
// pagination.Retry, 5 attempts with jittered exponential backoff;
// MaxAttempts 0..100, delays not negative).
func WithRetry(r pagination.Retry) Option {
	return func(s *settings) { s.SetRetry(r) }
}

// WithObserver makes the Lister tell o of every request it sends, every
// retry wait and every change of pace (see pagination.Event); events never
// hold a credential. pagination.SlogObserver logs them.
func WithObserver(o pagination.Observer) Option {
	return func(s *settings) { s.SetObserver(o) }
}

// WithEndpoint sets the API endpoint NewFromConfig connects to, as a full
// URL: https://host[:port] (TLS; port 443 by default), or http://host[:port]
// in plain text, allowed only for a loopback or private host such as a
// yandexkmstest server. Default: https://api.cloud.yandex.net:443. New
// refuses it: the SDK given to New is already built.
func WithEndpoint(fullURL string) Option {
	return func(s *settings) {
		s.sdkOpts = append(s.sdkOpts, "Endpoint")
		addr, plain, err := parseEndpoint("New", "Endpoint", fullURL)
		if err != nil {
			if s.Err == nil {
				s.Err = err
			}
			return
		}
		s.conf.Endpoint, s.conf.Plaintext = addr, plain
	}
}

// WithCredentials sets the credentials NewFromConfig builds its SDK with
// (not nil; default: CredentialsFromEnv). New refuses it.
func WithCredentials(c ycsdk.Credentials) Option {
	return func(s *settings) {
		s.sdkOpts = append(s.sdkOpts, "Credentials")
		if c == nil {
			s.fail("Credentials", "must not be nil")
			return
		}
		s.conf.Credentials = c
	}
}

// WithSDKConfig is the ycsdk.Config NewFromConfig starts from, for what
// the other options do not set (TLSConfig). Its Endpoint and Plaintext are
// checked as WithEndpoint's (plain text only for a loopback or private
// host), its Credentials default to CredentialsFromEnv, and its
// DialContextTimeout is ignored: the Lister never dials blocking, the
// caller's context bounds every call. Its zero fields keep what earlier
// options set; WithEndpoint and WithCredentials given after it take
// precedence. New refuses it.
func WithSDKConfig(conf ycsdk.Config) Option {
	return func(s *settings) {
		s.sdkOpts = append(s.sdkOpts, "SDKConfig")
		if conf.Endpoint != "" {
			scheme := "https://"
			if conf.Plaintext {
				scheme = "http://"
			}
			if _, _, err := parseEndpoint("New", "SDKConfig.Endpoint", scheme+conf.Endpoint); err != nil {
				if s.Err == nil {
					s.Err = err
				}
				return
			}
		} else if conf.Plaintext {
			s.fail("SDKConfig.Plaintext", "plain text is allowed only with an Endpoint on a loopback or private host")
			return
		}
		prev := s.conf
		s.conf = conf
		if conf.Endpoint == "" {
			s.conf.Endpoint, s.conf.Plaintext = prev.Endpoint, prev.Plaintext
		}
		if conf.Credentials == nil {
			s.conf.Credentials = prev.Credentials
		}
	}
}

// parseEndpoint checks a full endpoint URL (adapter.ParseEndpoint) and
// returns the host:port the SDK dials and whether it is plain text.
func parseEndpoint(op, param, raw string) (addr string, plaintext bool, err error) {
	e, err := adapter.ParseEndpoint(kms.ProviderYandex, op, param, raw)
	if err != nil {
		return "", false, err
	}
	plaintext = e.Scheme == "http"
	port := e.Port()
	if port == "" {
		port = "443"
		if plaintext {
			port = "80"
		}
	}
	return net.JoinHostPort(e.Hostname(), port), plaintext, nil
}
