package pagination

import (
	"context"
	"errors"
	"fmt"
	"iter"
)

// page is one batch of items and the positions around them.
type page[T any] struct {
	items []T
	// buf is what the fetch function returned, items being a suffix of it;
	// it goes back to the Iterator's buffers once All has handed out every
	// item, unless shared.
	buf []T
	// shared marks a page handed out by Pages: the caller may keep it.
	shared bool
	// owned marks a buf that PageBuffer made: All and Collect zero each
	// item once handed out, while it is still in the cache.
	owned bool
	// claimed marks items that hold a unit of the loop's budget (a Map
	// took it): a later Map stage does not take another.
	claimed bool
	// taken, when set, is told when items are handed out (n of them), so
	// that the Map stage that made the page can start as many more.
	taken func(n int)
	// pos gives the positions around the items (see at).
	pos positions
}

// at returns the position after items[j]; at(-1) is the position before
// items[0]. For an empty page both are the position after the page.
func (p *page[T]) at(j int) position { return p.pos.at(j) }

// positions are the positions of a page's items (see page.at). A source
// whose pages carry their own positions implements it on a struct that
// holds the page too (one allocation a page); others use atFunc.
type positions interface {
	at(j int) position
}

// atFunc is a function as positions.
type atFunc func(j int) position

func (f atFunc) at(j int) position { return f(j) }

// pager produces the pages of a listing: open starts a pass right after
// from.
type pager[T any] interface {
	open(ctx context.Context, from position) pass[T]
}

// pass is one loop's pass over a pager (a pager's own walk, so that
// opening one allocates no closures). next returns nil, nil at the end;
// stop ends all work that open and next started and waits for it.
type pass[T any] interface {
	next() (*page[T], error)
	stop()
}

// funcPass is a pass made of its two functions.
type funcPass[T any] struct {
	nextFn func() (*page[T], error)
	stopFn func()
}

func (p *funcPass[T]) next() (*page[T], error) { return p.nextFn() }
func (p *funcPass[T]) stop()                   { p.stopFn() }

// endPass is a pass at its end; errPass one that fails with err.
type endPass[T any] struct{}

func (endPass[T]) next() (*page[T], error) { return nil, nil }
func (endPass[T]) stop()                   {}

type errPass[T any] struct{ err error }

func (p errPass[T]) next() (*page[T], error) { return nil, p.err }
func (errPass[T]) stop()                     {}

// Iterator lists items of type T page by page. Create one with ByMarker,
// ByPageNumber, ByPageToken, Concat or Map. An Iterator is not safe for
// concurrent use.
//
// Fetching happens only while a range loop over All or Pages runs; breaking
// out of the loop stops it and waits for everything it started. A later loop
// continues after the last item handed out.
type Iterator[T any] struct {
	ctx   context.Context
	kind  byte
	scope [8]byte
	src   pager[T]

	err     error  // terminal error, yielded by every later loop
	errFrom string // the cursor a construction error refers to

	start  position // position before cur, or the resume point if cur is nil
	cur    *page[T] // the page being handed out
	off    int      // items of cur handed out
	done   bool
	max    int // MaxItems; 0 = no limit
	handed int
	bufs   buffers[T] // pages handed out in full, for PageBuffer
	stats  *counters  // behind Stats: &counts; nil for Err iterators
	counts counters   // (part of the Iterator: one allocation less)

	wrapErr func(error) error // Options.WrapErr
	ran     bool              // a loop has fetched (see Rejected)
}

// wrap applies Options.WrapErr to err, leaving context errors alone.
func (it *Iterator[T]) wrap(err error) error {
	if it.wrapErr == nil || err == nil || isContextErr(err) {
		return err
	}
	return it.wrapErr(err)
}

// Err returns an Iterator that yields err and nothing else; for input
// rejected before any request.
func Err[T any](err error) *Iterator[T] {
	return &Iterator[T]{err: err}
}

// newIterator validates opts and decodes the cursor; a problem becomes the
// iterator's error, yielded before any request.
func newIterator[T any](ctx context.Context, kind byte, src pager[T], opts Options) *Iterator[T] {
	it := new(Iterator[T])
	initIterator(ctx, it, kind, src, opts)
	return it
}

