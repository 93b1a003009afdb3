package pagination_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/multikms/multikms/pagination"
)

// cursorStrategies are the listings whose cursors are fuzzed.
var cursorStrategies = []string{"marker", "pagenumber", "token", "concat", "map", "fanout"}

// cursorListing returns an iterator of strategy strat over items 0..9 from
// cursor, in scope, and a count of the requests it sent.
func cursorListing(strat, scope, cursor string) (*pagination.Iterator[int], func() int64) {
	servers := []*simServer{newSmallServer(0, 10), newSmallServer(10, 0)}
	calls := func() int64 { return servers[0].calls.Load() + servers[1].calls.Load() }
	ctx := context.Background()
	opts := pagination.Options{Scope: scope, Cursor: cursor, PageSize: 3}
	switch strat {
	case "marker":
		return pagination.ByMarker(ctx, servers[0].marker, opts), calls
	case "pagenumber":
		return pagination.ByPageNumber(ctx, servers[0].number, opts), calls
	case "token":
		return pagination.ByPageToken(ctx, servers[0].token, opts), calls
	case "concat":
		part := func(i int) func(context.Context, string) *pagination.Iterator[int] {
			return func(ctx context.Context, c string) *pagination.Iterator[int] {
				return pagination.ByPageToken(ctx, servers[i].token, pagination.Options{Scope: scope, Cursor: c, PageSize: 4})
			}
		}
		return pagination.Concat(ctx, pagination.Options{Scope: scope, Cursor: cursor}, part(0), part(1)), calls
	case "fanout":
		// Concurrency 1: the items come in order, as wantAll says.
		member := func(i int) pagination.Scope[int] {
			return pagination.Scope[int]{Name: fmt.Sprint(i), List: func(ctx context.Context, c string) *pagination.Iterator[int] {
				return pagination.ByPageToken(ctx, servers[i].token, pagination.Options{Scope: scope, Cursor: c, PageSize: 4})
			}}
		}
		return pagination.FanOut(ctx, pagination.FanOutOptions{Scope: scope, Cursor: cursor, Concurrency: 1}, member(0), member(1)), calls
	}
	return pagination.Map(pagination.ByMarker(ctx, servers[0].marker, opts), 2,
		func(_ context.Context, x int) (int, bool) { return x, x%3 != 0 }), calls
}

// newSmallServer serves items first..first+n-1 in pages of exactly the size
// asked for.
func newSmallServer(first, n int) *simServer {
	s := &simServer{defaultSize: 3, attempts: map[string]int{}}
	for i := range n {
		s.items = append(s.items, first+i)
	}
	return s
}

// wantAll is what cursorListing of strat yields from the start.
func wantAll(strat string) []int {
	want := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	if strat == "map" {
		want = slices.DeleteFunc(want, func(x int) bool { return x%3 == 0 })
	}
	return want
}

// checkCursor lists strat from cursor and checks the cursor contract: an
// ErrInvalidCursor comes first and before any request; anything else lists
// without panicking. It reports whether the cursor was accepted and what was
// listed.
func checkCursor(t *testing.T, strat, scope, cursor string) (accepted bool, got []int) {
	t.Helper()
	it, calls := cursorListing(strat, scope, cursor)
	for v, err := range it.All() {
		if errors.Is(err, pagination.ErrInvalidCursor) {
			if len(got) > 0 || calls() > 0 {
				t.Fatalf("%s: ErrInvalidCursor after %d items and %d requests for cursor %q", strat, len(got), calls(), cursor)
			}
			_ = it.Cursor()
			return false, nil
		}
		if err != nil || len(got) > 100 {
			break // a server refusing a token that decoded well is fine
		}
		got = append(got, v)
	}
	_ = it.Cursor()
	return true, got
}

// realCursors returns the cursors of strat after every item.
func realCursors(t testing.TB, strat string) []string {
	t.Helper()
	var out []string
	for k := 0; k <= len(wantAll(strat)); k++ {
		it, _ := cursorListing(strat, "fuzz", "")
		if _, _, err := drain(it, k, false); err != nil {
			t.Fatalf("%s: %v", strat, err)
		}
		out = append(out, it.Cursor())
	}
	return out
}

// FuzzCursor feeds arbitrary cursors to every strategy. Explore with
// go test ./pagination -run '^$' -fuzz FuzzCursor -fuzztime 1m.
func FuzzCursor(f *testing.F) {
	for _, s := range []string{"", "garbage", "c1", "c1AAAA", "c1====", "c2AAAAAAAAAAAAAAAA",
		"c1" + strings.Repeat("A", 9000), "c1\x00\xff", "%2F%2F"} {
		f.Add(s)
	}
	for _, strat := range cursorStrategies {
		for _, c := range realCursors(f, strat) {
			f.Add(c)
		}
	}
	f.Fuzz(func(t *testing.T, cursor string) {
		for _, strat := range cursorStrategies {
			checkCursor(t, strat, "fuzz", cursor)
		}
	})
}

// TestCursorRoundTrip: the cursor after every item resumes the listing
// exactly; the same cursor in another scope or another strategy, and every
// one-byte change of it, is refused before any request (or, if the change
// happens to keep it valid, lists without panicking).
func TestCursorRoundTrip(t *testing.T) {
	for _, strat := range cursorStrategies {
		want := wantAll(strat)
		for k, c := range realCursors(t, strat) {
			if c == "" {
				if k != len(want) {
					t.Fatalf("%s: empty cursor after %d of %d items", strat, k, len(want))
				}
				continue
			}
			if ok, got := checkCursor(t, strat, "fuzz", c); !ok || !slices.Equal(got, want[k:]) {
				t.Fatalf("%s: resumed after %d items: accepted %v, got %v, want %v", strat, k, ok, got, want[k:])
			}
			if ok, _ := checkCursor(t, strat, "other scope", c); ok {
				t.Errorf("%s: cursor %q accepted in another scope", strat, c)
			}
			for _, other := range cursorStrategies {
				if base(other) != base(strat) {
					if ok, _ := checkCursor(t, other, "fuzz", c); ok {
						t.Errorf("%s cursor %q accepted by %s", strat, c, other)
					}
				}
			}
			accepted := 0
			for _, m := range mutations(c) {
				if ok, _ := checkCursor(t, strat, "fuzz", m); ok {
					accepted++
				}
			}
			if accepted > 0 { // e.g. the unused low bits of the last base64 character
				t.Logf("%s: %d of %d one-byte changes of %q still valid", strat, accepted, len(mutations(c)), c)
			}
		}
	}
}

// base is the strategy under a Map: the Map's cursor is its source's.
func base(strat string) string {
	if strat == "map" {
		return "marker"
	}
	return strat
}

// mutations returns every one-byte change of s: each byte replaced by a few
// others, deleted, or duplicated.
func mutations(s string) []string {
	var out []string
	for i := range len(s) {
		for _, b := range []byte{s[i] ^ 1, s[i] ^ 0x20, 'A', '_', '-', '0', '='} {
			if b != s[i] {
				out = append(out, s[:i]+string(b)+s[i+1:])
			}
		}
		out = append(out, s[:i]+s[i+1:], s[:i]+s[i:i+1]+s[i:])
	}
	return out
}
