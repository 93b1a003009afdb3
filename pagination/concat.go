package pagination

import (
	"context"
	"fmt"
	"sync"
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

type pageResult[T any] struct {
	pg  *page[T]
	err error
}

// concatWalk is one pass over the parts.
type concatWalk[T any] struct {
	p     *concatPager[T]
	ctx   context.Context
	wg    sync.WaitGroup
	cur   int    // the part being handed out
	from  int    // the part the walk started in
	first string // that part's cursor
	feeds map[int]chan pageResult[T]
	gates map[int]chan struct{} // closed when the part becomes current
	run   *run
}

func (p *concatPager[T]) open(ctx context.Context, from position) (func() (*page[T], error), func()) {
	ctx, cancel := context.WithCancel(ctx)
	w := &concatWalk[T]{p: p, ctx: ctx, cur: from.part, from: from.part, feeds: map[int]chan pageResult[T]{}, gates: map[int]chan struct{}{}, run: runOf(ctx)}
	if from.inner != nil {
		w.first = encodeCursor(*from.inner)
	}
	stop := func() {
		cancel()
		w.wg.Wait()
	}
	return w.next, stop
}

// start begins fetching part i in its own goroutine.
func (w *concatWalk[T]) start(i int) {
	cursor := ""
	if i == w.from {
		cursor = w.first
	}
	ch := make(chan pageResult[T], 1)
	w.feeds[i] = ch
	ctx := w.ctx
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
		ctx = withRun(ctx, r)
	}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		defer close(ch)
		part := w.p.parts[i](ctx, cursor)
		next, stop := part.pull(ctx)
		defer stop()
		for {
			pg, err := next()
			if pg != nil {
				pg = w.wrap(i, part, pg)
			}
			select {
			case ch <- pageResult[T]{pg, err}:
			case <-w.ctx.Done():
				return
			}
			if err != nil || pg == nil {
				return
			}
		}
	}()
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
		for i := w.cur; i < min(w.cur+w.p.conc, len(w.p.parts)); i++ {
			if _, ok := w.feeds[i]; !ok {
				w.start(i)
			}
		}
		r, ok := <-w.feeds[w.cur]
		switch {
		case !ok:
			return nil, w.ctx.Err()
		case r.err != nil:
			return nil, r.err
		case r.pg != nil:
			return r.pg, nil
		}
		delete(w.feeds, w.cur)
		delete(w.gates, w.cur)
		w.cur++
		if g, ok := w.gates[w.cur]; ok {
			close(g)
		}
	}
	return nil, nil
}

// pull returns the pages after the last item handed out, for a stage built
// on this iterator.
func (it *Iterator[T]) pull(ctx context.Context) (func() (*page[T], error), func()) {
	if it.err != nil {
		err := it.err
		return func() (*page[T], error) { return nil, err }, nop
	}
	from := it.position()
	if it.done || it.src == nil || from.done {
		return func() (*page[T], error) { return nil, nil }, nop
	}
	next, stop := it.src.open(ctx, from)
	if it.wrapErr == nil {
		return next, stop
	}
	return func() (*page[T], error) {
		pg, err := next()
		return pg, it.wrap(err)
	}, stop
}
