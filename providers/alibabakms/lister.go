package alibabakms

import (
	"context"
	"errors"
	"fmt"
	"net"
	"reflect"
	"strings"

	alikms "github.com/aliyun/alibaba-cloud-sdk-go/services/kms"

	"github.com/multikms/multikms/internal/adapter"
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
	client   *alikms.Client
	calls    *caller
	owned    bool // built by NewFromConfig or Open: Close shuts the client down
	region   string
	err      error // an invalid option, returned by every call
	limiter  *pagination.Limiter
	retry    pagination.Retry
	observer pagination.Observer
	conc     int // requests in flight per listing
	pages    int // pages in flight per listing
	keys     int // keys hydrated at once
	seq      bool
	settings settings
}

// New returns a Lister over client, taken as it is: its region, endpoint
// and credentials. The cursor scope names the region the client was made
// for and its endpoint (Domain).
//
// New installs its own transport on the client (wrapping the transport of
// the client's Config, if any) so that every call honours its context,
// turns the SDK's own retries off (the engine retries), and upgrades a
// client on plain HTTP (the SDK's default scheme) to HTTPS unless its
// Domain is a loopback or private host (a test server): the cloud's public
// endpoints are always reached over TLS. Keep using the client elsewhere
// only through the Lister, as the SDK itself is not safe for concurrent
// calls on one client. A client with no transport of its own gets one that
// keeps idle every connection a listing had in flight; a transport of the
// client's Config should keep an idle connection per host for every
// request a listing has in flight (WithConcurrency), or each wave of pages
// and describes closes connections and dials them again.
//
// WithRegion, WithEndpoint, WithCredentials and WithProfile configure the
// client NewFromConfig builds; New refuses them. An invalid option makes
// every call of the Lister fail with it, before any request.
func New(client *alikms.Client, opts ...Option) *Lister {
	s := newSettings(opts)
	if len(s.clientOpts) > 0 {
		s.fail(s.clientOpts[0], "configures the client NewFromConfig builds; New takes the client as it is")
	}
	if client == nil {
		s.fail("client", "must not be nil")
		return &Lister{err: s.Err}
	}
	upgradeScheme(client)
	return build(client, s, false, clientRegion(client))
}

// build returns the Lister of settings s over client.
func build(client *alikms.Client, s settings, owned bool, region string) *Lister {
	s.validate()
	conc, pages, keys := s.split()
	l := &Lister{
		client: client, calls: install(client), owned: owned, region: region, err: s.Err,
		limiter: s.NewLimiter(DefaultRateLimit, 5), retry: adapterRetry(s.Retry), observer: s.Observer,
		conc: conc, pages: pages, keys: keys, seq: s.Prefetch == 0, settings: s,
	}
	return l
}

// adapterRetry never retries what cannot succeed when sent again.
func adapterRetry(r pagination.Retry) pagination.Retry {
	retryable := r.Retryable
	if retryable == nil {
		retryable = pagination.IsRetryable
	}
	r.Retryable = func(err error) bool {
		return !errors.Is(err, errTooLarge) && !errors.Is(err, kms.ErrUnsupported) && retryable(err)
	}
	return r
}

// upgradeScheme moves a client on plain HTTP to HTTPS unless its Domain is
// a loopback or private host.
func upgradeScheme(client *alikms.Client) {
	cfg := client.GetConfig()
	if cfg == nil || strings.EqualFold(cfg.Scheme, "HTTPS") {
		return
	}
	host := client.Domain
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if client.Domain == "" || !adapter.IsPrivateHost(host) {
		cfg.Scheme = "HTTPS"
	}
}

// clientRegion reads the region a client was made for: the SDK keeps it
// unexported and has no getter. "" if the SDK's layout ever changes.
func clientRegion(client *alikms.Client) string {
	v := reflect.ValueOf(client).Elem().FieldByName("Client")
	if !v.IsValid() {
		return ""
	}
	if f := v.FieldByName("regionId"); f.IsValid() && f.Kind() == reflect.String {
		return f.String()
	}
	return ""
}

