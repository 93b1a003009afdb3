package pagination_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/multikms/multikms/pagination"
)

// ExampleFanOut lists three regions as one listing; one of them fails and
// the others still come out. With Concurrency 1 the regions are listed in
// turn, so the output is deterministic; by default 16 are listed at once
// and their items interleave.
func ExampleFanOut() {
	region := func(name string, keys ...string) pagination.Scope[string] {
		fetch := func(_ context.Context, marker string, _ int) ([]string, string, bool, error) {
			if name == "eu-south-2" {
				return nil, "", false, errors.New("region not enabled")
			}
			return keys, "", false, nil
		}
		return pagination.Scope[string]{Name: name, List: func(ctx context.Context, cursor string) *pagination.Iterator[string] {
			return pagination.ByMarker(ctx, fetch, pagination.Options{Cursor: cursor, Scope: name})
		}}
	}
	it := pagination.FanOut(context.Background(), pagination.FanOutOptions{Concurrency: 1},
		region("eu-west-1", "k1", "k2"), region("eu-south-2"), region("us-east-1", "k3"))
	for key, err := range it.All() {
		var se *pagination.ScopeError
		if errors.As(err, &se) {
			fmt.Println("failed:", se.Scope, "-", se.Err)
			break
		}
		fmt.Println(key)
	}
	st := it.Stats()
	fmt.Printf("%d items, %d of %d scopes done, %d failed; resume: %v\n", st.Items, st.ScopesDone, st.ScopesTotal, st.ScopesFailed, it.Cursor() != "")
	// Output:
	// k1
	// k2
	// k3
	// failed: eu-south-2 - region not enabled
	// 3 items, 2 of 3 scopes done, 1 failed; resume: true
}

// ExampleFanOut_changedScopes resumes a listing of three regions over the
// regions found later: eu-west-1, in flight when the cursor was taken, is
// gone and ends as a failed scope; ap-south-1, new, is listed whole; the
// finished one is not listed again.
func ExampleFanOut_changedScopes() {
	region := func(name string, keys ...string) pagination.Scope[string] {
		fetch := func(_ context.Context, marker string, _ int) ([]string, string, bool, error) {
			if marker == "" {
				return keys[:1], "more", len(keys) > 1, nil
			}
			return keys[1:], "", false, nil
		}
		return pagination.Scope[string]{Name: name, List: func(ctx context.Context, cursor string) *pagination.Iterator[string] {
			return pagination.ByMarker(ctx, fetch, pagination.Options{Cursor: cursor, Scope: name, Prefetch: -1})
		}}
	}
	opts := pagination.FanOutOptions{Concurrency: 1, Scope: "regions"}
	it := pagination.FanOut(context.Background(), opts,
		region("ap-east-1", "k1", "k2"), region("eu-west-1", "k3", "k4"), region("us-east-1", "k5"))
	for key, err := range it.All() {
		if err != nil {
			panic(err)
		}
		fmt.Println(key)
		if key == "k3" {
			break // ap-east-1 finished, eu-west-1 half listed
		}
	}
	opts.Cursor = it.Cursor()
	resumed := pagination.FanOut(context.Background(), opts,
		region("ap-east-1", "k1", "k2"), region("ap-south-1", "k6", "k7"), region("us-east-1", "k5"))
	for key, err := range resumed.All() {
		var se *pagination.ScopeError
		if errors.As(err, &se) {
			fmt.Println("failed:", se.Scope, "-", se.Err, errors.Is(err, pagination.ErrScopeGone))
			break
		}
		fmt.Println(key)
	}
	// Output:
	// k1
	// k2
	// k3
	// k6
	// k7
	// k5
	// failed: eu-west-1 - the scope is no longer among the fan-out's scopes true
}
