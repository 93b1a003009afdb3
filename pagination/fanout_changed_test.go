package pagination_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/multikms/multikms/pagination"
)

// fleetOf is a fleet of scopes named s<id> (two digits, so that ascending
// ids are ascending names), scope id holding 4 items id*1000.. in pages of
// 2: the same scope in every fleet it is part of.
func fleetOf(ids ...int) []*memScope {
	out := make([]*memScope, len(ids))
	for i, id := range ids {
		out[i] = &memScope{name: fmt.Sprintf("s%02d", id), first: id * 1000, n: 4, size: 2}
	}
	return out
}

func itemsOf(ids ...int) []int {
	var out []int
	for _, id := range ids {
		for j := range 4 {
			out = append(out, id*1000+j)
		}
	}
	return out
}

// cursorAfter lists fleet ids with concurrency conc, takes n items, and
// returns them and the cursor.
func cursorAfter(t *testing.T, conc, n int, ids ...int) ([]int, string) {
	t.Helper()
	it := pagination.FanOut(context.Background(), pagination.FanOutOptions{Scope: "fleet", Concurrency: conc}, scopesOf(fleetOf(ids...))...)
	got, _, err := drain(it, n, false)
	if err != nil || len(got) != n {
		t.Fatalf("first listing: %d items, %v", len(got), err)
	}
	return got, it.Cursor()
}

// resumeOver resumes cursor over fleet ids to its end.
func resumeOver(cursor string, ids ...int) ([]int, []*memScope, *pagination.Iterator[int], error) {
	ms := fleetOf(ids...)
	it := pagination.FanOut(context.Background(), pagination.FanOutOptions{Scope: "fleet", Cursor: cursor, Concurrency: 2}, scopesOf(ms)...)
	got, _, err := drain(it, -1, false)
	return got, ms, it, err
}

// TestFanOutResumeOverAddedScopes: a scope added after the first scope not
// started is listed as the others are; one added before it (where the
// finished scopes are) is listed whole, and the finished ones are not
// listed again.
func TestFanOutResumeOverAddedScopes(t *testing.T) {
	// Concurrency 1, 6 items: s00 finished, s02 half listed, s04 next.
	got, c := cursorAfter(t, 1, 6, 0, 2, 4)
	for name, ids := range map[string][]int{
		"unchanged":      {0, 2, 4},
		"after":          {0, 2, 4, 5},
		"before":         {0, 1, 2, 4},
		"before and end": {0, 1, 2, 3, 4, 9},
	} {
		rest, ms, _, err := resumeOver(c, ids...)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		all := append(slices.Clone(got), rest...)
		checkExactlyOnce(t, all, itemsOf(ids...))
		if r := requests(ms); r[0] != 0 {
			t.Errorf("%s: the finished scope s00 got %d requests", name, r[0])
		}
	}
}

