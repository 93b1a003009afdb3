package pagination_test

import (
	"context"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/multikms/multikms/pagination"
)

// benchItems is the size of the listing of the engine benchmarks and
// benchPage the page size asked for (AWS's maximum).
const (
	benchItems = 100_000
	benchPage  = 1000
)

// benchSource serves items in the three page shapes without allocating
// except for the next marker or token.
type benchSource struct{ items []int }

func newBenchSource(n int) benchSource {
	s := benchSource{items: make([]int, n)}
	for i := range s.items {
		s.items[i] = i
	}
	return s
}

func (s benchSource) marker(_ context.Context, marker string, limit int) ([]int, string, bool, error) {
	off, _ := strconv.Atoi(marker)
	end := min(off+limit, len(s.items))
	if end == len(s.items) {
		return s.items[off:end], "", false, nil
	}
	return s.items[off:end], strconv.Itoa(end), true, nil
}

func (s benchSource) token(ctx context.Context, token string, size int) ([]int, string, error) {
	items, next, _, err := s.marker(ctx, token, size)
	return items, next, err
}

func (s benchSource) number(_ context.Context, page, size int) ([]int, int, error) {
	off := min((page-1)*size, len(s.items))
	return s.items[off:min(off+size, len(s.items))], len(s.items), nil
}

// perItem runs list in a benchmark loop and reports time and allocations
// per item besides the usual per-listing figures.
func perItem(b *testing.B, items int, list func() int) {
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start, n := time.Now(), 0
	for b.Loop() {
		if got := list(); got != items {
			b.Fatalf("listed %d items, want %d", got, items)
		}
		n++
	}
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(elapsed.Nanoseconds())/float64(n*items), "ns/item")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(n*items), "allocs/item")
}

// sink keeps the loops' work from being optimised away.
var sink int

// visit touches every item as a caller of a plain loop would, and returns
// their number.
func visit(items []int) int {
	for _, v := range items {
		sink += v
	}
	return len(items)
}

// count ranges over it and returns the number of items.
func count(b *testing.B, it *pagination.Iterator[int]) int {
	n := 0
	for v, err := range it.All() {
		if err != nil {
			b.Fatal(err)
		}
		sink += v
		n++
	}
	return n
}

// engineVsLoop benchmarks a listing through the engine and through a plain
// loop over the same fetch function.
func engineVsLoop(b *testing.B, engine func() *pagination.Iterator[int], loop func() int) {
	b.Run("engine", func(b *testing.B) {
		perItem(b, benchItems, func() int { return count(b, engine()) })
	})
	b.Run("loop", func(b *testing.B) { perItem(b, benchItems, loop) })
}

func BenchmarkMarker(b *testing.B) {
	src := newBenchSource(benchItems)
	ctx := context.Background()
	engineVsLoop(b, func() *pagination.Iterator[int] {
		return pagination.ByMarker(ctx, src.marker, pagination.Options{PageSize: benchPage})
	}, func() int {
		n := 0
		for marker := ""; ; {
			items, next, truncated, err := src.marker(ctx, marker, benchPage)
			if err != nil {
				b.Fatal(err)
			}
			n += visit(items)
			if !truncated {
				return n
			}
			marker = next
		}
	})
}

func BenchmarkPageToken(b *testing.B) {
	src := newBenchSource(benchItems)
	ctx := context.Background()
	engineVsLoop(b, func() *pagination.Iterator[int] {
		return pagination.ByPageToken(ctx, src.token, pagination.Options{PageSize: benchPage})
	}, func() int {
		n := 0
		for token := ""; ; {
			items, next, err := src.token(ctx, token, benchPage)
			if err != nil {
				b.Fatal(err)
			}
			n += visit(items)
			if next == "" {
				return n
			}
			token = next
		}
	})
}

func BenchmarkPageNumber(b *testing.B) {
	src := newBenchSource(benchItems)
	ctx := context.Background()
	engineVsLoop(b, func() *pagination.Iterator[int] {
		return pagination.ByPageNumber(ctx, src.number, pagination.Options{PageSize: benchPage})
	}, func() int {
		n := 0
		for page := 1; ; page++ {
			items, total, err := src.number(ctx, page, benchPage)
			if err != nil {
				b.Fatal(err)
			}
			n += visit(items)
			if len(items) == 0 || page*benchPage >= total {
				return n
			}
		}
	})
}

// BenchmarkMap hydrates a 400-item listing with a simulated 1ms call per
// item (time.Sleep; coarser timers round it up), 8 at a time, against the
// same calls one after another.
func BenchmarkMap(b *testing.B) {
	const items, latency = 400, time.Millisecond
	src := newBenchSource(items)
	ctx := context.Background()
	describe := func(_ context.Context, x int) (int, bool) {
		time.Sleep(latency) // the simulated request
		return x, true
	}
	list := func() *pagination.Iterator[int] {
		return pagination.ByMarker(ctx, src.marker, pagination.Options{PageSize: 100})
	}
	b.Run("concurrency=8", func(b *testing.B) {
		perItem(b, items, func() int { return count(b, pagination.Map(list(), 8, describe)) })
	})
	b.Run("loop", func(b *testing.B) {
		perItem(b, items, func() int {
			n := 0
			for x, err := range list().All() {
				if err != nil {
					b.Fatal(err)
				}
				describe(ctx, x)
				n++
			}
			return n
		})
	})
}
