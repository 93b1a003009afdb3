package pagination

import (
	"context"
	"errors"
	"sync"
)

// DefaultFanOutConcurrency is the number of scopes a fan-out lists at once
// when FanOutOptions.Concurrency is 0.
const DefaultFanOutConcurrency = 16

// Scope is one listing of a fan-out: a name for errors and events (a
// region, an account, a folder; never a credential) and the function that
// makes its Iterator from its own cursor ("" = from its start) and a
// context. List must not fetch anything itself: making an Iterator fetches
// nothing, and a listing that rejects its options says so in the Iterator
// it returns (see Err). FanOut calls List of every scope to check its
// options before any request, with FanOut's context; the Iterators of
// the scopes the first loop starts first (as many as are in flight at
// once) serve that loop, and every other scope's List is called again when
// it starts, with the loop's context. Either way the Iterator's requests
// get the loop's context (cancelled when the loop stops), so List must not
// keep its context for them.
type Scope[T any] struct {
	Name string
	List func(ctx context.Context, cursor string) *Iterator[T]
}

// FanOutOptions configures FanOut.
type FanOutOptions struct {
	// Cursor resumes a fan-out from Iterator.Cursor; "" starts every scope
	// from its beginning.
	Cursor string
	// Scope identifies the fan-out (its kind of listing, its options), so
	// that a cursor of another cannot be used; only a hash is kept. Leave
	// the scopes out of it: the cursor records them by name, and resumes
	// over a changed set of them (see FanOut).
	Scope string
	// MaxItems stops the listing after that many items in all; 0 means no
	// limit. It bounds the work of the scopes too (see Map).
	MaxItems int
	// Concurrency is the number of scopes listed at once: 0 means
	// DefaultFanOutConcurrency.
	Concurrency int
	// FailFast ends the listing with the first scope that fails, instead of
	// listing the others to their end.
	FailFast bool
	// ScopeError, when set, makes the error reported for a failed scope
	// from its name and its error (kms.Merge makes a *kms.ScopeError); nil
	// means a *ScopeError.
	ScopeError func(scope string, err error) error
	// RejectError, when set, makes the error the fan-out yields when a scope
	// rejected its options or its part of the cursor before any request;
	// nil means ScopeError's.
	RejectError func(scope string, err error) error
	// WrapErr, when set, is applied to every error the fan-out yields (as
	// Options.WrapErr): its cursor's, and the joined scope failures.
	WrapErr func(error) error
	// Observer, when set, is told when a scope starts, is done or fails,
	// and of every request of every scope made through the engine (page
	// fetches, and Call or Request.Do with the context the scope's
	// functions are given), its Scope being the scope's name.
	Observer Observer
}

// ScopeError is the error FanOut reports for a failed scope unless
// FanOutOptions.ScopeError says otherwise: the scope's name and its error,
// which errors.Is and errors.As reach through Unwrap.
type ScopeError struct {
	Scope string
	Err   error
}

// Error formats the error as "scope <name>: <err>".
func (e *ScopeError) Error() string { return "scope " + e.Scope + ": " + e.Err.Error() }

// Unwrap returns the scope's error.
func (e *ScopeError) Unwrap() error { return e.Err }