// TestFanOutResumeOverRemovedFinishedScope: a finished scope that is gone
// changes nothing else, and fails nothing.
func TestFanOutResumeOverRemovedFinishedScope(t *testing.T) {
	got, c := cursorAfter(t, 1, 6, 0, 1, 2, 3) // s00 finished, s01 half
	rest, _, it, err := resumeOver(c, 1, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	checkExactlyOnce(t, append(got, rest...), itemsOf(0, 1, 2, 3))
	if st := it.Stats(); st.ScopesTotal != 3 || st.ScopesDone != 3 || st.ScopesFailed != 0 {
		t.Errorf("Stats %+v, want 3 scopes done", st)
	}
}

// TestFanOutResumeOverRemovedScopeInFlight: a scope the cursor had in
// flight that is gone ends as a failed scope wrapping ErrScopeGone, told,
// counted, reported at the end; it stays in the cursor, which reports it
// again, or resumes it where it was once it is back.
func TestFanOutResumeOverRemovedScopeInFlight(t *testing.T) {
	got, c := cursorAfter(t, 1, 6, 0, 1, 2, 3) // s00 finished, s01 half
	var (
		mu     sync.Mutex
		failed []string
	)
	ms := fleetOf(0, 2, 3)
	it := pagination.FanOut(context.Background(), pagination.FanOutOptions{Scope: "fleet", Cursor: c, Observer: func(e pagination.Event) {
		if e.Kind == pagination.EventScopeFailed && errors.Is(e.Err, pagination.ErrScopeGone) {
			mu.Lock()
			failed = append(failed, e.Scope)
			mu.Unlock()
		}
	}}, scopesOf(ms)...)
	rest, _, err := drain(it, -1, false)
	var se *pagination.ScopeError
	if !errors.As(err, &se) || se.Scope != "s01" || !errors.Is(err, pagination.ErrScopeGone) {
		t.Fatalf("error %v: want a *ScopeError for s01 wrapping ErrScopeGone", err)
	}
	checkExactlyOnce(t, append(slices.Clone(got), rest...), append(itemsOf(0, 2, 3), 1000, 1001))
	if st := it.Stats(); st.ScopesFailed != 1 || st.ScopesDone != 3 || st.ScopesTotal != 4 {
		t.Errorf("Stats %+v, want 3 done and 1 failed of 4", st)
	}
	if !slices.Equal(failed, []string{"s01"}) {
		t.Errorf("EventScopeFailed for %v, want [s01]", failed)
	}
	if r := requests(ms); r[0] != 0 {
		t.Errorf("the finished scope s00 got %d requests", r[0])
	}
	c2 := it.Cursor()
	if c2 == "" {
		t.Fatal("no cursor after a scope gone")
	}
	// Still gone: reported again, nothing listed.
	again, _, _, err := resumeOver(c2, 0, 2, 3)
	if len(again) != 0 || !errors.Is(err, pagination.ErrScopeGone) {
		t.Errorf("resumed while still gone: %v, %v; want nothing and ErrScopeGone", again, err)
	}
	// Back: resumed where it was.
	back, _, _, err := resumeOver(c2, 0, 1, 2, 3)
	if err != nil || !slices.Equal(back, []int{1002, 1003}) {
		t.Errorf("resumed once back: %v, %v; want [1002 1003]", back, err)
	}
}

// TestFanOutResumeOverReorderedScopes: the same scopes in other orders
// (not sorted) from every break point: the first scope not started is
// found by its name, finished scopes that moved after it are skipped, and
// every item comes out once.
func TestFanOutResumeOverReorderedScopes(t *testing.T) {
	ids := []int{0, 1, 2, 3, 4, 5, 6}
	r := rand.New(rand.NewPCG(7, 7))
	for stop := 1; stop < 28; stop++ {
		for conc := 1; conc <= 3; conc++ {
			got, c := cursorAfter(t, conc, stop, ids...)
			perm := slices.Clone(ids)
			r.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
			rest, _, _, err := resumeOver(c, perm...)
			if err != nil {
				t.Fatalf("stop %d, concurrency %d, order %v: %v", stop, conc, perm, err)
			}
			checkExactlyOnce(t, append(got, rest...), itemsOf(ids...))
		}
	}
}

// TestFanOutRefusesTooManyChanges: more new scopes before the resume point
// than the sketch tells apart refuse the cursor, before any request.
func TestFanOutRefusesTooManyChanges(t *testing.T) {
	var old, ids []int
	for i := range 40 {
		old = append(old, 100+i)
		ids = append(ids, i)
	}
	_, c := cursorAfter(t, 1, 4*35+1, old...)                 // 35 finished, s135 in flight
	rest, ms, _, err := resumeOver(c, append(ids, old...)...) // 40 new before it
	if !errors.Is(err, pagination.ErrInvalidCursor) || len(rest) != 0 {
		t.Fatalf("%d items, error %v; want ErrInvalidCursor", len(rest), err)
	}
	for i, n := range requests(ms) {
		if n != 0 {
			t.Fatalf("scope %s got %d requests", ms[i].name, n)
		}
	}
}

// TestFanOutRefusesUnsortedScopesWithoutBoundary: when the first scope not
// started is gone, its place is found in name order only: scopes that are
// not in it refuse the cursor, before any request; sorted ones resume.
func TestFanOutRefusesUnsortedScopesWithoutBoundary(t *testing.T) {
	got, c := cursorAfter(t, 1, 2, 0, 1, 2, 3) // s00 in flight, s01 next
	rest, ms, _, err := resumeOver(c, 0, 3, 2)
	if !errors.Is(err, pagination.ErrInvalidCursor) || len(rest) != 0 {
		t.Fatalf("%v, %v; want ErrInvalidCursor", rest, err)
	}
	if r := requests(ms); !slices.Equal(r, []int64{0, 0, 0}) {
		t.Errorf("requests %v, want none", r)
	}
	rest, _, _, err = resumeOver(c, 0, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	checkExactlyOnce(t, append(got, rest...), itemsOf(0, 2, 3))
}

// TestFanOutRefusesDuplicateScopeNames: names key the cursor. A few
// scopes are compared pairwise, more through an index: both refuse.
func TestFanOutRefusesDuplicateScopeNames(t *testing.T) {
	many := make([]int, 40)
	for i := range many {
		many[i] = i
	}
	many[39] = 0
	for _, ids := range [][]int{{0, 1, 1}, many} {
		ms := fleetOf(ids...)
		_, _, err := drain(pagination.FanOut(context.Background(), pagination.FanOutOptions{}, scopesOf(ms)...), -1, false)
		if !errors.Is(err, pagination.ErrInvalidArgument) {
			t.Errorf("%d scopes: %v, want ErrInvalidArgument", len(ids), err)
		}
		if r := requests(ms); slices.ContainsFunc(r, func(n int64) bool { return n != 0 }) {
			t.Errorf("%d scopes: requests %v, want none", len(ids), r)
		}
	}
}

// TestFanOutScopeGoneAcrossLoops: a loop broken and a later one over the
// same Iterator report the scope gone at the end, counted once.
func TestFanOutScopeGoneAcrossLoops(t *testing.T) {
	got, c := cursorAfter(t, 1, 6, 0, 1, 2, 3) // s00 finished, s01 half
	it := pagination.FanOut(context.Background(), pagination.FanOutOptions{Scope: "fleet", Cursor: c}, scopesOf(fleetOf(0, 2, 3))...)
	first, _, err := drain(it, 3, false)
	if err != nil {
		t.Fatal(err)
	}
	rest, _, err := drain(it, -1, false)
	if !errors.Is(err, pagination.ErrScopeGone) {
		t.Errorf("second loop: %v, want ErrScopeGone", err)
	}
	checkExactlyOnce(t, append(append(got, first...), rest...), append(itemsOf(0, 2, 3), 1000, 1001))
	if st := it.Stats(); st.ScopesFailed != 1 || st.ScopesTotal != 4 {
		t.Errorf("Stats %+v, want 1 failed of 4", st)
	}
}
