package pagination

import (
	"context"
	"sync"
	"sync/atomic"
)

// PageNumberFunc fetches page number page (from 1) of size items of a
// page-number listing (Alibaba style) and returns the total the server
// reports (0 if it reports none).
type PageNumberFunc[T any] func(ctx context.Context, page, size int) (items []T, total int, err error)

// defaultPageNumberSize is the page size of a page-number listing whose
// Options.PageSize is 0: the engine must know it to map cursors to pages.
const defaultPageNumberSize = 10

// ByPageNumber lists a page-number source. Options.PageSize of 0 means 10.
//
// The listing ends on an empty page, or when page*size reaches the total
// reported by the latest page (so a total that grows mid-listing is followed
// and one that shrinks does not leave the listing looping), or, when the
// server reports no total, on a short page. Once the first page's total is
// known, up to Options.Concurrency pages are fetched at once; items are
// handed out in order. A server that returns more items than asked is taken
// to use that larger page size, and one whose first page is short while its
// total says more follow is taken to cap the page size. The cursor records
// the absolute index of the next item and the page size; a listing resumed
// from it keeps that page size, whatever its Options.PageSize.
func ByPageNumber[T any](ctx context.Context, fetch PageNumberFunc[T], opts Options) *Iterator[T] {
	size := opts.PageSize
	if size == 0 {
		size = defaultPageNumberSize
	}
	conc := opts.Concurrency
	if conc == 0 {
		conc = 4
	}
	return newIterator(ctx, kindPageNumber, &numberPager[T]{fetch: fetch, opts: opts, size: size, conc: conc}, opts)
}

type numberPager[T any] struct {
	fetch PageNumberFunc[T]
	opts  Options
	size  int
	conc  int
}

// pending is a page being fetched.
type pending[T any] struct {
	num     int
	done    chan struct{}
	dropped atomic.Bool // no longer wanted: a worker skips it
	items   []T
	total   int
	err     error
}

// numberWalk is one pass over a page-number source.
type numberWalk[T any] struct {
	p        *numberPager[T]
	ctx      context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	ask      int // the page size asked for
	size     int // the page size pages are numbered by
	idx      int // absolute index of the next item to hand out
	total    int // latest total; -1 before the first page
	queue    []*pending[T]
	last     int // number of the last page scheduled
	finished bool
	jobs     chan *pending[T] // pages for the workers to fetch
	workers  int
	first    int // w.last when the walk began
	limit    int // the loop's MaxItems budget; 0 = none
}

func (p *numberPager[T]) open(ctx context.Context, from position) pass[T] {
	ctx, cancel := context.WithCancel(ctx)
	w := &numberWalk[T]{p: p, ctx: ctx, cancel: cancel, ask: p.size, size: p.size, idx: from.index, total: -1, jobs: make(chan *pending[T], p.conc)}
	if from.asked > 0 {
		w.ask, w.size = from.asked, max(from.size, 1)
	}
	w.last = w.idx / w.size // the page before the first one to fetch
	w.first = w.last
	if b := budgetOf(ctx); b != nil {
		w.limit = b.limit()
	}
	return w
}

func (w *numberWalk[T]) stop() {
	w.cancel()
	w.wg.Wait()
}

// schedule queues the page after the last one scheduled for the workers,
// starting one more while fewer work than pages are in flight (at most
// conc). The workers live as long as the walk, so their stacks grow once
// for the fetch function's calls, not once for every page.
func (w *numberWalk[T]) schedule() {
	w.last++
	pd := &pending[T]{num: w.last, done: make(chan struct{})}
	w.queue = append(w.queue, pd)
	if w.workers < len(w.queue) && w.workers < w.p.conc {
		w.workers++
		w.wg.Add(1)
		go w.work()
	}
	select {
	case w.jobs <- pd:
	case <-w.ctx.Done():
	}
}