// initIterator is newIterator into it (which a source may allocate together
// with its pager: one allocation for both).
func initIterator[T any](ctx context.Context, it *Iterator[T], kind byte, src pager[T], opts Options) {
	it.ctx, it.kind, it.scope, it.src, it.max = ctx, kind, scopeHash(opts.Scope), src, opts.MaxItems
	it.counts.scopesTotal = 1
	it.stats = &it.counts
	it.wrapErr = opts.WrapErr
	if err := opts.validate(); err != nil {
		it.err = it.wrap(err)
		return
	}
	pos, err := decodeCursor(opts.Cursor, kind, it.scope)
	if err == nil && pos.token != "" && opts.CheckToken != nil {
		if err = opts.CheckToken(pos.token); err != nil && !errors.Is(err, ErrInvalidCursor) {
			err = fmt.Errorf("%w: %w", ErrInvalidCursor, err)
		}
	}
	if err != nil {
		it.err, it.errFrom = it.wrap(err), opts.Cursor
		return
	}
	it.start = pos
}

func (o Options) validate() error {
	switch {
	case o.PageSize < 0:
		return fmt.Errorf("%w: PageSize must be >= 0, got %d", ErrInvalidArgument, o.PageSize)
	case o.MaxItems < 0:
		return fmt.Errorf("%w: MaxItems must be >= 0, got %d", ErrInvalidArgument, o.MaxItems)
	case o.Concurrency < 0:
		return fmt.Errorf("%w: Concurrency must be >= 0, got %d", ErrInvalidArgument, o.Concurrency)
	}
	return nil
}

// position returns the point after the last item handed out.
func (it *Iterator[T]) position() position {
	if it.cur == nil {
		return it.start
	}
	return it.cur.at(it.off - 1)
}

func (it *Iterator[T]) state() cursorState {
	return cursorState{kind: it.kind, scope: it.scope, pos: it.position()}
}

// Cursor returns an opaque, URL-safe resume point after the last item handed
// out, or "" once the listing is exhausted. Pass it as Options.Cursor (or
// kms.ListOptions.Cursor) to a new iterator over the same listing, in this
// process or another, to continue with the next item. It holds the server's
// marker or token and positions, never credentials.
func (it *Iterator[T]) Cursor() string {
	if it.errFrom != "" {
		return it.errFrom
	}
	if it.done || it.src == nil {
		return ""
	}
	return encodeCursor(it.state())
}

// All returns the items one by one. On failure it yields a zero T with the
// error once and stops; a later loop yields the same error again.
func (it *Iterator[T]) All() iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		it.walk(func(items []T) bool {
			owned := it.cur.owned
			for i := range items {
				if !it.take(1) {
					return false
				}
				ok := yield(items[i], nil)
				if owned {
					clear(items[i : i+1]) // while in the cache; cheaper than = zero
				}
				if !ok {
					return false
				}
			}
			return true
		}, func(err error) {
			var zero T
			yield(zero, err)
		})
	}
}

// Pages returns the items page by page, as the source serves them (the rest
// of a page when All stopped inside it). On failure it yields a nil page with
// the error once and stops.
func (it *Iterator[T]) Pages() iter.Seq2[[]T, error] {
	return func(yield func([]T, error) bool) {
		it.walk(func(items []T) bool {
			it.cur.shared = true // the caller may keep it
			return it.takePage(items, func(page []T) bool { return yield(page, nil) })
		}, func(err error) { yield(nil, err) })
	}
}

// takePage hands out as much of items as MaxItems allows to emit, and
// returns what emit returns (false if nothing was allowed).
func (it *Iterator[T]) takePage(items []T, emit func([]T) bool) bool {
	n := len(items)
	if it.max > 0 {
		n = min(n, it.max-it.handed)
	}
	if n == 0 && len(items) > 0 {
		return false
	}
	it.take(n)
	return emit(items[:n])
}

// take marks n more items of the current page handed out, unless MaxItems is reached.
func (it *Iterator[T]) take(n int) bool {
	if it.max > 0 && it.handed+n > it.max {
		return false
	}
	it.off += n
	it.handed += n
	if it.cur.taken != nil {
		it.cur.taken(n)
	}
	if it.stats != nil {
		it.stats.items.Add(int64(n))
	}
	return true
}

