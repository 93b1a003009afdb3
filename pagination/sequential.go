package pagination

import (
	"context"
	"fmt"
	"hash/maphash"
	"sync"
	"sync/atomic"
)

// MarkerFunc fetches one page of a marker-paginated listing (AWS style):
// marker is "" for the first page and limit is Options.PageSize (0 = the
// source's default); next and truncated come from the response. The listing
// ends when truncated is false or next is "".
type MarkerFunc[T any] func(ctx context.Context, marker string, limit int) (items []T, next string, truncated bool, err error)

// PageTokenFunc fetches one page of a token-paginated listing (Yandex, Google
// style): token is "" for the first page and size is Options.PageSize (0 = the
// source's default); next is "" on the last page. An empty page that carries
// a next token is not the end.
type PageTokenFunc[T any] func(ctx context.Context, token string, size int) (items []T, next string, err error)

// ByMarker lists a marker-paginated source. Pages are fetched one after
// another, Options.Prefetch of them ahead of the caller. A server that
// returns a marker it already returned ends the listing with ErrRepeatedToken.
func ByMarker[T any](ctx context.Context, fetch MarkerFunc[T], opts Options) *Iterator[T] {
	x := &seqSource[T]{p: seqPager[T]{opts: opts, marker: fetch}}
	initIterator(ctx, &x.it, kindMarker, &x.p, opts)
	return &x.it
}

// ByPageToken lists a token-paginated source. Pages are fetched one after
// another, Options.Prefetch of them ahead of the caller. Empty pages with a
// next token are followed; a server that returns a token it already returned
// ends the listing with ErrRepeatedToken.
func ByPageToken[T any](ctx context.Context, fetch PageTokenFunc[T], opts Options) *Iterator[T] {
	x := &seqSource[T]{p: seqPager[T]{opts: opts, token: fetch}}
	initIterator(ctx, &x.it, kindPageToken, &x.p, opts)
	return &x.it
}

// seqSource is the Iterator of a sequential source and its pager, made in
// one allocation (a fleet makes an Iterator for every scope).
type seqSource[T any] struct {
	it Iterator[T]
	p  seqPager[T]
}

// seqPager pages through a source that hands out one token per page: a
// marker source (marker set) or a page-token one (token set).
type seqPager[T any] struct {
	opts   Options
	marker MarkerFunc[T]
	token  PageTokenFunc[T]
	// walk serves the passes one after another (an Iterator's loops never
	// overlap: each stops its pass before the next opens one); busy while
	// one uses it, when another pass would get a walk of its own.
	walk seqWalk[T]
	busy bool
}

// fetch fetches one page: its items, the next token and whether it is the
// last page.
func (s *seqPager[T]) fetch(ctx context.Context, tok string, size int) (items []T, next string, last bool, err error) {
	if s.marker != nil {
		items, next, truncated, err := s.marker(ctx, tok, size)
		return items, next, !truncated || next == "", err
	}
	items, next, err = s.token(ctx, tok, size)
	return items, next, next == "", err
}

// seqPage is the result of one fetch.
type seqPage[T any] struct {
	items []T
	next  string
	last  bool
}

func (s *seqPager[T]) open(ctx context.Context, from position) pass[T] {
	w := &s.walk
	if s.busy {
		w = new(seqWalk[T])
	} else {
		s.busy = true
	}
	*w = seqWalk[T]{pager: s, ctx: ctx, own: w == &s.walk, token: from.token, skip: from.index, size: s.opts.PageSize, seed: maphash.MakeSeed()}
	if from.index > 0 {
		w.size = from.asked // the page the cursor was made in, asked for again
	}
	if from.token != "" {
		w.seen.add(maphash.String(w.seed, from.token))
	}
	if b := budgetOf(ctx); b != nil {
		w.limit = b.limit()
	}
	// A scope of a fan-out is fetched by its own goroutine, which fetches
	// the next page while the caller works on the last one: a prefetch
	// goroutine on top would only hold one more page per scope in flight.
	if r := runOf(ctx); s.opts.Prefetch < 0 || (r != nil && r.scope != "" && s.opts.Prefetch <= 1) {
		return w
	}
	w.ahead = prefetch(ctx, max(s.opts.Prefetch, 1), w.satisfied, w.nextPage)
	return w
}

// next is the next page: fetched now, or by the prefetch goroutine.
func (w *seqWalk[T]) next() (*page[T], error) {
	if w.ahead != nil {
		return w.ahead.next()
	}
	return w.nextPage(w.ctx)
}

// stop stops the prefetch goroutine, if any, and frees the pager's walk,
// which then refers to nothing of this pass (the pages fetched ahead and
// dropped go with the goroutine's channel).
func (w *seqWalk[T]) stop() {
	if w.ahead != nil {
		w.ahead.stop()
	}
	if w.own {
		*w = seqWalk[T]{pager: w.pager}
		w.pager.busy = false
	}
}

// seqWalk is one pass over a sequential source.
type seqWalk[T any] struct {
	pager    *seqPager[T]
	ctx      context.Context
	own      bool    // the pager's own walk (see seqPager.walk)
	ahead    pass[T] // the prefetch goroutine's pages, if any
	token    string  // token of the next page
	skip     int     // items to skip in the first page (resuming inside it)
	size     int     // the page size to ask for next
	finished bool
	pages    int
	fetched  atomic.Int64 // items fetched in this pass
	limit    int          // the loop's MaxItems budget; 0 = none
	seed     maphash.Seed
	seen     tokenSet // hashes of the tokens received: the loop guard
}

