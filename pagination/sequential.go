package pagination

import (
	"context"
	"fmt"
	"hash/maphash"
	"sync"
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
	return newIterator(ctx, kindMarker, &seqPager[T]{opts: opts, fetch: func(ctx context.Context, tok string, size int) ([]T, string, bool, error) {
		items, next, truncated, err := fetch(ctx, tok, size)
		return items, next, !truncated || next == "", err
	}}, opts)
}

// ByPageToken lists a token-paginated source. Pages are fetched one after
// another, Options.Prefetch of them ahead of the caller. Empty pages with a
// next token are followed; a server that returns a token it already returned
// ends the listing with ErrRepeatedToken.
func ByPageToken[T any](ctx context.Context, fetch PageTokenFunc[T], opts Options) *Iterator[T] {
	return newIterator(ctx, kindPageToken, &seqPager[T]{opts: opts, fetch: func(ctx context.Context, tok string, size int) ([]T, string, bool, error) {
		items, next, err := fetch(ctx, tok, size)
		return items, next, next == "", err
	}}, opts)
}

// seqFetch is a marker or token fetch: the page's items, the next token and
// whether this was the last page.
type seqFetch[T any] func(ctx context.Context, token string, size int) (items []T, next string, last bool, err error)

// seqPager pages through a source that hands out one token per page.
type seqPager[T any] struct {
	opts  Options
	fetch seqFetch[T]
}

// seqPage is the result of one fetch.
type seqPage[T any] struct {
	items []T
	next  string
	last  bool
}

func (s *seqPager[T]) open(ctx context.Context, from position) (func() (*page[T], error), func()) {
	w := &seqWalk[T]{pager: s, token: from.token, skip: from.index, seed: maphash.MakeSeed(), seen: map[uint64]struct{}{}}
	if from.token != "" {
		w.seen[maphash.String(w.seed, from.token)] = struct{}{}
	}
	if s.opts.Prefetch < 0 {
		return func() (*page[T], error) { return w.nextPage(ctx) }, func() {}
	}
	return prefetch(ctx, max(s.opts.Prefetch, 1), w.nextPage)
}

// seqWalk is one pass over a sequential source.
type seqWalk[T any] struct {
	pager    *seqPager[T]
	token    string // token of the next page
	skip     int    // items still to skip (resuming inside a page)
	finished bool
	pages    int
	seed     maphash.Seed
	seen     map[uint64]struct{} // hashes of the tokens received: the loop guard
}

func (w *seqWalk[T]) nextPage(ctx context.Context) (*page[T], error) {
	if w.finished {
		return nil, nil
	}
	tok, opts := w.token, w.pager.opts
	res, err := callValue(ctx, opts.Retry, opts.Limiter, func(ctx context.Context) (seqPage[T], error) {
		items, next, last, err := w.pager.fetch(ctx, tok, opts.PageSize)
		return seqPage[T]{items, next, last}, err
	})
	if err != nil {
		return nil, err
	}
	w.pages++
	if !res.last {
		h := maphash.String(w.seed, res.next)
		if _, dup := w.seen[h]; dup || res.next == tok {
			return nil, fmt.Errorf("%w: after %d pages the server handed out a next token it had given before", ErrRepeatedToken, w.pages)
		}
		w.seen[h] = struct{}{}
	}
	skip := min(w.skip, len(res.items))
	w.skip -= skip
	w.token, w.finished = res.next, res.last
	items := res.items[skip:]
	end := position{token: res.next, index: w.skip}
	if res.last {
		end = position{done: true}
	}
	return &page[T]{items: items, buf: res.items, at: func(j int) position {
		if j >= len(items)-1 {
			return end
		}
		return position{token: tok, index: skip + j + 1}
	}}, nil
}

// prefetch runs fetch in a goroutine, up to ahead pages ahead of the caller.
// The pull function returns the pages in order; stop cancels the goroutine
// and waits for it.
func prefetch[T any](ctx context.Context, ahead int, fetch func(context.Context) (*page[T], error)) (func() (*page[T], error), func()) {
	type result struct {
		pg  *page[T]
		err error
	}
	ctx, cancel := context.WithCancel(ctx)
	ch := make(chan result, ahead-1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(ch)
		for {
			pg, err := fetch(ctx)
			select {
			case ch <- result{pg, err}:
			case <-ctx.Done():
				return
			}
			if err != nil || pg == nil {
				return
			}
		}
	}()
	next := func() (*page[T], error) {
		r, ok := <-ch
		if !ok {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			return nil, nil
		}
		return r.pg, r.err
	}
	stop := func() {
		cancel()
		wg.Wait()
	}
	return next, stop
}