// walk hands the remaining items to emit, page by page, until emit returns
// false, the listing ends or a request fails (then fail is called).
func (it *Iterator[T]) walk(emit func(items []T) bool, fail func(error)) {
	if it.err != nil {
		fail(it.err)
		return
	}
	if it.cur != nil && it.off < len(it.cur.items) {
		if !emit(it.cur.items[it.off:]) || it.off < len(it.cur.items) {
			return
		}
	}
	if it.done || it.src == nil || it.full() {
		return
	}
	from := it.position()
	if from.done {
		it.done = true
		return
	}
	it.release()
	it.ran = true
	p := it.src.open(it.runContext(), from)
	defer func() {
		p.stop()
		it.bufs.flush() // the free pages wait for later loops and listings
	}()
	for {
		it.release()
		pg, err := p.next()
		if err != nil {
			err = it.wrap(err)
			it.err = err
			it.countScope(err)
			fail(err)
			return
		}
		if pg == nil {
			it.done = true
			it.countScope(nil)
			return
		}
		pg.owned = it.bufs.owns(pg.buf)
		it.cur, it.off = pg, 0
		if len(pg.items) == 0 {
			continue
		}
		if !emit(pg.items) || it.off < len(pg.items) || it.full() {
			return
		}
	}
}

// full reports whether MaxItems items have been handed out: the loop ends
// without asking for another page (under a MaxItems budget, none comes).
func (it *Iterator[T]) full() bool {
	return it.max > 0 && it.handed >= it.max
}

// runContext is the context of one loop: the Iterator's, with its page
// buffers, counters and MaxItems budget (see run).
func (it *Iterator[T]) runContext() context.Context {
	c := &loopCtx[T]{Context: it.ctx, bufs: &it.bufs}
	c.r = run{stats: it.stats, walker: it.src}
	if it.max > 0 {
		c.r.budget = newBudget(it.max - it.handed)
	}
	if outer := runOf(it.ctx); outer != nil {
		c.r.scope, c.r.obs = outer.scope, outer.obs
	}
	return c
}

// loopCtx is the context of one loop: the Iterator's context with the
// loop's run and page buffers (for PageBuffer), in one allocation. Every
// other key, Done, Err and Deadline are the Iterator's context's.
type loopCtx[T any] struct {
	context.Context
	r    run
	bufs *buffers[T]
}

// Value returns the loop's run for runKey, its page buffers for
// buffersKey[T], and the parent's value otherwise.
func (c *loopCtx[T]) Value(key any) any {
	switch key.(type) {
	case runKey:
		return &c.r
	case buffersKey[T]:
		return c.bufs
	}
	return c.Context.Value(key)
}

// countScope counts the end of a listing that is not a fan-out (which counts
// its scopes itself) as one scope done or failed.
func (it *Iterator[T]) countScope(err error) {
	if it.stats == nil || it.kind == kindFanOut {
		return
	}
	switch {
	case err == nil:
		it.stats.scopesDone.Store(1)
	case !isContextErr(err):
		it.stats.scopesFailed.Store(1)
	}
}

// release gives the current page's buffer back for later pages (see
// PageBuffer) once All or Collect has handed out every item of it: from then
// on only its positions are needed, for the cursor.
func (it *Iterator[T]) release() {
	pg := it.cur
	if pg == nil || pg.shared || !pg.owned || it.off < len(pg.items) {
		return
	}
	it.bufs.put(pg.buf, len(pg.buf)-len(pg.items))
	pg.buf, pg.items, pg.owned = nil, nil, false
}

// Collect drains it into a slice: the items up to the first error, and that
// error (nil if the listing completed).
func Collect[T any](it *Iterator[T]) ([]T, error) {
	var (
		out    []T
		failed error
	)
	// Pages are copied out at once, so, as with All, their memory is
	// reused for later pages (see PageBuffer).
	it.walk(func(items []T) bool {
		return it.takePage(items, func(page []T) bool {
			out = append(out, page...)
			if it.cur.owned {
				clear(page)
			}
			return true
		})
	}, func(err error) { failed = err })
	return out, failed
}

// Stats returns a snapshot of the iterator's work so far. It is safe to call
// from any goroutine while a loop over the iterator runs.
//
// Items counts the items handed out; Pages the pages fetched from the
// cloud (a Map or Concat counts its sources' pages); Requests every attempt
// of a request made for the listing through the engine (page fetches, and
// the per-item calls a Map stage makes through Call or Request.Do with the
// context it is given), Retries those that were retries and Throttled the
// answers that said throttled; Pace the pace of the limiter that last paced
// a request of the listing. A fan-out counts its scopes; any other listing
// is one scope, done when it ends and failed when it ends in an error.
// Stats of an Iterator made by Err are all zero.
func (it *Iterator[T]) Stats() Stats {
	return it.stats.snapshot()
}