// FanOut lists the scopes concurrently as one Iterator, up to
// opts.Concurrency of them at once, starting them in order. Items come out
// as each scope yields them: in order within a scope, interleaved across
// scopes in no promised order (use Concat for one scope after another).
// Each scope runs in its own goroutine with its own prefetching, retries and
// limiter, so that a slow or throttled scope holds back no other; the only
// thing they share is the caller's loop. Pages waiting for the caller are
// at most one per scope in flight, besides each scope's own prefetch.
//
// Every scope's Iterator is made before the first request of any (and made
// again when the scope starts): a scope that rejects its options, or its
// part of the cursor, fails the FanOut at once with that scope's error
// (wrapped as a failed scope's, so that it names the scope), and nothing
// is fetched.
//
// A scope that fails (after its own retries) does not stop the others,
// unless FailFast: when every other scope has ended, the listing yields one
// error joining a ScopeError (or what opts.ScopeError makes) per failed
// scope, and Cursor then resumes exactly the failed scopes from their last
// item handed out (a later loop over the same Iterator yields that error
// again; a new Iterator from the cursor lists them again). Cancelling the
// context stops every scope at once and yields the context's error, never a
// scope failure.
//
// Stats counts the scopes (ScopesTotal, ScopesDone, ScopesFailed); a
// scope whose Iterator is itself a fan-out (a Merge of discovered fleets)
// counts as the scopes inside it, at any depth, and its requests count
// as the fan-out's own.
//
// The cursor resumes every scope right after its last item handed out, in
// this process or another. It records the scopes by name (scope names
// must differ: two scopes of one name fail the FanOut with
// ErrInvalidArgument before any request): the first scope not yet
// started, each scope started but not finished (in flight, or failed)
// with its own cursor, and a sketch of fixed size of the names of the
// finished ones. Its size is therefore 4/3 x (about 25 bytes, the first
// unstarted scope's name, the sketch: 1 byte while no scope has finished,
// 12 more for each of its 32 cells in use, 389 bytes in all once about 20
// scopes have finished; plus for each unfinished scope its name,
// about 20 bytes and the cloud's marker or token): with the default 16
// scopes in flight and AWS markers of a few hundred bytes, a few KiB
// (10,000 scopes of short names and tokens, 16 in flight: at most 757
// bytes, measured by TestFanOutCursorGrowsWithScopesInFlight; named like
// "aws/111122223333/scope-01234": 989 bytes, BenchmarkFanOutResume10000);
// its worst case is 16 x (an AWS marker's documented maximum of 1,024
// characters, 2 KiB of UTF-8, and a name) plus the sketch, about 46 KiB
// with names of 64 bytes, plus as much for every scope that failed
// part-way. A fan-out cursor may be up to 1 MiB; a longer one is refused,
// so keep the scopes in flight times the longest token well below that.
//
// A cursor may resume a FanOut over other scopes than it was made over (a
// fleet whose discovery finds a scope more or less), matched by name: a
// scope the cursor had in flight or failed resumes where it was, and one
// no longer among the scopes ends as a failed scope wrapping ErrScopeGone
// (counted in Stats.ScopesFailed and ScopesTotal, told as
// EventScopeFailed, reported with the other failures at the end, and kept
// in the cursor). A scope that had not finished and now stands before the
// first unstarted one (new, or moved) is listed whole; a finished scope
// is not listed again wherever it moved; a finished scope that is gone is
// forgotten (if it comes back later it is listed again). The first
// unstarted scope is found by its name or, if it is gone, at its place in
// the scopes' name order: if they are not in ascending name order, the
// cursor is refused with ErrInvalidCursor. The sketch tells apart a
// difference of up to about 8 names between the finished scopes and the
// scopes before that point that the cursor does not hold as unfinished
// (one or two names but for about one case in 36,000, up to 8 but for
// about one in 2,000, 16 but for about one in 100); a change it cannot tell
// apart refuses the cursor with ErrInvalidCursor. Either refusal comes
// before any request.
func FanOut[T any](ctx context.Context, opts FanOutOptions, scopes ...Scope[T]) *Iterator[T] {
	conc := opts.Concurrency
	if conc == 0 {
		conc = DefaultFanOutConcurrency
	}
	wrapErr := opts.ScopeError
	if wrapErr == nil {
		wrapErr = func(scope string, err error) error { return &ScopeError{Scope: scope, Err: err} }
	}
	p := &fanPager[T]{scopes: scopes, conc: conc, failFast: opts.FailFast, wrapErr: wrapErr, rejectErr: wrapErr, obs: opts.Observer}
	if opts.RejectError != nil {
		p.rejectErr = opts.RejectError
	}
	it := newIterator(ctx, kindFanOut, p, Options{Cursor: opts.Cursor, Scope: opts.Scope, MaxItems: opts.MaxItems, Concurrency: opts.Concurrency, WrapErr: opts.WrapErr})
	it.stats.scopesTotal = len(scopes)
	it.bufs.scopes = conc // every scope in flight has its pages out
	p.stats = it.stats
	var n scopeCounts
	if it.err == nil {
		var err error
		if err = checkNames(scopes); err == nil {
			it.start.fan, n, err = p.probe(ctx, it.start.fan)
		}
		it.err = it.wrap(err)
	}
	if it.err != nil {
		it.errFrom = opts.Cursor
		return it
	}
	it.stats.scopesTotal = n.total
	it.stats.scopesDone.Store(int64(n.done))
	it.stats.scopesFailed.Store(int64(n.failed))
	if f := it.start.fan; f != nil {
		if f.next == len(scopes) && len(f.entries) == 0 {
			it.done = true
		}
	}
	return it
}

