package awskms

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	kmssdk "github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

// The AWS KMS operations the Lister calls; the names WithRateLimit and
// Limiter take, and the Op of every *kms.Error it returns.
const (
	OpListKeys         = "ListKeys"
	OpDescribeKey      = "DescribeKey"
	OpListAliases      = "ListAliases"
	OpListKeyRotations = "ListKeyRotations"
	OpListResourceTags = "ListResourceTags"
)

// DefaultQuotas are the default client-side rate limits, in requests a
// second per operation: the published AWS KMS quotas per account and Region,
// except ListKeys, for which the lower of the two published figures (100,
// older pages; 500, newer ones) is used, as marker pages are sequential and
// rarely come faster anyway.
var DefaultQuotas = map[string]float64{
	OpListKeys:         100,
	OpDescribeKey:      2000,
	OpListAliases:      500,
	OpListKeyRotations: 100,
	OpListResourceTags: 2000,
}

// DefaultDescribeConcurrency is how many DescribeKey (and ListResourceTags)
// requests a DetailFull or filtered listing has in flight: enough to reach
// the DescribeKey quota of 2000/s at up to 32 ms a request.
const DefaultDescribeConcurrency = 64

// Limits of the AWS API checked before any request.
const (
	MaxPageSize      = 1000
	MaxKeyRefLen     = 2048
	MaxGrantTokens   = 10
	MaxGrantTokenLen = 8192
	MaxMarkerLen     = 1024
)

// Lister lists and describes the KMS keys of one account and Region through
// an aws-sdk-go-v2 KMS client. It implements kms.ProviderLister and is safe
// for concurrent use; its rate limiters are shared by all its listings.
type Lister struct {
	client      *kmssdk.Client
	scope       string // "aws/<region>/<endpoint>": never credentials
	concurrency int
	prefetch    int
	retry       pagination.Retry
	limiters    map[string]*pagination.Limiter
	grantTokens []string
	optErr      error // an invalid option, returned by every call
}

// Option configures a Lister.
type Option func(*settings)

type settings struct {
	concurrency int
	prefetch    int
	retry       pagination.Retry
	limits      map[string][2]float64 // op -> perSecond, burst
	grantTokens []string
	load        []func(*config.LoadOptions) error
	err         error
}

// WithDescribeConcurrency sets how many DescribeKey and ListResourceTags
// requests a listing has in flight (default DefaultDescribeConcurrency).
func WithDescribeConcurrency(n int) Option {
	return func(s *settings) {
		if n < 1 {
			s.err = kms.InvalidArgument(kms.ProviderAWS, "New", "DescribeConcurrency", "must be at least 1, got %d", n)
		}
		s.concurrency = n
	}
}

// WithPrefetch sets how many ListKeys (and ListKeyRotations) pages are
// fetched ahead of the caller: 0 (the default) means 1, negative none.
func WithPrefetch(n int) Option { return func(s *settings) { s.prefetch = n } }

// WithRateLimit sets the client-side rate limit of op (one of the Op
// constants) to perSecond requests a second with the given burst; 0 or less
// turns pacing off for op. Lister.Limiter adjusts it later.
func WithRateLimit(op string, perSecond float64, burst int) Option {
	return func(s *settings) {
		if _, ok := DefaultQuotas[op]; !ok {
			s.err = kms.InvalidArgument(kms.ProviderAWS, "New", "RateLimit", "unknown operation %q", op)
		}
		s.limits[op] = [2]float64{perSecond, float64(burst)}
	}
}

// WithRetry sets the retry policy of every request (default: the zero
// pagination.Retry, 5 attempts with jittered exponential backoff).
func WithRetry(r pagination.Retry) Option { return func(s *settings) { s.retry = r } }

