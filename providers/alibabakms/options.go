package alibabakms

import (
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth"

	"github.com/multikms/multikms/internal/adapter"
	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

// Option configures a Lister (New, NewFromConfig). An invalid option is
// refused naming it: NewFromConfig returns the error, and a Lister from New
// returns it from every call, before any request.
type Option func(*settings)

// settings are what the options set: the common ones of every adapter and
// Alibaba's own.
type settings struct {
	adapter.Settings
	// Client-building options, for NewFromConfig only.
	region, endpoint, profile string
	cred                      auth.Credential
	clientOpts                []string // the names of the client-building options given
	creatorTypes, instances   []string
	// pages and describes, when set by WithPageConcurrency, split the
	// concurrency as the old two-argument WithConcurrency did.
	pages, describes int
}

func newSettings(opts []Option) settings {
	s := settings{Settings: adapter.NewSettings(provider)}
	for _, o := range opts {
		o(&s)
	}
	return s
}

// WithRegion sets the region of the client NewFromConfig builds, such as
// cn-hangzhou (default: ALIBABA_CLOUD_REGION_ID, then ALICLOUD_REGION_ID and
// ALICLOUD_REGION). New refuses it: it takes the client as it is.
func WithRegion(region string) Option {
	return func(s *settings) { s.region, s.clientOpts = region, append(s.clientOpts, "Region") }
}

// WithEndpoint sets the endpoint of the client NewFromConfig builds, as a
// full URL: https://host[:port], or http://host[:port] for a loopback or
// private host only (a test server). The default is the region's public
// endpoint over HTTPS. New refuses it.
func WithEndpoint(endpoint string) Option {
	return func(s *settings) { s.endpoint, s.clientOpts = endpoint, append(s.clientOpts, "Endpoint") }
}

// WithCredentials signs the requests of the client NewFromConfig builds
// with cred (such as credentials.NewStsTokenCredential from
// sdk/auth/credentials) instead of the credential chain. New refuses it.
func WithCredentials(cred auth.Credential) Option {
	return func(s *settings) {
		s.cred, s.clientOpts = cred, append(s.clientOpts, "Credentials")
		if cred == nil {
			s.fail("Credentials", "must not be nil")
		}
	}
}

// WithProfile makes NewFromConfig take the credentials from the named
// profile of the credentials file (ALIBABA_CLOUD_CREDENTIALS_FILE, default
// ~/.alibabacloud/credentials) rather than the environment. New refuses it.
func WithProfile(name string) Option {
	return func(s *settings) { s.profile, s.clientOpts = name, append(s.clientOpts, "Profile") }
}

// WithRateLimit paces every request of the Lister (the pages of every
// iterator, describes, aliases, tags: they share one quota) at perSecond
// with the given burst. perSecond must be finite and in (0, 1e6], burst
// 1..1e6. The default is DefaultRateLimit (the published 50/s) with a burst
// of 5.
func WithRateLimit(perSecond float64, burst int) Option {
	return func(s *settings) { s.SetRateLimit(perSecond, burst) }
}

// WithLimiter shares lim with other Listers of the same account and region:
// the quota is one for all of them. It overrides WithRateLimit.
func WithLimiter(lim *pagination.Limiter) Option {
	return func(s *settings) { s.SetLimiter(lim) }
}

// WithConcurrency sets the most requests one listing has in flight at once,
// n in 1..1024 (default 12). Of them, up to max(1, n/3) are pages (once the
// first page told the total) and the rest describes and per-key requests
// of DetailFull; a listing never has more than n in flight in all. The
// default of 12 is 4 pages and 8 keys at once.
func WithConcurrency(n int) Option {
	return func(s *settings) { s.SetConcurrency(n) }
}

// WithPageConcurrency sets the pages and describes in flight separately.
//
// Deprecated: use WithConcurrency, which bounds both together.
func WithPageConcurrency(pages, describes int) Option {
	return func(s *settings) {
		if pages < 1 || pages > adapter.MaxConcurrency || describes < 1 || describes > adapter.MaxConcurrency {
			s.fail("Concurrency", "pages and describes must be 1..%d", adapter.MaxConcurrency)
			return
		}
		s.pages, s.describes = pages, describes
		s.SetConcurrency(min(pages+describes, adapter.MaxConcurrency))
	}
}

// WithPrefetch sets how far a listing runs ahead of the caller, n in 0..64
// (default 1). ListKeys and ListKeyVersions are page-number listings: once
// the first page told the total, the pages are fetched in parallel, as
// WithConcurrency allows, rather than one after another. WithPrefetch(0)
// makes them sequential: one page at a time (the next page is asked for
// as the current one is handed out); any n of 1 or more leaves the pages to
// WithConcurrency.
func WithPrefetch(n int) Option {
	return func(s *settings) { s.SetPrefetch(n) }
}

// WithRetry sets the retry policy of every request. Throttled (429
// Rejected.Throttling, Throttling.*) and unavailable (5xx, transport)
// failures are retried; unsupported operations (HTTP 501), answers too
// large to read and every other class are never retried.
func WithRetry(r pagination.Retry) Option {
	return func(s *settings) { s.SetRetry(r) }
}

// WithObserver tells o of every request of the Lister (each attempt, retry
// wait and pace change, with its Op: ListKeys, DescribeKey,
// ListAliasesByKeyId, ...) and of every per-key failure.
func WithObserver(o pagination.Observer) Option {
	return func(s *settings) { s.SetObserver(o) }
}

// WithCreatorTypes lists only keys made by these creator types, User or
// Service (the CreatorType filter of ListKeys), in every ListKeys.
func WithCreatorTypes(types ...string) Option {
	return func(s *settings) { s.creatorTypes = append(s.creatorTypes, types...) }
}

// WithDKMSInstances lists only keys of these KMS instances (kst-...; the
// DKMSInstanceId filter of ListKeys), in every ListKeys.
func WithDKMSInstances(ids ...string) Option {
	return func(s *settings) { s.instances = append(s.instances, ids...) }
}

func (s *settings) fail(param, format string, args ...any) {
	if s.Err == nil {
		s.Err = kms.InvalidArgument(provider, "New", param, format, args...)
	}
}

// validate checks Alibaba's own options.
func (s *settings) validate() {
	for _, v := range s.creatorTypes {
		if !validCreatorType(v) {
			s.fail("CreatorType", "must be User or Service")
		}
	}
	for _, v := range s.instances {
		if !validInstance(v) {
			s.fail("DKMSInstanceId", "must be a KMS instance ID, kst-...")
		}
	}
}

// split returns the pages and keys in flight of a listing.
func (s *settings) split() (conc, pages, keys int) {
	conc = s.ConcurrencyOr(defaultConcurrency)
	if s.pages > 0 {
		return conc, s.pages, s.describes
	}
	pages = max(1, conc/3)
	return conc, pages, max(1, conc-pages)
}

// defaultConcurrency is 4 pages and 8 describes.
const defaultConcurrency = 12
