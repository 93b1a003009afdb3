package pagination_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/multikms/multikms/pagination"
)

// TestFanOutCursorAtEveryItemOfOneLoop takes the cursor after every item of
// one unbroken loop (the fan-out's own loop changes its scopes' states and
// its sketch of finished scopes in place, and a finished scope's state
// serves a scope started after it) and resumes each one in a fresh FanOut:
// the items before it and those of the resumed listing are every item
// exactly once.
func TestFanOutCursorAtEveryItemOfOneLoop(t *testing.T) {
	counts := []int{4, 0, 3, 5, 1, 2, 0, 6, 1}
	// Every round: the scopes' pages interleave as their goroutines run.
	for round := range 30 {
		for _, conc := range []int{1, 2, 3} {
			cursorAtEveryItem(t, round, conc, counts)
		}
	}
}

// cursorAtEveryItem lists the scopes of counts in one loop, taking the
// cursor after every item, and resumes from each.
func cursorAtEveryItem(t *testing.T, round, conc int, counts []int) {
	t.Helper()
	ms := newScopes(counts...)
	opts := pagination.FanOutOptions{Concurrency: conc, Scope: "fleet"}
	it := pagination.FanOut(context.Background(), opts, scopesOf(ms)...)
	var got []int
	var cursors []string
	for v, err := range it.All() {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
		cursors = append(cursors, it.Cursor())
	}
	want := wantOf(ms)
	checkExactlyOnce(t, got, want)
	for i, c := range cursors {
		if c == "" { // nothing left: only after the last item
			if i != len(cursors)-1 {
				t.Fatalf("concurrency %d: cursor after item %d of %d is empty", conc, i, len(cursors))
			}
			continue
		}
		opts.Cursor = c
		rest, _, err := drain(pagination.FanOut(context.Background(), opts, scopesOf(newScopes(counts...))...), -1, false)
		if err != nil {
			t.Fatalf("round %d, concurrency %d, cursor after item %d: %v", round, conc, i, err)
		}
		t.Run(fmt.Sprintf("round=%d/concurrency=%d/after=%d", round, conc, i), func(t *testing.T) {
			checkExactlyOnce(t, append(slices.Clone(got[:i+1]), rest...), want)
		})
	}
}

type ctxKey struct{}

// TestFanOutScopeContext: the Iterator of a scope of the first loop's
// first wave is the one FanOut's check of options made, with FanOut's
// context (List is called once); that of a later scope is made again when
// it starts, with a context that carries the caller's values and the
// scope's run, and that is cancelled when the caller breaks out of the
// loop. Every scope's fetch gets the loop's context: the scope's requests
// are observed with its name, and it is cancelled when the loop stops.
func TestFanOutScopeContext(t *testing.T) {
	ctx := context.WithValue(context.Background(), ctxKey{}, "caller")
	var mu sync.Mutex
	made := map[string][]context.Context{} // the contexts List was given, by scope
	requests := map[string]int{}           // requests observed, by scope
	var fetchCtx context.Context           // scope b's second fetch's: it waits for the cancel
	var aFetchCtx context.Context          // scope a's (first wave) fetch's
	scope := func(name string, pages int) pagination.Scope[int] {
		return pagination.Scope[int]{Name: name, List: func(lctx context.Context, cursor string) *pagination.Iterator[int] {
			mu.Lock()
			made[name] = append(made[name], lctx)
			mu.Unlock()
			fetch := func(fctx context.Context, tok string, _ int) ([]int, string, error) {
				if fctx.Value(ctxKey{}) != "caller" {
					t.Errorf("scope %s: fetch context without the caller's value", name)
				}
				if name == "a" {
					mu.Lock()
					aFetchCtx = fctx
					mu.Unlock()
				}
				if name == "b" && tok != "" {
					mu.Lock()
					fetchCtx = fctx
					mu.Unlock()
					<-fctx.Done()
					return nil, "", fctx.Err()
				}
				if tok == "" && pages > 1 {
					return []int{1}, "p2", nil
				}
				return []int{2}, "", nil
			}
			return pagination.ByPageToken(lctx, fetch, pagination.Options{Cursor: cursor, Scope: name, Prefetch: -1})
		}}
	}
	obs := func(e pagination.Event) {
		if e.Kind == pagination.EventRequest {
			mu.Lock()
			requests[e.Scope]++
			mu.Unlock()
		}
	}
	it := pagination.FanOut(ctx, pagination.FanOutOptions{Concurrency: 1, Observer: obs}, scope("a", 1), scope("b", 2))
	n := 0
	for _, err := range it.All() {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 2 { // a's item and b's first: b's second page is being fetched
			break
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(made["a"]) != 1 || made["a"][0] != ctx {
		t.Fatalf("scope a (first wave): List called %d times, want once, with FanOut's context", len(made["a"]))
	}
	if aFetchCtx == nil || aFetchCtx.Err() == nil {
		t.Errorf("scope a (first wave): its fetch did not get the loop's context, cancelled after the loop")
	}
	if len(made["b"]) != 2 {
		t.Fatalf("scope b: List called %d times, want 2 (the check of options, then the start)", len(made["b"]))
	}
	run := made["b"][1]
	if run.Value(ctxKey{}) != "caller" {
		t.Errorf("scope b: its Iterator's context lost the caller's value")
	}
	if run.Err() == nil {
		t.Errorf("scope b: its Iterator's context not cancelled after the loop")
	}
	if made["b"][0] != ctx || ctx.Err() != nil {
		t.Errorf("scope b: the check of options did not get the caller's context, or it was cancelled")
	}
	if requests["a"] != 1 || requests["b"] < 1 {
		t.Errorf("requests observed by scope = %v, want a: 1, b: 1 or 2", requests)
	}
	if fetchCtx != nil && fetchCtx.Err() == nil { // nil: the break came before b asked for it
		t.Errorf("scope b's fetch context was not cancelled when the loop stopped")
	}
}
