package pagination

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// forge encodes st as a cursor with a valid integrity check, as anyone can.
func forge(st cursorState) string { return encodeCursor(st) }

// TestForgedCursorFieldsRefusedBeforeAnyRequest: a cursor whose integrity
// check holds but whose fields are out of range (an in-page index of 2^40,
// beyond the page it names; an unknown kind; an absurd page number or page
// size) is refused with ErrInvalidCursor and nothing is fetched. Before the
// range checks, the 2^40 index made a marker or token listing fetch every
// remaining page and end with 0 items.
func TestForgedCursorFieldsRefusedBeforeAnyRequest(t *testing.T) {
	src := &memSource{n: 50}
	scope := scopeHash("forged")
	cases := map[string]struct {
		kind byte
		st   cursorState
	}{
		"marker index 2^40":          {kindMarker, cursorState{kind: kindMarker, scope: scope, pos: position{token: "m5", index: 1 << 40, size: 5}}},
		"token index beyond page":    {kindPageToken, cursorState{kind: kindPageToken, scope: scope, pos: position{token: "m5", index: 5, size: 5}}},
		"token index without a page": {kindPageToken, cursorState{kind: kindPageToken, scope: scope, pos: position{token: "m5", index: 3}}},
		"page number beyond reason":  {kindPageNumber, cursorState{kind: kindPageNumber, scope: scope, pos: position{index: 1 << 40, size: 1, asked: 1}}},
		"page size beyond reason":    {kindPageNumber, cursorState{kind: kindPageNumber, scope: scope, pos: position{index: 4, size: 1 << 30, asked: 10}}},
		"page number without a size": {kindPageNumber, cursorState{kind: kindPageNumber, scope: scope, pos: position{index: 4}}},
		"unknown kind nested":        {kindConcat, cursorState{kind: kindConcat, scope: scope, pos: position{inner: &cursorState{kind: 'z', scope: scope}}}},
		"token in a page listing":    {kindPageNumber, cursorState{kind: kindPageNumber, scope: scope, pos: position{token: "x"}}},
	}
	for name, c := range cases {
		cursor := forge(c.st)
		src.calls.Store(0)
		opts := Options{Scope: "forged", Cursor: cursor}
		var it *Iterator[string]
		switch c.kind {
		case kindMarker:
			it = ByMarker(context.Background(), src.marker, opts)
		case kindPageToken:
			it = ByPageToken(context.Background(), src.token, opts)
		case kindPageNumber:
			it = ByPageNumber(context.Background(), src.number, opts)
		default:
			it = Concat(context.Background(), opts, func(ctx context.Context, c string) *Iterator[string] {
				return ByPageToken(ctx, src.token, Options{Scope: "forged", Cursor: c})
			})
		}
		var err error
		for _, e := range it.All() {
			err = e
			break
		}
		if !errors.Is(err, ErrInvalidCursor) {
			t.Errorf("%s: %v, want ErrInvalidCursor", name, err)
		}
		if n := src.calls.Load(); n != 0 {
			t.Errorf("%s: %d requests, want none", name, n)
		}
		if got := it.Cursor(); got != cursor {
			t.Errorf("%s: Cursor() after the refusal = %q, want the cursor given", name, got)
		}
	}
}

// TestInPageSkipOnlyInFirstPage: a cursor's in-page index skips items of
// the first page only; when that page has become shorter (the listing
// changed), the later pages come whole. Before, the rest of the skip was
// carried into the next page and its items were lost.
func TestInPageSkipOnlyInFirstPage(t *testing.T) {
	src := &memSource{n: 20} // pages of the size asked
	st := cursorState{kind: kindPageToken, scope: scopeHash("s"), pos: position{token: "m0", index: 8, size: 10, asked: 10}}
	// The page from o0 now holds 4 items (as if keys were deleted): ask 4.
	shrunk := func(ctx context.Context, token string, size int) ([]string, string, error) {
		if token == "m0" {
			return src.items(0, 4), "m4", nil
		}
		return src.token(ctx, token, size)
	}
	got := collect(t, ByPageToken(context.Background(), shrunk, Options{Scope: "s", PageSize: 5, Cursor: forge(st)}))
	if want := src.items(4, 20); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("got %v, want %v (no item of later pages skipped)", got, want)
	}
}

// TestC1CursorsRefused: the format version changed; a c1 cursor is refused.
func TestC1CursorsRefused(t *testing.T) {
	c := forge(cursorState{kind: kindMarker, scope: scopeHash("s"), pos: position{token: "o1"}})
	old := "c1" + c[len(cursorVersion):]
	if _, err := decodeCursor(old, kindMarker, scopeHash("s")); !errors.Is(err, ErrInvalidCursor) {
		t.Errorf("c1 cursor: %v, want ErrInvalidCursor", err)
	}
}