// tokenSet is a set of token hashes: the first few inline (a scope of a
// fleet often has only a few pages), the others in a map.
type tokenSet struct {
	n    int
	few  [8]uint64
	more map[uint64]struct{}
}

// add adds h and reports whether it was there already.
func (s *tokenSet) add(h uint64) (dup bool) {
	for _, v := range s.few[:s.n] {
		if v == h {
			return true
		}
	}
	if _, ok := s.more[h]; ok {
		return true
	}
	if s.n < len(s.few) {
		s.few[s.n] = h
		s.n++
		return false
	}
	if s.more == nil {
		s.more = map[uint64]struct{}{}
	}
	s.more[h] = struct{}{}
	return false
}

// satisfied reports whether the pass has fetched as many items as the loop
// may hand out: no page is fetched ahead then, only on demand.
func (w *seqWalk[T]) satisfied() bool {
	return w.limit > 0 && w.fetched.Load() >= int64(w.limit)
}

func (w *seqWalk[T]) nextPage(ctx context.Context) (*page[T], error) {
	if w.finished {
		return nil, nil
	}
	tok, opts, asked := w.token, w.pager.opts, w.size
	res, err := callObserved(ctx, opts.request(), func(ctx context.Context) (seqPage[T], error) {
		items, next, last, err := w.pager.fetch(ctx, tok, asked)
		return seqPage[T]{items, next, last}, err
	})
	if err != nil {
		return nil, err
	}
	countPage(ctx)
	w.pages++
	if !res.last {
		if dup := w.seen.add(maphash.String(w.seed, res.next)); dup || res.next == tok {
			return nil, fmt.Errorf("%w: after %d pages the server handed out a next token it had given before", ErrRepeatedToken, w.pages)
		}
	}
	// The cursor's in-page index applies to the page it was made in, the
	// first one fetched (asked for with that page's size); a page shorter
	// than it (the listing changed) is skipped whole, and later pages, of
	// Options.PageSize, are never skipped into.
	skip := min(w.skip, len(res.items))
	w.skip, w.size = 0, opts.PageSize
	w.token, w.finished = res.next, res.last
	items := res.items[skip:]
	w.fetched.Add(int64(len(items)))
	end := position{token: res.next}
	if res.last {
		end = position{done: true}
	}
	p := &seqPos[T]{pg: page[T]{items: items, buf: res.items}, n: len(items), end: end, tok: tok, skip: skip, size: len(res.items), asked: asked}
	p.pg.pos = p
	return &p.pg, nil
}

// seqPos is a page of a sequential source with its positions, in one
// allocation: after item j, the page's token and the index j+1 (past the
// skipped items) in a page of size items asked for with asked; after its
// last item, end.
type seqPos[T any] struct {
	pg                page[T]
	n                 int // items of the page (pg.items goes once handed out)
	end               position
	tok               string
	skip, size, asked int
}

func (p *seqPos[T]) at(j int) position {
	if j >= p.n-1 {
		return p.end
	}
	return position{token: p.tok, index: p.skip + j + 1, size: p.size, asked: p.asked}
}

// prefetch runs fetch in a goroutine, up to ahead pages ahead of the caller;
// while lazy reports true it fetches a page only when the caller asks for
// one. The pass's next returns the pages in order; its stop cancels the
// goroutine and waits for it.
func prefetch[T any](ctx context.Context, ahead int, lazy func() bool, fetch func(context.Context) (*page[T], error)) pass[T] {
	p := &prefetchPass[T]{ch: make(chan prefetched[T], ahead-1), demand: make(chan struct{}, 1)}
	p.ctx, p.cancel = context.WithCancel(ctx)
	p.wg.Add(1)
	go p.run(lazy, fetch)
	return p
}

// prefetchPass is the pages of a prefetch goroutine (see prefetch).
type prefetchPass[T any] struct {
	ctx    context.Context
	cancel context.CancelFunc
	ch     chan prefetched[T]
	demand chan struct{}
	asked  atomic.Int64 // pages the caller asked for
	wg     sync.WaitGroup
}

type prefetched[T any] struct {
	pg  *page[T]
	err error
}

func (p *prefetchPass[T]) run(lazy func() bool, fetch func(context.Context) (*page[T], error)) {
	defer p.wg.Done()
	defer close(p.ch)
	for produced := int64(0); ; produced++ {
		for lazy() && p.asked.Load() <= produced {
			select {
			case <-p.demand:
			case <-p.ctx.Done():
				return
			}
		}
		pg, err := fetch(p.ctx)
		select {
		case p.ch <- prefetched[T]{pg, err}:
		case <-p.ctx.Done():
			return
		}
		if err != nil || pg == nil {
			return
		}
	}
}

func (p *prefetchPass[T]) next() (*page[T], error) {
	p.asked.Add(1)
	select {
	case p.demand <- struct{}{}:
	default:
	}
	r, ok := <-p.ch
	if !ok {
		if err := p.ctx.Err(); err != nil {
			return nil, err
		}
		return nil, nil
	}
	return r.pg, r.err
}

func (p *prefetchPass[T]) stop() {
	p.cancel()
	p.wg.Wait()
}