// Provider returns kms.ProviderAlibaba.
func (l *Lister) Provider() kms.Provider { return provider }

// Limiter returns the limiter that paces the Lister's requests; adjust it
// with SetLimit.
func (l *Lister) Limiter() *pagination.Limiter { return l.limiter }

// CloseIdleConnections closes the idle keep-alive connections of the
// transport New installed on the client.
//
// Deprecated: use Close.
func (l *Lister) CloseIdleConnections() {
	if l.calls != nil {
		l.calls.CloseIdleConnections()
	}
}

// Close releases what the Lister owns. A Lister from NewFromConfig or
// kms.Open owns its client: Close closes its connections and shuts it
// down. A Lister from New closes only what New installed, the idle
// connections of its transport (not of a transport the caller gave the
// client's Config), and leaves the client usable. Close always returns nil.
func (l *Lister) Close() error {
	if l.calls != nil {
		l.calls.CloseIdleConnections()
	}
	if l.owned {
		l.client.Shutdown()
	}
	return nil
}

// Scope names what the Lister lists, for kms.Merge (kms.ScopedLister) and
// events: the region of its client, and the endpoint when one was set
// ("cn-hangzhou", "cn-hangzhou/kms-vpc.cn-hangzhou.aliyuncs.com"). It holds
// no credential.
func (l *Lister) Scope() string {
	if l.client == nil {
		return ""
	}
	if l.client.Domain != "" {
		return l.region + "/" + l.client.Domain
	}
	return l.region
}

// scopeName names the Lister's scope in events.
func (l *Lister) scopeName() string { return "alibaba/" + l.Scope() }

// scope identifies a listing for cursors: provider, region, endpoint,
// operation and what narrows it (the Filter; not Detail nor Include).
// Never credentials.
func (l *Lister) scope(op, extra string) string {
	return fmt.Sprintf("alibaba|%s|%s|%s|%s", l.region, l.client.Domain, op, extra)
}

// request describes a single request of operation op.
func (l *Lister) request(op string) pagination.Request {
	return pagination.Request{Op: op, Scope: l.scopeName(), Retry: l.retry, Limiter: l.limiter, Observer: l.observer}
}

// pageOptions are the engine options of a page-number listing.
func (l *Lister) pageOptions(op, narrow string, opts kms.ListOptions) pagination.Options {
	conc := l.pages
	if l.seq {
		conc = 1
	}
	return pagination.Options{
		PageSize: opts.PageSize, Cursor: opts.Cursor, MaxItems: opts.MaxItems,
		Scope: l.scope(op, narrow), Concurrency: conc, Retry: l.retry, Limiter: l.limiter,
		Op: op, Observer: l.observer,
		WrapErr: func(err error) error { return kms.WrapEngineError(provider, op, err) },
	}
}

// call runs one SDK call under the shared limiter and retry policy.
func (l *Lister) call(ctx context.Context, op string, req headered, fn func() error) error {
	return l.request(op).Do(ctx, func(ctx context.Context) error {
		return l.once(ctx, op, req, fn)
	})
}

// once runs one SDK call without pacing or retry (the engine adds them for
// pages), within the listing's requests in flight.
func (l *Lister) once(ctx context.Context, op string, req headered, fn func() error) error {
	release, err := acquire(ctx)
	if err != nil {
		return err
	}
	defer release()
	info, err := l.calls.do(ctx, req, fn)
	return mapError(op, err, info)
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

// slotsKey carries the requests in flight of one listing in its context.
type slotsKey struct{}

// withSlots bounds the requests in flight of the listing run under ctx.
func withSlots(ctx context.Context, n int) context.Context {
	return context.WithValue(ctx, slotsKey{}, make(chan struct{}, n))
}

// acquire takes one of the listing's slots, if ctx has any.
func acquire(ctx context.Context) (func(), error) {
	ch, _ := ctx.Value(slotsKey{}).(chan struct{})
	if ch == nil {
		return func() {}, nil
	}
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