type fanPager[T any] struct {
	scopes   []Scope[T]
	conc     int
	failFast bool
	wrapErr  func(scope string, err error) error
	// rejectErr makes the error of a scope that rejected its options
	rejectErr func(scope string, err error) error
	obs       Observer
	stats     *counters
	index     map[string]int // the scopes by name, once a cursor needs them (see resume)
	// up, when set, is the counters of the fan-out this one is a scope of
	// (see start): they count this one's scopes, not this one.
	up *counters
	// probed is the Iterators the probe made of the scopes the first loop
	// starts first, until that loop takes them (see takeProbed).
	probed []probedScope[T]
}

func stateCursor(st *cursorState) string {
	if st == nil {
		return ""
	}
	return encodeCursor(*st)
}

// event tells the walk's observers of a scope's start, end or failure.
func (w *fanWalk[T]) event(kind EventKind, scope string, err error) {
	if w.obs != nil {
		w.obs(Event{Kind: kind, Scope: scope, Err: err})
	}
}

// observers is the fan-out's observer and, for a fan-out that is itself a
// scope of another (a Merge of fleets), the outer one's: both are told.
func observers(inner Observer, outer *run) Observer {
	switch {
	case outer == nil || outer.obs == nil:
		return inner
	case inner == nil:
		return outer.obs
	}
	o := outer.obs
	return func(e Event) { inner(e); o(e) }
}

// fanMsg is what a scope's goroutine sends the caller's loop: a page, its
// error, or its end (both nil).
type fanMsg[T any] struct {
	idx int
	it  *Iterator[T] // the scope's, for the kind and scope of its cursor
	pg  *page[T]
	err error
	// nested marks a scope that is itself a fan-out, which counts its own
	// scopes in the walk's Stats (see countScope).
	nested bool
}

// fanWalk is one loop over a fan-out. Its state is the caller's goroutine's
// alone; the scopes' goroutines only send.
type fanWalk[T any] struct {
	p         *fanPager[T]
	ctx       context.Context
	cancel    context.CancelFunc
	run       *run
	wg        sync.WaitGroup
	out       chan fanMsg[T]
	unstarted int                  // scopes from unstarted on are at their start, but skip
	entries   map[int]*cursorState // the scopes started and not finished
	skip      map[int]bool         // scopes from next on not to start: finished, or entries
	gone      []fanEntry           // entries of scopes no longer among the fan-out's
	probed    []probedScope[T]     // Iterators the probe made, in the order they start
	done      *scopeSketch         // the names of the finished scopes (never changed in place)
	queue     []int                // entries of the cursor not yet restarted
	inflight  int
	failures  []error
	cur       fanCur[T] // the scope page being handed out
	obs       Observer  // the fan-out's observers (see observers)
	// live, when not nil, is the positions of every page of a walk that
	// the fan-out's own Iterator loop hands out (see page).
	live func(j int) position
	// What a live walk reuses, since only its own state refers to it (see
	// liveAt): the page it hands out when a scope ends, the entries' states
	// of finished scopes, and the sketch once it made its own copy.
	end       *page[T]
	free      []*cursorState
	doneOwned bool
	runs      []runCtx // made a batch at a time (see runCtx)
}

// runCtx is the walk's context carrying r, for a scope it starts. They are
// made as many at once as scopes are in flight, and never reused: a
// scope's goroutine may still use its own after the walk has seen it end.
func (w *fanWalk[T]) runCtx(r run) context.Context {
	if len(w.runs) == 0 {
		w.runs = make([]runCtx, w.p.inFlight())
	}
	c := &w.runs[0]
	w.runs = w.runs[1:]
	*c = runCtx{Context: w.ctx, r: r}
	return c
}

// fanCur is what the walk keeps of the scope page being handed out: its
// scope, the scope's Iterator, and the page's own positions and length.
type fanCur[T any] struct {
	ok  bool
	idx int
	it  *Iterator[T]
	pos positions
	n   int
}