// work fetches the pages scheduled until the walk stops.
func (w *numberWalk[T]) work() {
	defer w.wg.Done()
	opts := w.p.opts
	type res struct {
		items []T
		total int
	}
	for {
		var pd *pending[T]
		select {
		case pd = <-w.jobs:
		case <-w.ctx.Done():
			return
		}
		if !pd.dropped.Load() {
			r, err := callObserved(w.ctx, opts.request(), func(ctx context.Context) (res, error) {
				items, total, err := w.p.fetch(ctx, pd.num, w.ask)
				return res{items, total}, err
			})
			pd.items, pd.total, pd.err = r.items, r.total, err
			if err == nil {
				countPage(w.ctx)
			}
		}
		close(pd.done)
	}
}

// drop abandons the pages queued: workers skip those not yet started.
func (w *numberWalk[T]) drop() {
	for _, pd := range w.queue {
		pd.dropped.Store(true)
	}
	w.queue = nil
}

// fill keeps up to conc pages in flight once the total is known, and one
// (the next) before.
func (w *numberWalk[T]) fill() {
	if len(w.queue) == 0 {
		w.schedule()
	}
	for w.total > 0 && len(w.queue) < w.p.conc && w.last*w.size < w.total && !w.satisfied() {
		w.schedule()
	}
}

// satisfied reports whether the pages scheduled in this walk hold as many
// items as the loop may hand out: later pages are fetched one at a time, as
// needed.
func (w *numberWalk[T]) satisfied() bool {
	return w.limit > 0 && (w.last-w.first)*w.size >= w.limit
}

func (w *numberWalk[T]) next() (*page[T], error) {
	for !w.finished {
		w.fill()
		pd := w.queue[0]
		select {
		case <-pd.done:
		case <-w.ctx.Done():
			return nil, w.ctx.Err()
		}
		w.queue = w.queue[1:]
		if pd.err != nil {
			return nil, pd.err
		}
		w.total = pd.total
		if w.learnSize(pd) {
			// The pages were numbered by the wrong size and this one does
			// not hold the next item: number them again from it.
			w.drop()
			w.last = w.idx / w.size
			continue
		}
		return w.page(pd), nil
	}
	return nil, nil
}

// learnSize adopts the server's page size when a page shows it differs from
// the one asked for: larger than asked, or short while the total says more
// follow on the first page. It reports whether the next item lies outside this page then.
func (w *numberWalk[T]) learnSize(pd *pending[T]) bool {
	n := len(pd.items)
	larger := n > w.size
	capped := pd.num == 1 && n > 0 && n < w.size && pd.total > n
	if !larger && !capped {
		return false
	}
	w.size = n
	start := (pd.num - 1) * n
	return w.idx < start || w.idx > start+n
}

// page hands out the part of a fetched page from the next item on.
func (w *numberWalk[T]) page(pd *pending[T]) *page[T] {
	start := (pd.num - 1) * w.size
	skip := min(max(w.idx-start, 0), len(pd.items))
	items := pd.items[skip:]
	w.finished = len(pd.items) == 0 ||
		(pd.total > 0 && pd.num*w.size >= pd.total) ||
		(pd.total <= 0 && len(pd.items) < w.size)
	first := start + skip
	w.idx = first + len(items)
	size, asked := w.learned()
	end := position{index: w.idx, size: size, asked: asked}
	if w.finished {
		end = position{done: true}
		w.drop() // pages scheduled past the end; stop cancels those started
	} else if !w.satisfied() {
		w.fill() // the next page ahead; once satisfied, only on demand
	}
	p := &numberPos[T]{pg: page[T]{items: items, buf: pd.items}, n: len(items), end: end, first: first, size: size, asked: asked}
	p.pg.pos = p
	return &p.pg
}

// numberPos is a page of a page-number source with its positions, in one
// allocation: after item j, the absolute index first+j+1 with the page
// size learned; after its last item, end.
type numberPos[T any] struct {
	pg                 page[T]
	n                  int // items of the page (pg.items goes once handed out)
	end                position
	first, size, asked int
}

func (p *numberPos[T]) at(j int) position {
	if j >= p.n-1 {
		return p.end
	}
	return position{index: p.first + j + 1, size: p.size, asked: p.asked}
}

// learned is what a cursor records of the page size: the one the server
// numbers its pages by, and the one asked for. A listing resumed from the
// cursor asks for the same, whatever its Options.PageSize, so that the page
// numbers keep their meaning.
func (w *numberWalk[T]) learned() (size, asked int) {
	return w.size, w.ask
}
