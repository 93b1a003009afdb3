package kmstest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

// Shape is the pagination shape a Fake serves its listings in.
type Shape int

// The three page shapes of the clouds.
const (
	// ByPageToken pages like Yandex Cloud: page token and next page token.
	ByPageToken Shape = iota
	// ByMarker pages like AWS: marker, next marker and a truncated flag.
	ByMarker
	// ByPageNumber pages like Alibaba Cloud: page number, page size and total count.
	ByPageNumber
)

// String names the shape.
func (s Shape) String() string {
	switch s {
	case ByMarker:
		return "ByMarker"
	case ByPageNumber:
		return "ByPageNumber"
	case ByPageToken:
		return "ByPageToken"
	}
	return fmt.Sprintf("Shape(%d)", int(s))
}

// Fake is an in-memory kms.Lister (and kms.ProviderLister and
// kms.IncludeDescriber) seeded with keys and versions. It behaves like a
// cloud adapter and follows the adapter convention: it serves its listings
// through the pagination engine in the configured Shape, one simulated
// request per page; it checks page sizes, options and key references the
// way an adapter does (bad input, an ARN of another cloud among them, fails
// with a *kms.Error before any request); it applies ListOptions.Filter as
// a server would; it hydrates keys through the adapters' own per-key
// pipeline (internal/hydrate): one DescribeKey request per key for
// DetailFull or an Include, and one request per key for each extra asked
// for (see the Op constants), a key whose rotation is RotationUnsupported
// costing none; and it counts its requests. Every error it returns is a
// *kms.Error (context errors aside). Faults (an error or throttling on the
// Nth request, an extra denied for a key) and per-request latency can be
// injected. It is safe for concurrent use.
//
// Requests are numbered from 1 across all operations, in the order they
// are sent; with prefetching (the engine's default) a listing may send a
// request before the caller asks for its items, and a hydrated listing
// describes several keys at once.
type Fake struct {
	provider    kms.Provider
	shape       Shape
	maxPage     int
	defaultPage int
	latency     time.Duration
	retry       pagination.Retry
	limiter     *pagination.Limiter
	prefetch    int
	concurrency int

	keys     []kms.Key
	byID     map[string]int // index in keys
	versions map[string][]kms.KeyVersion
	denied   map[string]kms.Include // extras denied, by key ID

	mu     sync.Mutex
	faults map[int]fault
	calls  map[string]int
	total  int
	closed int
}

type fault struct {
	err      error
	throttle bool
}

// Option configures a Fake.
type Option func(*Fake)

// WithProvider sets the provider the Fake reports (Provider() and
// Key.Provider of keys seeded without one); the default is "fake".
func WithProvider(p kms.Provider) Option { return func(f *Fake) { f.provider = p } }

// WithShape sets the pagination shape; the default is ByPageToken.
func WithShape(s Shape) Option { return func(f *Fake) { f.shape = s } }

// WithMaxPageSize sets the largest page size accepted (default 100) and,
// if the default page size is larger, lowers it to match.
func WithMaxPageSize(n int) Option { return func(f *Fake) { f.maxPage = n } }

// WithDefaultPageSize sets the page size used when ListOptions.PageSize is 0
// (default 10).
func WithDefaultPageSize(n int) Option { return func(f *Fake) { f.defaultPage = n } }

// WithVersions seeds the versions of keys, by key ID, in list order.
func WithVersions(v map[string][]kms.KeyVersion) Option {
	return func(f *Fake) {
		for id, vs := range v {
			f.versions[id] = slices.Clone(vs)
		}
	}
}

// WithFailure makes request number n (from 1) fail with err. Pass a
// *kms.Error with CodeUnavailable to have the engine retry it.
func WithFailure(n int, err error) Option {
	return func(f *Fake) { f.faults[n] = fault{err: err} }
}

// WithThrottle makes request number n (from 1) fail with a kms.Error of
// CodeThrottled, which the engine retries (and tells the Limiter of).
func WithThrottle(n int) Option {
	return func(f *Fake) { f.faults[n] = fault{throttle: true} }
}