func (p *fanPager[T]) open(ctx context.Context, from position) pass[T] {
	ctx, cancel := context.WithCancel(ctx)
	w := &fanWalk[T]{p: p, ctx: ctx, cancel: cancel, run: runOf(ctx), out: make(chan fanMsg[T]), entries: make(map[int]*cursorState, p.inFlight())}
	w.obs = observers(p.obs, w.run)
	w.probed, p.probed = p.probed, nil // the first loop's alone
	if w.run != nil && w.run.walker == pager[T](p) {
		w.live = w.liveAt
	}
	if f := from.fan; f != nil {
		w.unstarted, w.done, w.skip = f.next, f.done, map[int]bool{}
		for _, e := range f.entries {
			if e.idx < 0 {
				w.gone = append(w.gone, e)
				continue
			}
			w.entries[e.idx] = e.st
			w.queue = append(w.queue, e.idx)
			if e.idx >= f.next {
				w.skip[e.idx] = true
			}
		}
		for _, idx := range f.skip {
			w.skip[idx] = true
		}
		w.reportGone()
	}
	return w
}

// stop stops every scope's goroutine and waits for them.
func (w *fanWalk[T]) stop() {
	w.cancel()
	w.wg.Wait()
}

// inFlight is the most scopes in flight at once.
func (p *fanPager[T]) inFlight() int { return min(p.conc, len(p.scopes)) }

// fill starts scopes while fewer than the bound are in flight: first those
// the cursor left unfinished, then the fresh ones in order.
func (w *fanWalk[T]) fill() {
	for w.inflight < w.p.conc {
		switch {
		case len(w.queue) > 0:
			idx := w.queue[0]
			w.queue = w.queue[1:]
			w.start(idx, stateCursor(w.entries[idx]))
		case w.unstarted < len(w.p.scopes):
			idx := w.unstarted
			w.advance(idx + 1)
			w.entries[idx] = nil
			w.start(idx, "")
		default:
			return
		}
	}
}

// start lists scope idx from cursor in its own goroutine.
func (w *fanWalk[T]) start(idx int, cursor string) {
	w.inflight++
	s := w.p.scopes[idx]
	w.event(EventScopeStarted, s.Name, nil)
	r := run{scope: s.Name, obs: w.obs}
	if w.run != nil {
		r.stats, r.budget = w.run.stats, w.run.budget
	}
	ctx := w.runCtx(r)
	probed := w.takeProbed(idx)
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		it := probed
		if it == nil {
			it = s.List(ctx, cursor)
		}
		nested := w.nest(it)
		pull := it.pull(ctx)
		defer pull.stop()
		for {
			pg, err := pull.next()
			select {
			case w.out <- fanMsg[T]{idx: idx, it: it, pg: pg, err: err, nested: nested}:
			case <-ctx.Done():
				return
			}
			if err != nil || pg == nil {
				return
			}
		}
	}()
}

// next is the next page of any scope. The page before was handed out
// in full: its scope's entry moves to its end.
func (w *fanWalk[T]) next() (*page[T], error) {
	if c := w.cur; c.ok {
		w.setEntry(c.idx, c.it, c.pos.at(c.n-1))
		w.cur = fanCur[T]{}
	}
	for {
		if err := w.ctx.Err(); err != nil {
			return nil, err // cancelled: stop at once, whatever is ready
		}
		if w.p.failFast && len(w.failures) > 0 {
			return nil, w.failures[0] // a scope gone
		}
		w.fill()
		if w.inflight == 0 {
			return nil, errors.Join(w.failures...) // nil when none failed
		}
		var m fanMsg[T]
		select {
		case m = <-w.out:
		case <-w.ctx.Done():
			return nil, w.ctx.Err()
		}
		name := w.p.scopes[m.idx].Name
		switch {
		case m.err != nil && w.ctx.Err() != nil:
			return nil, w.ctx.Err() // cancelled: no scope failed
		case m.err != nil:
			w.inflight--
			err := w.p.wrapErr(name, m.err)
			w.countScope(m, false)
			w.event(EventScopeFailed, name, m.err)
			if w.p.failFast {
				return nil, err
			}
			w.failures = append(w.failures, err)
		case m.pg == nil:
			w.inflight--
			w.finish(m.idx)
			w.countScope(m, true)
			w.event(EventScopeDone, name, nil)
			return w.emptyPage(), nil // a cursor from here on leaves the scope out
		default:
			return w.page(m), nil
		}
	}
}
