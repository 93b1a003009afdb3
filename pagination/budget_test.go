package pagination_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/multikms/multikms/pagination"
)

// bigSource serves pages of exactly the size asked (1000 when 0) of n
// items (0: endless), counting its requests.
type bigSource struct {
	reqs atomic.Int64
	n    int
}

func (s *bigSource) marker(_ context.Context, marker string, limit int) ([]int, string, bool, error) {
	s.reqs.Add(1)
	if limit == 0 {
		limit = 1000
	}
	off := 0
	fmt.Sscan(marker, &off)
	if s.n > 0 {
		limit = min(limit, s.n-off)
	}
	items := make([]int, limit)
	for i := range items {
		items[i] = off + i
	}
	return items, fmt.Sprint(off + limit), s.n == 0 || off+limit < s.n, nil
}

// describing is a Map stage that counts its per-item calls (a describe).
func describing(src *pagination.Iterator[int], conc int, calls *atomic.Int64, keep func(int) bool) *pagination.Iterator[int] {
	return pagination.Map(src, conc, func(_ context.Context, v int) (int, bool) {
		calls.Add(1)
		return v, keep(v)
	})
}

func all(int) bool { return true }

// TestMaxItemsBoundsMapWork: MaxItems 3 over pages of 1,000 starts 3
// describes and fetches one page, where it used to describe the whole page
// (1,000) and fetch the next ahead; through two Map stages too.
func TestMaxItemsBoundsMapWork(t *testing.T) {
	for _, stages := range []int{1, 2} {
		src := &bigSource{}
		var calls atomic.Int64
		it := describing(pagination.ByMarker(context.Background(), src.marker, pagination.Options{PageSize: 1000, MaxItems: 3}), 8, &calls, all)
		if stages == 2 {
			it = describing(it, 8, &calls, all) // the second stage adds no unit of its own
		}
		got, _, err := drain(it, -1, false)
		if err != nil || len(got) != 3 {
			t.Fatalf("%d stages: got %v, %v", stages, got, err)
		}
		if n := calls.Load(); n != int64(3*stages) {
			t.Errorf("%d stages: %d per-item calls, want %d", stages, n, 3*stages)
		}
		if n := src.reqs.Load(); n != 1 {
			t.Errorf("%d stages: %d page requests, want 1", stages, n)
		}
	}
}

// TestMaxItemsWithDroppedItems: items fn drops give their unit back, so
// the listing still reaches MaxItems, and no more items start than those
// handed out plus those dropped.
func TestMaxItemsWithDroppedItems(t *testing.T) {
	src := &bigSource{}
	var calls atomic.Int64
	even := func(v int) bool { return v%2 == 0 }
	it := describing(pagination.ByMarker(context.Background(), src.marker, pagination.Options{PageSize: 10, MaxItems: 5}), 4, &calls, even)
	got, _, err := drain(it, -1, false)
	if err != nil || fmt.Sprint(got) != "[0 2 4 6 8]" {
		t.Fatalf("got %v, %v", got, err)
	}
	// 0..8 are needed; 9 may start while 8 is described (a dropped unit
	// comes back), never beyond.
	if n := calls.Load(); n < 9 || n > 10 {
		t.Errorf("%d calls, want 9 or 10", n)
	}
}

// TestMaxItemsBoundsFanOutWork: over 4 scopes with Map stages, MaxItems 5
// starts 5 per-item calls in all, not 5 per scope.
func TestMaxItemsBoundsFanOutWork(t *testing.T) {
	var calls atomic.Int64
	srcs := make([]*bigSource, 4)
	scopes := make([]pagination.Scope[int], 4)
	for i := range scopes {
		srcs[i] = &bigSource{}
		scopes[i] = pagination.Scope[int]{Name: fmt.Sprint(i), List: func(ctx context.Context, c string) *pagination.Iterator[int] {
			return describing(pagination.ByMarker(ctx, srcs[i].marker, pagination.Options{PageSize: 100, Cursor: c}), 8, &calls, all)
		}}
	}
	got, _, err := drain(pagination.FanOut(context.Background(), pagination.FanOutOptions{MaxItems: 5}, scopes...), -1, false)
	if err != nil || len(got) != 5 {
		t.Fatalf("got %v, %v", got, err)
	}
	if n := calls.Load(); n != 5 {
		t.Errorf("%d per-item calls over 4 scopes, want 5", n)
	}
	for i, s := range srcs {
		if n := s.reqs.Load(); n > 1 {
			t.Errorf("scope %d: %d page requests, want at most 1", i, n)
		}
	}
}

// TestBreakBoundsMapWork: a caller who breaks out after 2 items leaves at
// most twice the concurrency started beyond them (in flight, and finished
// waiting), and nothing starts after.
func TestBreakBoundsMapWork(t *testing.T) {
	src := &bigSource{}
	var calls atomic.Int64
	it := describing(pagination.ByMarker(context.Background(), src.marker, pagination.Options{PageSize: 1000}), 4, &calls, all)
	if got, _, err := drain(it, 2, false); err != nil || len(got) != 2 {
		t.Fatalf("got %v, %v", got, err)
	}
	after := calls.Load()
	if after > 2+2*4 {
		t.Errorf("%d calls after a break at 2 with concurrency 4, want at most %d", after, 2+2*4)
	}
	if n := calls.Load(); n != after {
		t.Errorf("calls went on after the loop ended: %d then %d", after, n)
	}
}

