package alibabakms

import (
	"context"
	"fmt"

	alikms "github.com/aliyun/alibaba-cloud-sdk-go/services/kms"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

// Quota and page limits of Alibaba Cloud KMS.
const (
	// DefaultRateLimit is the account's published quota for all
	// key-management reads together, per region: 50 requests a second.
	DefaultRateLimit = 50
	// MaxPageSize is the largest ListKeys (and ListKeyVersions) page.
	MaxPageSize = 100
	// DefaultPageSize is the page size the cloud uses when none is given.
	DefaultPageSize = 10
)

const provider = kms.ProviderAlibaba

// Lister lists and describes the keys of one Alibaba Cloud account and
// region through the official SDK. It is safe for concurrent use.
type Lister struct {
	client       *alikms.Client
	calls        *caller
	region       string
	limiter      *pagination.Limiter
	retry        pagination.Retry
	pages        int
	details      int
	creatorTypes []string
	instances    []string
}

// Option configures a Lister.
type Option func(*Lister)

// WithRegion names the region the client speaks to. It goes into cursor
// scopes; keys take their region from their ARN.
func WithRegion(region string) Option { return func(l *Lister) { l.region = region } }

// WithRateLimit sets the pace of all requests of the Lister (every
// iterator and describe together) to perSecond with the given burst. The
// default is DefaultRateLimit with a burst of 5.
func WithRateLimit(perSecond float64, burst int) Option {
	return func(l *Lister) { l.limiter = pagination.NewLimiter(perSecond, burst) }
}

// WithLimiter shares lim with other Listers of the same account and region:
// the quota is one for all of them.
func WithLimiter(lim *pagination.Limiter) Option { return func(l *Lister) { l.limiter = lim } }

// WithRetry sets the retry policy of every request (throttling and 5xx
// answers are retried by default).
func WithRetry(r pagination.Retry) Option { return func(l *Lister) { l.retry = r } }

// WithConcurrency sets how many ListKeys pages are fetched at once once the
// first page told the total (default 4), and how many keys are described at
// once with DetailFull (default 8). Values below 1 keep the default.
func WithConcurrency(pages, describes int) Option {
	return func(l *Lister) {
		if pages > 0 {
			l.pages = pages
		}
		if describes > 0 {
			l.details = describes
		}
	}
}

// WithCreatorTypes lists only keys made by these creator types, User or
// Service (the CreatorType filter of ListKeys), in every ListKeys.
func WithCreatorTypes(types ...string) Option {
	return func(l *Lister) { l.creatorTypes = append(l.creatorTypes, types...) }
}

// WithDKMSInstances lists only keys of these KMS instances (kst-...; the
// DKMSInstanceId filter of ListKeys), in every ListKeys.
func WithDKMSInstances(ids ...string) Option {
	return func(l *Lister) { l.instances = append(l.instances, ids...) }
}

// New returns a Lister over client.
//
// New installs its own transport on the client (wrapping the transport of
// the client's Config, if any) so that every call honours its context, and
// turns the SDK's own retries off: the engine retries. Keep using the
// client elsewhere only through the Lister, as the SDK itself is not safe
// for concurrent calls on one client. The client's scheme and endpoint are
// left as they are: note that the SDK defaults to plain HTTP (NewClient and
// Open use HTTPS).
func New(client *alikms.Client, opts ...Option) *Lister {
	l := &Lister{client: client, calls: install(client), pages: 4, details: 8}
	for _, o := range opts {
		o(l)
	}
	if l.limiter == nil {
		l.limiter = pagination.NewLimiter(DefaultRateLimit, 5)
	}
	return l
}

// Provider returns kms.ProviderAlibaba.
func (l *Lister) Provider() kms.Provider { return provider }

// Limiter returns the limiter that paces the Lister's requests; adjust it
// with SetLimit.
func (l *Lister) Limiter() *pagination.Limiter { return l.limiter }

// CloseIdleConnections closes the idle keep-alive connections of the
// transport New installed on the client.
func (l *Lister) CloseIdleConnections() { l.calls.CloseIdleConnections() }

// Close closes the idle connections of the transport New installed; the
// client itself stays usable.
func (l *Lister) Close() error {
	l.calls.CloseIdleConnections()
	return nil
}

// scope identifies a listing for cursors: provider, region, endpoint,
// operation and what narrows it. Never credentials.
func (l *Lister) scope(op, extra string) string {
	return fmt.Sprintf("alibaba|%s|%s|%s|%s", l.region, l.client.Domain, op, extra)
}

// call runs one SDK call under the shared limiter and retry policy.
func (l *Lister) call(ctx context.Context, op string, req headered, fn func() error) error {
	return pagination.Call(ctx, l.retry, l.limiter, func(ctx context.Context) error {
		return l.once(ctx, op, req, fn)
	})
}

// once runs one SDK call without pacing or retry (the engine adds them for
// pages).
func (l *Lister) once(ctx context.Context, op string, req headered, fn func() error) error {
	return mapError(op, l.calls.do(ctx, req, fn))
}

// invoke makes the SDK call sdkFn(req) of operation op through run
// (Lister.once for engine-driven pages, Lister.call for single requests).
func invoke[Req headered, Resp any](ctx context.Context, run func(context.Context, string, headered, func() error) error,
	op string, req Req, sdkFn func(Req) (Resp, error)) (Resp, error) {
	var resp Resp
	err := run(ctx, op, req, func() (err error) {
		resp, err = sdkFn(req)
		return err
	})
	return resp, err
}