// WithDeniedExtra makes the extras inc of key keyID answer PermissionDenied
// (a *kms.Error of the extra's Op), as a cloud denies GetKeyPolicy for one
// key: the listing keeps the key, with the reason in DetailErr.
func WithDeniedExtra(keyID string, inc kms.Include) Option {
	return func(f *Fake) { f.denied[keyID] |= inc }
}

// WithLatency makes every request take d, or until its context is done.
func WithLatency(d time.Duration) Option { return func(f *Fake) { f.latency = d } }

// WithRetry sets the retry policy of every request; the default retries
// like the engine's default but with 1ms..5ms backoffs, to keep tests fast.
func WithRetry(r pagination.Retry) Option { return func(f *Fake) { f.retry = r } }

// WithLimiter paces every request of the Fake with l.
func WithLimiter(l *pagination.Limiter) Option { return func(f *Fake) { f.limiter = l } }

// WithPrefetch sets pagination.Options.Prefetch of the Fake's listings
// (negative disables prefetching, which makes request numbers follow the
// caller exactly).
func WithPrefetch(n int) Option { return func(f *Fake) { f.prefetch = n } }

// WithConcurrency sets pagination.Options.Concurrency of the Fake's
// listings (1 fetches page-number pages one at a time).
func WithConcurrency(n int) Option { return func(f *Fake) { f.concurrency = n } }

// NewFake returns a Fake holding keys, in that order. Keys without a
// Provider get the Fake's; every key is stored as DetailFull.
func NewFake(keys []kms.Key, opts ...Option) *Fake {
	f := &Fake{
		provider:    "fake",
		maxPage:     100,
		defaultPage: 10,
		retry:       pagination.Retry{BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond},
		versions:    map[string][]kms.KeyVersion{},
		faults:      map[int]fault{},
		calls:       map[string]int{},
		denied:      map[string]kms.Include{},
	}
	for _, o := range opts {
		o(f)
	}
	f.defaultPage = min(f.defaultPage, f.maxPage)
	f.keys = make([]kms.Key, len(keys))
	f.byID = make(map[string]int, len(keys))
	for i, k := range keys {
		if k.Provider == "" {
			k.Provider = f.provider
		}
		k.Detail = kms.DetailFull
		f.keys[i] = k
		f.byID[k.ID] = i
	}
	return f
}

// Provider returns the provider the Fake reports.
func (f *Fake) Provider() kms.Provider { return f.provider }

// Close releases nothing (a Fake owns no connection) and returns nil, as
// often as it is called; the Fake keeps working after it. Closed counts
// the calls.
func (f *Fake) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed++
	return nil
}

// Closed returns the number of times Close was called.
func (f *Fake) Closed() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closed
}

// MaxPageSize returns the largest page size the Fake accepts.
func (f *Fake) MaxPageSize() int { return f.maxPage }

// Keys returns the seeded keys, in list order, as DescribeKeyInclude with
// every Include returns them (DescribeKey leaves the extras out).
func (f *Fake) Keys() []kms.Key { return slices.Clone(f.keys) }

// Versions returns the seeded versions by key ID.
func (f *Fake) Versions() map[string][]kms.KeyVersion {
	out := make(map[string][]kms.KeyVersion, len(f.versions))
	for id, vs := range f.versions {
		out[id] = slices.Clone(vs)
	}
	return out
}

// Calls returns the number of requests sent so far.
func (f *Fake) Calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.total
}

// CallsTo returns the number of requests sent so far by operation:
// "ListKeys", "DescribeKey", "ListKeyVersions" or an extra's Op (OpTags,
// OpRotation, OpPolicy, OpAccess).
func (f *Fake) CallsTo(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

// CallCounts returns the number of requests sent so far, by operation.
func (f *Fake) CallCounts() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.calls)
}

// request simulates sending one request of op: it counts it, waits the
// latency and returns the injected fault, if any.
func (f *Fake) request(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	f.total++
	f.calls[op]++
	ft, faulty := f.faults[f.total]
	f.mu.Unlock()
	if f.latency > 0 {
		t := time.NewTimer(f.latency)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
	switch {
	case !faulty:
		return nil
	case ft.throttle:
		return kms.NewError(f.provider, op, kms.CodeThrottled, fmt.Errorf("rate exceeded (injected)"))
	}
	return ft.err
}
