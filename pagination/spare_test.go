package pagination

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// spareItem is a type of its own, so that no other test shares its spare
// pages.
type spareItem struct {
	v int
	p *int
}

// spareSource serves n items, limit a page, into PageBuffer pages, and
// records the first element of every page and whether any came dirty.
type spareSource struct {
	mu    sync.Mutex
	n     int
	bases map[*spareItem]bool
	dirty int
}

func (s *spareSource) marker(ctx context.Context, marker string, limit int) ([]spareItem, string, bool, error) {
	start, _ := strconv.Atoi(marker)
	end := min(start+limit, s.n)
	page := PageBuffer[spareItem](ctx, end-start)
	s.mu.Lock()
	if slices.ContainsFunc(page[:cap(page)], func(v spareItem) bool { return v != spareItem{} }) {
		s.dirty++
	}
	s.bases[&page[:1][0]] = true
	s.mu.Unlock()
	for i := range page {
		page[i] = spareItem{v: start + i + 1, p: new(int)}
	}
	return page, strconv.Itoa(end), end < s.n, nil
}

func newSpareSource(n int) *spareSource { return &spareSource{n: n, bases: map[*spareItem]bool{}} }

func drainAll[T any](t *testing.T, it *Iterator[T]) int {
	n := 0
	for _, err := range it.All() {
		require.NoError(t, err)
		n++
	}
	return n
}

func TestSparePagesGoToTheNextListing(t *testing.T) {
	// The pages a fan-out's scopes had free when it ended are where a later
	// listing of the same item type and page size starts; they come all
	// zero. sync.Pool may drop any of them (at random under -race, and at
	// garbage collections), so the test allows a few tries.
	first := newSpareSource(40)
	scopes := make([]Scope[spareItem], 8)
	for i := range scopes {
		scopes[i] = Scope[spareItem]{Name: fmt.Sprint("s", i), List: func(ctx context.Context, cursor string) *Iterator[spareItem] {
			return ByMarker(ctx, first.marker, Options{PageSize: 13, Cursor: cursor})
		}}
	}
	reused := false
	for try := 0; try < 10 && !reused; try++ {
		require.Equal(t, 8*40, drainAll(t, FanOut(context.Background(), FanOutOptions{}, scopes...)))
		next := newSpareSource(40)
		require.Equal(t, 40, drainAll(t, ByMarker(context.Background(), next.marker, Options{PageSize: 13})))
		assert.Zero(t, next.dirty, "every buffer handed out is all zero")
		for b := range next.bases {
			reused = reused || first.bases[b]
		}
	}
	assert.True(t, reused, "a later listing starts with the pages an earlier one left")
	assert.Zero(t, first.dirty, "every buffer handed out is all zero")
}

func TestSparePagesNeverIncludePagesHandedOutByPages(t *testing.T) {
	kept := newSpareSource(50)
	var pages [][]spareItem
	for pg, err := range ByMarker(context.Background(), kept.marker, Options{PageSize: 11}).Pages() {
		require.NoError(t, err)
		pages = append(pages, pg)
	}
	want := make([][]spareItem, len(pages))
	for i, pg := range pages {
		want[i] = slices.Clone(pg)
	}
	for range 5 {
		later := newSpareSource(50)
		require.Equal(t, 50, drainAll(t, ByMarker(context.Background(), later.marker, Options{PageSize: 11})))
		for b := range later.bases {
			assert.False(t, kept.bases[b], "a page handed out by Pages is never handed out again")
		}
	}
	assert.Equal(t, want, pages, "the caller's pages are left as they were")
}
