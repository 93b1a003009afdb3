package pagination_test

import (
	"context"
	"errors"
	"testing"

	"github.com/multikms/multikms/pagination"
)

// TestFanOutOfFanOutsCountsInnerScopes: a fan-out whose scopes are
// fan-outs counts the scopes inside them in its Stats (6, one failing),
// also when resumed from a cursor, and read from another goroutine while
// it runs.
func TestFanOutOfFanOutsCountsInnerScopes(t *testing.T) {
	build := func(cursor string) *pagination.Iterator[int] {
		ms := newScopes(3, 0, 4, 2, 5, 1)
		ms[4].broken.Store(true)
		ms[4].failAfter = 1
		inner := func(name string, part []*memScope) pagination.Scope[int] {
			return pagination.Scope[int]{Name: name, List: func(ctx context.Context, c string) *pagination.Iterator[int] {
				return pagination.FanOut(ctx, pagination.FanOutOptions{Cursor: c, Scope: name, Concurrency: 2}, scopesOf(part)...)
			}}
		}
		return pagination.FanOut(context.Background(), pagination.FanOutOptions{Cursor: cursor, Scope: "outer", Concurrency: 1},
			inner("a", ms[:3]), inner("b", ms[3:]), newScopes(2)[0].scope())
	}
	it := build("")
	if st := it.Stats(); st.ScopesTotal != 7 || st.ScopesDone != 0 {
		t.Fatalf("Stats before the listing %+v, want 7 scopes (3 + 3 inside fan-outs, 1 plain)", st)
	}
	done := make(chan struct{})
	go func() { // Stats from another goroutine while the listing runs
		defer close(done)
		for range 100 {
			if st := it.Stats(); st.ScopesDone+st.ScopesFailed > st.ScopesTotal {
				t.Errorf("Stats %+v: more scopes ended than there are", st)
				return
			}
		}
	}()
	first, _, err := drain(it, 4, false)
	<-done
	if err != nil || len(first) != 4 {
		t.Fatalf("%v, %v", first, err)
	}
	st := it.Stats()
	if st.ScopesTotal != 7 || st.ScopesDone < 1 {
		t.Errorf("Stats after 4 items %+v, want 7 scopes, at least the empty one done", st)
	}
	resumed := build(it.Cursor())
	// The cursor counts as finished a scope whose last item was handed
	// out, which the listing counts once it has seen the scope end.
	if rs := resumed.Stats(); rs.ScopesTotal != 7 || rs.ScopesDone < st.ScopesDone || rs.ScopesDone == 7 {
		t.Errorf("resumed Stats %+v, want 7 scopes, at least the %d done before, not all", rs, st.ScopesDone)
	}
	_, _, err = drain(resumed, -1, false)
	if !errors.Is(err, errGone) {
		t.Fatalf("error %v, want s4's", err)
	}
	if rs := resumed.Stats(); rs.ScopesTotal != 7 || rs.ScopesDone != 6 || rs.ScopesFailed != 1 {
		t.Errorf("Stats at the end %+v, want 6 done and 1 failed of 7", rs)
	}
}