// TestMaxItemsConcatOfMaps: parts ahead of the current one wait for their
// turn before taking units, so a Concat of Map stages under MaxItems never
// deadlocks and hands out exactly MaxItems in order.
func TestMaxItemsConcatOfMaps(t *testing.T) {
	var calls atomic.Int64
	parts := make([]func(context.Context, string) *pagination.Iterator[int], 3)
	for i := range parts {
		src := &bigSource{n: 6}
		parts[i] = func(ctx context.Context, c string) *pagination.Iterator[int] {
			return describing(pagination.ByMarker(ctx, src.marker, pagination.Options{PageSize: 2, Cursor: c}), 4, &calls, func(v int) bool { return v < 3 })
		}
	}
	got, _, err := drain(pagination.Concat(context.Background(), pagination.Options{MaxItems: 7}, parts...), -1, false)
	if err != nil || fmt.Sprint(got) != "[0 1 2 0 1 2 0]" {
		t.Fatalf("got %v, %v", got, err)
	}
}

// number serves pages of the endless source by page number, with a total
// of n (a page-number listing learns its end from the total).
func (s *bigSource) number(ctx context.Context, page, size int) ([]int, int, error) {
	items, _, _, err := s.marker(ctx, fmt.Sprint((page-1)*size), size)
	return items, s.n, err
}

// TestMaxItemsFetchesNoPageBeyond: under a Map stage (the adapters'
// describe or join stage), a listing whose first pages hold MaxItems items
// asks for no page after them, on either kind of source: the stage waits
// for a unit of the budget before it asks its source for a page (one comes
// back only when an item is dropped), and a page-number walk fetches no
// page ahead once its pages hold MaxItems items. The request a stage
// used to start for the page after was cancelled when the loop ended, but
// could still reach the server after the listing had returned.
func TestMaxItemsFetchesNoPageBeyond(t *testing.T) {
	for _, c := range []struct{ size, max int }{{1, 1}, {3, 3}, {2, 3}} {
		for _, kind := range []string{"marker", "page number"} {
			for range 20 {
				src := &bigSource{n: 1000}
				var calls atomic.Int64
				opts := pagination.Options{PageSize: c.size, MaxItems: c.max, Concurrency: 4}
				it := pagination.ByMarker(context.Background(), src.marker, opts)
				if kind == "page number" {
					it = pagination.ByPageNumber(context.Background(), src.number, opts)
				}
				got, _, err := drain(describing(it, 8, &calls, all), -1, false)
				if err != nil || len(got) != c.max {
					t.Fatalf("%s, PageSize %d, MaxItems %d: got %v, %v", kind, c.size, c.max, got, err)
				}
				if want := int64((c.max + c.size - 1) / c.size); src.reqs.Load() != want {
					t.Fatalf("%s, PageSize %d, MaxItems %d: %d page requests, want %d", kind, c.size, c.max, src.reqs.Load(), want)
				}
			}
		}
	}
}

// TestMaxItemsConcatStartsNoPartAhead: under MaxItems, a Concat starts the
// parts after the current one only once the current one has handed out a
// page and the pages handed out hold fewer items than MaxItems, and a part
// that has fetched MaxItems items fetches only the pages asked for: a
// listing its first page fills sends one request (the requests of the parts
// ahead, and of the part's next page, used to start at once and could reach
// the server after the listing had returned), and part after part is still
// listed exactly when more are needed.
func TestMaxItemsConcatStartsNoPartAhead(t *testing.T) {
	for _, c := range []struct {
		size, max int
		want      string
		requests  int64
	}{
		{1, 1, "[0]", 1},
		{3, 3, "[0 1 2]", 1},
		{3, 4, "[0 1 2 0]", 3},       // part 0 is one page of 3: the parts ahead start (part 1 is needed)
		{2, 7, "[0 1 2 0 1 2 0]", 6}, // parts of 3 in pages of 2: every page is needed
	} {
		for range 20 {
			srcs := make([]*bigSource, 3)
			parts := make([]func(context.Context, string) *pagination.Iterator[int], len(srcs))
			for i := range parts {
				srcs[i] = &bigSource{n: 3}
				parts[i] = func(ctx context.Context, cur string) *pagination.Iterator[int] {
					return pagination.ByMarker(ctx, srcs[i].marker, pagination.Options{PageSize: c.size, Cursor: cur, Prefetch: -1})
				}
			}
			got, _, err := drain(pagination.Concat(context.Background(), pagination.Options{MaxItems: c.max}, parts...), -1, false)
			if err != nil || fmt.Sprint(got) != c.want {
				t.Fatalf("PageSize %d, MaxItems %d: got %v, %v; want %s", c.size, c.max, got, err, c.want)
			}
			var n int64
			for _, s := range srcs {
				n += s.reqs.Load()
			}
			if n > c.requests {
				t.Fatalf("PageSize %d, MaxItems %d: %d page requests, want at most %d", c.size, c.max, n, c.requests)
			}
		}
	}
}
