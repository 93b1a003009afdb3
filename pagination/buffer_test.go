package pagination

import (
	"context"
	"runtime"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bufSource serves the items 1..n, limit a page, into PageBuffer pages (or,
// with own set, into subslices of its own storage), recording the first
// element of every page it returns.
type bufSource struct {
	n     int
	own   []int
	extra int // ask PageBuffer for this many more items than returned
	bases []*int
	dirty int // PageBuffer slices that were not all zero, to their capacity
}

func (s *bufSource) marker(ctx context.Context, marker string, limit int) ([]int, string, bool, error) {
	start := 0
	if marker != "" {
		start, _ = strconv.Atoi(marker)
	}
	end := min(start+limit, s.n)
	var page []int
	if s.own != nil {
		page = s.own[start:end]
	} else {
		page = PageBuffer[int](ctx, end-start+s.extra)
		if slices.ContainsFunc(page[:cap(page)], func(v int) bool { return v != 0 }) {
			s.dirty++
		}
		for i := range page {
			page[i] = start + i + 1
		}
		page = page[:end-start] // the rest was filled but is not returned
	}
	s.bases = append(s.bases, &page[:1][0])
	return page, strconv.Itoa(end), end < s.n, nil
}

func upTo(n int) []int {
	want := make([]int, n)
	for i := range want {
		want[i] = i + 1
	}
	return want
}

func TestPageBufferReusesPagesAllHandedOut(t *testing.T) {
	for _, tc := range []struct {
		prefetch, buffers int
	}{
		{-1, 1}, // each page is handed out in full before the next is fetched
		{1, 2},  // the next page is fetched while the caller works on this one
	} {
		src := &bufSource{n: 100}
		it := ByMarker(context.Background(), src.marker, Options{PageSize: 10, Prefetch: tc.prefetch})
		got, err := Collect(it)
		require.NoError(t, err)
		assert.Equal(t, upTo(100), got)
		require.Len(t, src.bases, 10)
		assert.Len(t, distinct(src.bases), tc.buffers, "Prefetch %d", tc.prefetch)

		src.bases = nil
		it = ByMarker(context.Background(), src.marker, Options{PageSize: 10, Prefetch: tc.prefetch})
		var all []int
		for v, err := range it.All() {
			require.NoError(t, err)
			all = append(all, v)
		}
		assert.Equal(t, upTo(100), all)
		assert.Len(t, distinct(src.bases), tc.buffers, "Prefetch %d, All", tc.prefetch)
	}
}

func TestPageBufferNeverReusesPagesHandedOutByPages(t *testing.T) {
	src := &bufSource{n: 100}
	it := ByMarker(context.Background(), src.marker, Options{PageSize: 10})
	var pages [][]int
	for pg, err := range it.Pages() {
		require.NoError(t, err)
		pages = append(pages, pg)
	}
	assert.Equal(t, upTo(100), slices.Concat(pages...), "a page the caller kept stays as it was")
	assert.Len(t, distinct(src.bases), 10)
}

func TestPageBufferAfterSwitchingFromAllToPages(t *testing.T) {
	src := &bufSource{n: 30}
	it := ByMarker(context.Background(), src.marker, Options{PageSize: 10, Prefetch: -1})
	var got []int
	for v, err := range it.All() {
		require.NoError(t, err)
		if got = append(got, v); len(got) == 5 {
			break
		}
	}
	var rest [][]int
	for pg, err := range it.Pages() {
		require.NoError(t, err)
		rest = append(rest, pg)
	}
	assert.Equal(t, upTo(30), append(got, slices.Concat(rest...)...))
	assert.Len(t, distinct(src.bases), 3, "every page finished by Pages is the caller's")
}

func TestPageBufferLeavesForeignSlicesAlone(t *testing.T) {
	own := upTo(50)
	src := &bufSource{n: 50, own: own}
	got, err := Collect(ByMarker(context.Background(), src.marker, Options{PageSize: 10}))
	require.NoError(t, err)
	assert.Equal(t, upTo(50), got)
	assert.Equal(t, upTo(50), own, "a page the fetch function did not get from PageBuffer is never cleared")
}

func TestPageBufferOutsideAnIterator(t *testing.T) {
	buf := PageBuffer[string](context.Background(), 3)
	assert.Equal(t, []string{"", "", ""}, buf)
	assert.Empty(t, PageBuffer[string](context.Background(), 0))
}

func distinct(ps []*int) map[*int]bool {
	m := map[*int]bool{}
	for _, p := range ps {
		m[p] = true
	}
	return m
}

func TestPageBufferHandsOutZeroedBuffers(t *testing.T) {
	// Resumed mid-page (the skipped items were never handed out) and
	// returning less than it asked for (the rest was written), every buffer
	// the source gets is still all zero.
	src := &bufSource{n: 100, extra: 3}
	ctx := context.Background()
	it := ByMarker(ctx, src.marker, Options{PageSize: 10, Prefetch: -1})
	var got []int
	for v, err := range it.All() {
		require.NoError(t, err)
		if got = append(got, v); len(got) == 15 {
			break
		}
	}
	it = ByMarker(ctx, src.marker, Options{PageSize: 10, Prefetch: -1, Cursor: it.Cursor()})
	rest, err := Collect(it)
	require.NoError(t, err)
	assert.Equal(t, upTo(100), append(got, rest...))
	assert.Less(t, len(distinct(src.bases)), len(src.bases), "buffers were reused")
	assert.Zero(t, src.dirty, "PageBuffer handed out a buffer holding old items")
}

func TestPageBufferDoesNotKeepDroppedPagesAlive(t *testing.T) {
	endless := func(ctx context.Context, marker string, limit int) ([]int, string, bool, error) {
		start, _ := strconv.Atoi(marker)
		page := PageBuffer[int](ctx, limit)
		for i := range page {
			page[i] = start + i + 1
		}
		return page, strconv.Itoa(start + limit), true, nil
	}
	it := ByMarker(context.Background(), endless, Options{PageSize: 100, Prefetch: 2})
	for range 20 {
		n := 0
		for range it.All() {
			if n++; n == 101 {
				break // stopping drops the pages fetched ahead
			}
		}
	}
	runtime.GC()
	it.bufs.mu.Lock()
	defer it.bufs.mu.Unlock()
	live := 0
	for p := range it.bufs.issued {
		if p.Value() != nil {
			live++
		}
	}
	assert.Greater(t, len(it.bufs.issued), 5, "pages were dropped")
	assert.LessOrEqual(t, live, 1, "only the page being handed out is still alive")
}
