package pagination

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
)

// run is what one loop over an Iterator hands down to everything it starts
// (pagers, Map workers, fan-out scopes, the adapters' single requests
// through Call and Request.Do), carried in the context: the counters behind
// Stats, the MaxItems budget, and, inside a fan-out, the scope's name and
// the fan-out's observer.
type run struct {
	stats  *counters
	budget *budget
	scope  string   // the fan-out scope a request belongs to ("" outside a fan-out)
	obs    Observer // the fan-out's observer, told of every request of its scopes
	// walker is the pager of the Iterator whose own loop this is (nil for
	// the loops of stages and scopes): its pages are handed out by that
	// loop alone, in its goroutine, one at a time.
	walker any
}

type runKey struct{}

// runOf returns the run ctx carries, or nil.
func runOf(ctx context.Context) *run {
	r, _ := ctx.Value(runKey{}).(*run)
	return r
}

// withRun returns ctx carrying r (a copy of it, made with the context in
// one allocation).
func withRun(ctx context.Context, r run) context.Context {
	return &runCtx{Context: ctx, r: r}
}

// runCtx is a context carrying a run: context.WithValue and the run in one
// allocation (a fan-out makes one for every scope it starts). Every other
// key, Done, Err and Deadline are its parent's.
type runCtx struct {
	context.Context
	r run
}

// Value returns the run for runKey, and the parent's value otherwise.
func (c *runCtx) Value(key any) any {
	if _, ok := key.(runKey); ok {
		return &c.r
	}
	return c.Context.Value(key)
}

// counters are an Iterator's Stats, updated with atomics by every goroutine
// of its loops.
type counters struct {
	items, pages, requests, retries, throttled atomic.Int64
	pace                                       atomic.Uint64 // float64 bits
	scopesDone, scopesFailed                   atomic.Int64
	scopesTotal                                int
}

func (c *counters) setPace(v float64) {
	if c != nil {
		c.pace.Store(math.Float64bits(v))
	}
}

func (c *counters) snapshot() Stats {
	if c == nil {
		return Stats{}
	}
	return Stats{
		Items: c.items.Load(), Pages: c.pages.Load(), Requests: c.requests.Load(),
		Retries: c.retries.Load(), Throttled: c.throttled.Load(),
		Pace:         math.Float64frombits(c.pace.Load()),
		ScopesDone:   int(c.scopesDone.Load()),
		ScopesFailed: int(c.scopesFailed.Load()),
		ScopesTotal:  c.scopesTotal,
	}
}

// countPage counts one page fetched for the loop ctx belongs to.
func countPage(ctx context.Context) {
	if r := runOf(ctx); r != nil && r.stats != nil {
		r.stats.pages.Add(1)
	}
}

// budget bounds the per-item work of one loop by MaxItems: limit is the
// number of items the loop may still hand out. Map takes a unit before it
// starts fn on an item (fn is where per-item requests such as describes
// happen) and gives it back when fn drops the item, so that, whatever the
// number of stages, scopes and workers, no per-item work starts for an item
// past MaxItems. Marker, token and page-number sources also stop fetching
// ahead once they have fetched limit items in the loop (they fetch on
// demand then).
type budget struct {
	u *units
	// gate, when not nil, holds acquisitions until it is closed: the parts
	// of a Concat ahead of the current one wait, so that the units are
	// never all taken by items that are handed out only after others.
	gate <-chan struct{}
}

// units are the shared count of a budget and its gated views.
type units struct {
	limit int
	mu    sync.Mutex
	used  int
	wake  chan struct{} // closed and replaced when a unit comes back
}

func newBudget(limit int) *budget {
	return &budget{u: &units{limit: limit, wake: make(chan struct{})}}
}

// limit is the number of items the loop may still hand out.
func (b *budget) limit() int { return b.u.limit }

// gated returns a view of b whose acquisitions wait until gate is closed.
func (b *budget) gated(gate <-chan struct{}) *budget {
	return &budget{u: b.u, gate: gate}
}

// acquire takes a unit, waiting for the gate and for a free unit.
func (b *budget) acquire(ctx context.Context) error {
	if b.gate != nil {
		select {
		case <-b.gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	u := b.u
	for {
		u.mu.Lock()
		if u.used < u.limit {
			u.used++
			u.mu.Unlock()
			return nil
		}
		wake := u.wake
		u.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// awaitFree waits until a unit is free, without taking it (the gate is not
// waited for): a Map stage over a source asks it for no page while every
// unit is held, since the items it holds are all the loop may hand out
// unless one is dropped (which gives its unit back).
func (b *budget) awaitFree(ctx context.Context) error {
	u := b.u
	for {
		u.mu.Lock()
		free, wake := u.used < u.limit, u.wake
		u.mu.Unlock()
		if free {
			return nil
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// tryAcquire takes a unit if one is free and the gate is open.
func (b *budget) tryAcquire() bool {
	if b.gate != nil {
		select {
		case <-b.gate:
		default:
			return false
		}
	}
	u := b.u
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.used < u.limit {
		u.used++
		return true
	}
	return false
}

// release gives a unit back.
func (b *budget) release() {
	u := b.u
	u.mu.Lock()
	u.used--
	close(u.wake)
	u.wake = make(chan struct{})
	u.mu.Unlock()
}

// budgetOf returns the budget of the loop ctx belongs to, or nil.
func budgetOf(ctx context.Context) *budget {
	if r := runOf(ctx); r != nil {
		return r.budget
	}
	return nil
}

// window bounds how far a Map stage runs ahead of its consumer: at most
// limit items started and not yet handed on. Only the stage's producer
// goroutine acquires; anyone releases.
type window struct {
	limit int64
	used  atomic.Int64
	sig   chan struct{}
}

func newWindow(limit int) *window {
	return &window{limit: int64(limit), sig: make(chan struct{}, 1)}
}

func (w *window) tryAcquire() bool {
	if w.used.Load() >= w.limit {
		return false
	}
	w.used.Add(1)
	return true
}

func (w *window) acquire(ctx context.Context) error {
	for w.used.Load() >= w.limit {
		select {
		case <-w.sig:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	w.used.Add(1)
	return nil
}

func (w *window) release(n int) {
	w.used.Add(-int64(n))
	select {
	case w.sig <- struct{}{}:
	default:
	}
}
