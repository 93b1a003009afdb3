package pagination

import (
	"context"
	"fmt"
	"sync/atomic"
)

// Concat lists the parts one after another as one Iterator. Each part is
// built from its own cursor ("" = from its start) and the context of the
// loop. Up to Options.Concurrency parts (0 means 4) are fetched ahead at
// once, each at most a page or two ahead of the caller; items come out in
// part order. The cursor records the part and that part's own cursor, so it
// resumes every part exactly. Options.PageSize, Prefetch, Retry and Limiter
// belong to the parts and are ignored here.
func Concat[T any](ctx context.Context, opts Options, parts ...func(ctx context.Context, cursor string) *Iterator[T]) *Iterator[T] {
	conc := opts.Concurrency
	if conc == 0 {
		conc = 4
	}
	it := newIterator(ctx, kindConcat, &concatPager[T]{parts: parts, conc: conc}, opts)
	if it.err == nil && it.start.part > len(parts) {
		it.err, it.errFrom = fmt.Errorf("%w: part %d of %d", ErrInvalidCursor, it.start.part, len(parts)), opts.Cursor
	}
	if it.err == nil && it.start.part == len(parts) {
		it.done = true
	}
	if it.err == nil && it.start.inner != nil && it.start.part < len(parts) {
		// Make the part the cursor resumes now (making fetches nothing), so
		// that a bad inner cursor fails the listing before any part starts.
		if err := parts[it.start.part](ctx, encodeCursor(*it.start.inner)).err; err != nil {
			it.err, it.errFrom = err, opts.Cursor
		}
	}
	return it
}

type concatPager[T any] struct {
	parts []func(ctx context.Context, cursor string) *Iterator[T]
	conc  int
}

// partFeed is a started part: its pages, wrapped as the whole listing's,
// and the stop of its goroutine and its own walk.
type partFeed[T any] struct {
	pages, part pass[T] // its prefetched pages, and its own walk
}

func (f partFeed[T]) stop() { f.pages.stop(); f.part.stop() }

// concatWalk is one pass over the parts.
type concatWalk[T any] struct {
	p      *concatPager[T]
	ctx    context.Context
	cancel context.CancelFunc
	cur    int    // the part being handed out
	from   int    // the part the walk started in
	first  string // that part's cursor
	feeds  map[int]partFeed[T]
	gates  map[int]chan struct{} // closed when the part becomes current
	run    *run
	// Under a MaxItems budget: the items of the pages handed out so far,
	// and whether the current part has handed out a page. Parts ahead start
	// only once it has, and while those items are fewer than the budget's
	// limit (see startParts).
	handed  int
	curPage bool
}

func (p *concatPager[T]) open(ctx context.Context, from position) pass[T] {
	ctx, cancel := context.WithCancel(ctx)
	w := &concatWalk[T]{p: p, ctx: ctx, cancel: cancel, cur: from.part, from: from.part, feeds: map[int]partFeed[T]{}, gates: map[int]chan struct{}{}, run: runOf(ctx)}
	if from.inner != nil {
		w.first = encodeCursor(*from.inner)
	}
	return w
}

func (w *concatWalk[T]) stop() {
	w.cancel()
	for _, f := range w.feeds {
		f.stop()
	}
}

// start begins fetching part i in its own goroutine, up to two pages ahead
// of the caller; under a MaxItems budget, once the part has fetched as many
// items as the limit, only the pages the caller asks for.
func (w *concatWalk[T]) start(i int) {
	cursor := ""
	if i == w.from {
		cursor = w.first
	}
	ctx, limit := w.ctx, 0
	if w.run != nil && w.run.budget != nil {
		// Parts ahead of the current one take no unit of the MaxItems
		// budget before they become current: the units they held could
		// be needed by the parts whose items come out first.
		gate := make(chan struct{})
		if i == w.cur {
			close(gate)
		}
		w.gates[i] = gate
		r := *w.run
		r.budget = r.budget.gated(gate)
		ctx, limit = withRun(ctx, r), r.budget.limit()
	}
	part := w.p.parts[i](ctx, cursor)
	pull := part.pull(ctx)
	var fetched atomic.Int64
	lazy := func() bool { return limit > 0 && fetched.Load() >= int64(limit) }
	pages := prefetch(ctx, 2, lazy, func(context.Context) (*page[T], error) {
		pg, err := pull.next()
		if pg == nil {
			return nil, err
		}
		fetched.Add(int64(len(pg.items)))
		return w.wrap(i, part, pg), err
	})
	w.feeds[i] = partFeed[T]{pages: pages, part: pull}
}

// wrap turns a page of part i into a page of the whole listing.
func (w *concatWalk[T]) wrap(i int, part *Iterator[T], pg *page[T]) *page[T] {
	n := len(w.p.parts)
	return &page[T]{items: pg.items, buf: pg.buf, claimed: pg.claimed, taken: pg.taken, pos: atFunc(func(j int) position {
		in := pg.at(j)
		switch {
		case !in.done:
			return position{part: i, inner: &cursorState{kind: part.kind, scope: part.scope, pos: in}}
		case i+1 < n:
			return position{part: i + 1}
		default:
			return position{done: true}
		}
	})}
}

func (w *concatWalk[T]) next() (*page[T], error) {
	for w.cur < len(w.p.parts) {
		w.startParts()
		feed := w.feeds[w.cur]
		pg, err := feed.pages.next()
		switch {
		case err != nil:
			return nil, err
		case pg != nil:
			w.handed += len(pg.items)
			w.curPage = true
			return pg, nil
		case w.ctx.Err() != nil:
			return nil, w.ctx.Err()
		}
		feed.stop()
		delete(w.feeds, w.cur)
		delete(w.gates, w.cur)
		w.cur++
		w.curPage = false
		if g, ok := w.gates[w.cur]; ok {
			close(g)
		}
	}
	return nil, nil
}

// startParts starts the current part and up to conc-1 parts ahead of it.
// Under a MaxItems budget, the parts ahead wait until the current part has
// handed out a page and the pages handed out hold fewer items than the
// limit: a listing that its first pages fill asks no other part for
// anything.
func (w *concatWalk[T]) startParts() {
	ahead := min(w.cur+w.p.conc, len(w.p.parts))
	if b := budgetOf(w.ctx); b != nil && (!w.curPage || w.handed >= b.limit()) {
		ahead = w.cur + 1
	}
	for i := w.cur; i < ahead; i++ {
		if _, ok := w.feeds[i]; !ok {
			w.start(i)
		}
	}
}

// pull returns the pages after the last item handed out, for a stage built
// on this iterator.
func (it *Iterator[T]) pull(ctx context.Context) pass[T] {
	if it.err != nil {
		return errPass[T]{it.err}
	}
	from := it.position()
	if it.done || it.src == nil || from.done {
		return endPass[T]{}
	}
	p := it.src.open(ctx, from)
	if it.wrapErr == nil {
		return p
	}
	return &wrapPass[T]{p, it}
}

// wrapPass is a pass whose errors go through its Iterator's WrapErr.
type wrapPass[T any] struct {
	pass[T]
	it *Iterator[T]
}

func (p *wrapPass[T]) next() (*page[T], error) {
	pg, err := p.pass.next()
	return pg, p.it.wrap(err)
}
