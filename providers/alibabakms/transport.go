package alibabakms

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	alikms "github.com/aliyun/alibaba-cloud-sdk-go/services/kms"

	"github.com/multikms/multikms/internal/adapter"
)

// callHeader carries the ID of an adapter call from the SDK request to the
// transport. RPC signatures cover only the query, so the header (which
// servers ignore) changes nothing else on the wire.
const callHeader = "X-Multikms-Call"

// caller runs SDK calls under a context although the SDK takes none.
//
// The SDK builds an *http.Request without a context, so caller installs
// itself as the client's RoundTripper: every call is tagged with a header,
// and RoundTrip looks the call up and sends the request with the call's
// context, so that a deadline or cancellation aborts the exchange and the
// SDK call returns at once; no goroutine is left behind.
//
// The SDK also writes shared client state (the http.Client's Timeout) while
// it prepares every request, which is a data race when one client serves
// concurrent calls. caller therefore lets one call at a time prepare its
// request and releases the next one when the request reaches the
// transport, after the SDK's last write and http.Client's last read of that
// state: the exchanges themselves still run concurrently.
type caller struct {
	base  http.RoundTripper
	own   bool // base was made by install, not given by the caller
	prep  chan struct{}
	next  atomic.Uint64
	mu    sync.Mutex
	calls map[string]*pendingCall
	// cur is the context of the call preparing its request: written and
	// read only by the holder of prep (credential providers read it while
	// the SDK signs).
	cur context.Context
}

// preparing returns the context of the call whose request is being
// prepared (signed), or context.Background outside one.
func (c *caller) preparing() context.Context {
	if ctx := c.cur; ctx != nil {
		return ctx
	}
	return context.Background()
}

// headered is an SDK request.
type headered interface{ GetHeaders() map[string]string }

type pendingCall struct {
	ctx     context.Context
	info    callInfo
	release func()
	cleanup []func() // run once the SDK call has returned (and closed the body)
}

func newCaller(base http.RoundTripper) *caller {
	return &caller{base: base, prep: make(chan struct{}, 1), calls: map[string]*pendingCall{}}
}

// install makes a caller the client's transport and returns it. It sends
// requests through the transport of the client's Config (Transport, then
// HttpTransport) or a clone of http.DefaultTransport, and records itself as
// Config.Transport, so that a second New over the same client (or over a
// client of the same Config) shares it.
func install(client *alikms.Client) *caller {
	cfg := client.GetConfig()
	if cfg == nil {
		cfg = &sdk.Config{}
	}
	// The engine retries; SDK retries would multiply attempts and run
	// outside the context.
	cfg.AutoRetry = false
	cfg.MaxRetryTime = 0
	c, shared := cfg.Transport.(*caller)
	if !shared {
		base, own := cfg.Transport, false
		if base == nil && cfg.HttpTransport != nil {
			base = cfg.HttpTransport
		}
		if base == nil {
			base, own = ownTransport(), true
		}
		c = newCaller(base)
		c.own = own
		cfg.Transport = c
	}
	client.SetTransport(c)
	return c
}

// ownTransport is the transport install makes when the client has none: a
// clone of http.DefaultTransport that keeps idle every connection a
// listing has had in flight, up to the most WithConcurrency allows, so
// that the connections of one wave of pages and describes are reused by
// the next rather than closed and dialled again (with TLS, a handshake
// each). A connection is only kept once a request needed it, so a Lister
// keeps as many as its own concurrency (plus the few of net/http's dial
// race), not the maximum.
func ownTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = adapter.MaxConcurrency
	t.MaxIdleConns = adapter.MaxConcurrency // one endpoint a client
	return t
}

// callInfo is what the transport saw of a call: whether its request got
// there (an error before it is the SDK's own: signing, credentials), and
// its query, whose secret values (AccessKeyId, SecurityToken, Signature)
// are scrubbed from its errors wherever they appear.
type callInfo struct {
	reached bool
	query   string
}

// secrets returns the secret values the request carried; parsed only for
// an error.
func (i callInfo) secrets() []string {
	q, _ := url.ParseQuery(i.query)
	var out []string
	for _, p := range secretParams {
		if v := q.Get(p); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// do runs fn, which makes the SDK call of req, under ctx, and tells what
// the transport saw of it. A context error is returned as it is.
func (c *caller) do(ctx context.Context, req headered, fn func() error) (info callInfo, err error) {
	select {
	case c.prep <- struct{}{}:
	case <-ctx.Done():
		return callInfo{}, ctx.Err()
	}
	c.cur = ctx
	var once sync.Once
	release := func() { once.Do(func() { c.cur = nil; <-c.prep }) }
	id := strconv.FormatUint(c.next.Add(1), 36)
	c.mu.Lock()
	c.calls[id] = &pendingCall{ctx: ctx, release: release}
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		pc := c.calls[id]
		delete(c.calls, id)
		info = pc.info
		c.mu.Unlock()
		for _, f := range pc.cleanup {
			f()
		}
		release()
	}()
	req.GetHeaders()[callHeader] = id
	err = fn()
	if cerr := ctx.Err(); cerr != nil && err != nil {
		return info, cerr
	}
	return info, err // info is set by the deferred cleanup
}

// RoundTrip sends r under the context of the call it belongs to.
func (c *caller) RoundTrip(r *http.Request) (*http.Response, error) {
	id := r.Header.Get(callHeader)
	c.mu.Lock()
	pc := c.calls[id]
	c.mu.Unlock()
	if pc == nil {
		return c.base.RoundTrip(r)
	}
	pc.release()
	c.mu.Lock()
	pc.info = callInfo{reached: true, query: r.URL.RawQuery}
	c.mu.Unlock()
	// The request's own context carries http.Client's timeout (the SDK's
	// read timeout); send under both it and the call's context.
	ctx, cancel := context.WithCancelCause(pc.ctx)
	stop := context.AfterFunc(r.Context(), func() { cancel(context.Cause(r.Context())) })
	c.mu.Lock()
	pc.cleanup = append(pc.cleanup, func() { stop(); cancel(nil) })
	c.mu.Unlock()
	resp, err := c.base.RoundTrip(r.WithContext(ctx))
	if err == nil {
		resp.Body = &limitedBody{rc: resp.Body, left: maxBody}
	}
	return resp, err
}

// maxBody bounds what one answer may hold: a full page of 100 keys or
// versions takes some 20 KB; a larger answer fails with errTooLarge, read
// no further.
const maxBody = 4 << 20

var errTooLarge = errors.New("answer larger than 4 MiB")

// limitedBody reads at most left more bytes.
type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		var one [1]byte
		if n, _ := b.rc.Read(one[:]); n > 0 {
			return 0, errTooLarge
		}
		return b.rc.Read(p)
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }

// CloseIdleConnections closes the idle connections of the base transport
// if install made it.
func (c *caller) CloseIdleConnections() {
	if !c.own {
		return
	}
	if ci, ok := c.base.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}
