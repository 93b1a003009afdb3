package awskms

import (
	"math"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/multikms/multikms/internal/adapter"
	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

// Option configures a Lister (New, NewFromConfig). An invalid value is
// refused naming the option and its range: by NewFromConfig and Open as
// their error, by New through every call of the Lister, before any request.
type Option func(*settings)

type settings struct {
	adapter.Settings
	limits      map[string]opLimit // WithOperationRateLimit
	grantTokens []string
	region      string
	profile     string
	endpoint    string
	load        []func(*config.LoadOptions) error
}

type opLimit struct {
	perSecond float64
	burst     int
}

func apply(opts []Option) settings {
	s := settings{Settings: adapter.NewSettings(kms.ProviderAWS), limits: map[string]opLimit{}}
	for _, o := range opts {
		if o != nil {
			o(&s)
		}
	}
	return s
}

func (s *settings) fail(param, format string, args ...any) {
	if s.Err == nil {
		s.Err = kms.InvalidArgument(kms.ProviderAWS, "New", param, format, args...)
	}
}

// WithRateLimit caps the pace of every operation at perSecond requests a
// second with the given burst (finite, 0 < perSecond <= 1e6, 1 <= burst <=
// 1e6). AWS quotas are per operation, so each operation keeps its own
// limiter, at the lower of its DefaultQuotas figure and perSecond; use
// WithOperationRateLimit for one operation.
func WithRateLimit(perSecond float64, burst int) Option {
	return func(s *settings) { s.SetRateLimit(perSecond, burst) }
}

// WithOperationRateLimit sets the client-side pace of op (one of the Op
// constants) to perSecond requests a second with the given burst (finite,
// 0 < perSecond <= 1e6, 1 <= burst <= 1e6); it overrides WithRateLimit for
// op. Lister.Limiter adjusts it later.
func WithOperationRateLimit(op string, perSecond float64, burst int) Option {
	return func(s *settings) {
		switch {
		case !knownOp(op):
			s.fail("OperationRateLimit", "unknown operation %q (known: the Op constants)", op)
		case math.IsNaN(perSecond) || math.IsInf(perSecond, 0) || perSecond <= 0 || perSecond > adapter.MaxRate:
			s.fail("OperationRateLimit", "perSecond must be a finite number in (0, %g], got %v", adapter.MaxRate, perSecond)
		case burst < 1 || burst > adapter.MaxBurst:
			s.fail("OperationRateLimit", "burst must be 1..%d, got %d", int(adapter.MaxBurst), burst)
		default:
			s.limits[op] = opLimit{perSecond, burst}
		}
	}
}

// WithConcurrency sets how many per-key requests (DescribeKey and the
// extras: ListResourceTags, ListAliases of one key, ...) a listing has in
// flight, 1..1024 (default DefaultConcurrency).
func WithConcurrency(n int) Option { return func(s *settings) { s.SetConcurrency(n) } }

// WithDescribeConcurrency is WithConcurrency.
//
// Deprecated: use WithConcurrency, the name every adapter uses.
func WithDescribeConcurrency(n int) Option { return WithConcurrency(n) }

// WithPrefetch sets how many ListKeys (and ListKeyRotations) pages are
// fetched ahead of the caller, 0..64: 0 none, default 1. (Before the
// adapter convention, 0 meant 1 here and a negative value none.)
func WithPrefetch(n int) Option { return func(s *settings) { s.SetPrefetch(n) } }

// WithRetry sets the retry policy of every request (MaxAttempts 0..100,
// delays not negative; default: the zero pagination.Retry, 5 attempts with
// jittered exponential backoff).
func WithRetry(r pagination.Retry) Option { return func(s *settings) { s.SetRetry(r) } }

// WithObserver has o told of every request of the Lister (page fetches,
// describes, extras), every retry wait, pace change and failed per-key
// request; see pagination.Event. pagination.SlogObserver logs them.
func WithObserver(o pagination.Observer) Option { return func(s *settings) { s.SetObserver(o) } }

// WithGrantTokens sends grant tokens (at most 10, each 1..8192 characters)
// with every DescribeKey, for keys the caller may describe only through a
// grant that has not propagated yet.
func WithGrantTokens(tokens ...string) Option {
	return func(s *settings) {
		if err := checkGrantTokens(tokens); err != nil && s.Err == nil {
			s.Err = err
		}
		s.grantTokens = append([]string(nil), tokens...)
	}
}

// WithRegion sets the Region for NewFromConfig (and Open), overriding
// AWS_REGION and the profile's; New ignores it (the client has its Region).
func WithRegion(region string) Option {
	return func(s *settings) {
		if !regionRe.MatchString(region) {
			s.fail("Region", "must be an AWS Region name such as eu-west-1")
			return
		}
		s.region = region
	}
}

// WithProfile selects a shared-config profile for NewFromConfig (and Open);
// New ignores it.
func WithProfile(profile string) Option {
	return func(s *settings) {
		if profile == "" || len(profile) > 256 {
			s.fail("Profile", "must be 1..256 characters")
			return
		}
		s.profile = profile
	}
}

// WithEndpoint sets the endpoint for NewFromConfig (and Open), for VPC or
// FIPS endpoints or a test server: a full URL, https://host[:port], or
// http://host[:port] for a loopback or private host only (the public
// endpoints are always TLS); New ignores it.
func WithEndpoint(rawURL string) Option {
	return func(s *settings) {
		u, err := adapter.ParseEndpoint(kms.ProviderAWS, "New", "Endpoint", rawURL)
		if err != nil {
			if s.Err == nil {
				s.Err = err
			}
			return
		}
		s.endpoint = u.String()
	}
}

// WithLoadOptions passes options to config.LoadDefaultConfig in
// NewFromConfig, after those of WithRegion, WithProfile and WithEndpoint;
// New ignores them.
func WithLoadOptions(fns ...func(*config.LoadOptions) error) Option {
	return func(s *settings) { s.load = append(s.load, fns...) }
}