// WithGrantTokens sends grant tokens (at most 10, each 1..8192 characters)
// with every DescribeKey, for keys the caller may describe only through a
// grant that has not propagated yet.
func WithGrantTokens(tokens ...string) Option {
	return func(s *settings) {
		if err := checkGrantTokens(tokens); err != nil {
			s.err = err
		}
		s.grantTokens = append([]string(nil), tokens...)
	}
}

// WithRegion sets the Region for NewFromConfig (and Open); New ignores it.
func WithRegion(region string) Option { return WithLoadOptions(config.WithRegion(region)) }

// WithProfile selects a shared-config profile for NewFromConfig (and Open);
// New ignores it.
func WithProfile(profile string) Option {
	return WithLoadOptions(config.WithSharedConfigProfile(profile))
}

// WithEndpoint sets the base endpoint URL for NewFromConfig (and Open), for
// VPC endpoints, FIPS endpoints or an emulator; New ignores it.
func WithEndpoint(url string) Option { return WithLoadOptions(config.WithBaseEndpoint(url)) }

// WithLoadOptions passes options to config.LoadDefaultConfig in
// NewFromConfig; New ignores them.
func WithLoadOptions(fns ...func(*config.LoadOptions) error) Option {
	return func(s *settings) { s.load = append(s.load, fns...) }
}

// New returns a Lister over client. An invalid option does not fail New: it
// makes every call of the Lister fail with kms.ErrInvalidArgument before any
// request.
func New(client *kmssdk.Client, opts ...Option) *Lister {
	s := apply(opts)
	o := client.Options()
	l := &Lister{
		client:      client,
		scope:       fmt.Sprintf("aws/%s/%s", o.Region, aws.ToString(o.BaseEndpoint)),
		concurrency: s.concurrency,
		prefetch:    s.prefetch,
		retry:       s.retry,
		limiters:    make(map[string]*pagination.Limiter, len(DefaultQuotas)),
		grantTokens: s.grantTokens,
		optErr:      s.err,
	}
	for op, q := range DefaultQuotas {
		limit := [2]float64{q, max(1, q/20)}
		if v, ok := s.limits[op]; ok {
			limit = v
		}
		l.limiters[op] = pagination.NewLimiter(limit[0], int(limit[1]))
	}
	return l
}

func apply(opts []Option) settings {
	s := settings{concurrency: DefaultDescribeConcurrency, limits: map[string][2]float64{}}
	for _, o := range opts {
		o(&s)
	}
	return s
}

// NewFromConfig returns a Lister over a client built from the default AWS
// configuration chain (environment, shared config and credentials files,
// SSO, web identity, container and instance roles), as
// config.LoadDefaultConfig finds it, adjusted by WithRegion, WithProfile,
// WithEndpoint and WithLoadOptions.
func NewFromConfig(ctx context.Context, opts ...Option) (*Lister, error) {
	cfg, err := config.LoadDefaultConfig(ctx, apply(opts).load...)
	if err != nil {
		// Loading reads configuration (no credentials are fetched yet): a
		// missing profile or a malformed file is a bad argument.
		return nil, kms.NewError(kms.ProviderAWS, "LoadDefaultConfig", kms.CodeInvalidArgument, err)
	}
	return New(kmssdk.NewFromConfig(cfg), opts...), nil
}

// Close releases nothing yet: a Lister over a caller's client owns no
// connection of it.
func (l *Lister) Close() error { return nil }

// Provider returns kms.ProviderAWS.
func (l *Lister) Provider() kms.Provider { return kms.ProviderAWS }

// Limiter returns the shared rate limiter of op (one of the Op constants),
// to read or adjust its pace with SetLimit; nil for an unknown op.
func (l *Lister) Limiter(op string) *pagination.Limiter { return l.limiters[op] }

// noSDKRetry is the per-call option that turns the SDK's own retries off:
// the engine (pagination) is the single retrier, see the package doc.
func noSDKRetry(o *kmssdk.Options) { o.Retryer = aws.NopRetryer{} }

var _ kms.ProviderLister = (*Lister)(nil)
