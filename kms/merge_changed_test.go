package kms_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
	"github.com/multikms/multikms/pagination"
)

// region is a Fake named as a discovered fleet's scope, with 5 keys of its
// own: the same scope in every fleet it is part of.
func region(name string) kms.Lister {
	keys := make([]kms.Key, 5)
	for i := range keys {
		keys[i] = kms.Key{ID: fmt.Sprintf("%s-%d", name, i), State: kms.StateEnabled}
	}
	return scoped{kmstest.NewFake(keys, kmstest.WithProvider(kms.ProviderAWS), kmstest.WithMaxPageSize(50)), name}
}

func fleetOf(names ...string) kms.Lister {
	ls := make([]kms.Lister, len(names))
	for i, n := range names {
		ls[i] = region(n)
	}
	return kms.NewMerge(ls, kms.MergeConcurrency(2))
}

// TestMergeResumeOverChangedListers: a cursor of a Merge resumes a Merge of
// other listers (r2 gone, r5 new) from every break point: the common
// listers' keys come out once over the two runs, the new lister's all,
// and r2, if it was in flight, ends as a *kms.ScopeError of class
// ErrNotFound naming it (its keys partly listed); otherwise no error.
func TestMergeResumeOverChangedListers(t *testing.T) {
	before := []string{"r1", "r2", "r3", "r4"}
	after := []string{"r1", "r3", "r4", "r5"}
	opts := kms.ListOptions{PageSize: 2}
	for stop := 1; stop < 20; stop++ {
		it := fleetOf(before...).ListKeys(context.Background(), opts)
		var got []string
		for k, err := range it.All() {
			if err != nil {
				t.Fatal(err)
			}
			if got = append(got, k.ID); len(got) == stop {
				break
			}
		}
		o := opts
		o.Cursor = it.Cursor()
		rest, err := collectKeys(fleetOf(after...).ListKeys(context.Background(), o))
		got = append(got, keyIDs(rest)...)
		var want []string
		for _, n := range after {
			for i := range 5 {
				want = append(want, fmt.Sprintf("%s-%d", n, i))
			}
		}
		var kept []string
		for _, id := range got {
			if !strings.HasPrefix(id, "r2-") {
				kept = append(kept, id)
			}
		}
		if msg := exactlyOnce(kept, want); msg != "" {
			t.Errorf("stop %d: %s", stop, msg)
		}
		// r2 partly listed was in flight; none listed, it may have been
		// (started, nothing handed out) or not; all listed, it was not.
		r2 := len(got) - len(kept)
		var se *kms.ScopeError
		var ke *kms.Error
		gone := errors.As(err, &se) && se.Scope == "aws/r2" && errors.Is(err, kms.ErrNotFound) &&
			errors.Is(err, pagination.ErrScopeGone) && errors.As(err, &ke) && ke.Provider == kms.ProviderAWS
		switch {
		case r2 > 0 && r2 < 5 && !gone:
			t.Errorf("stop %d, r2 in flight: error %v; want aws/r2's *kms.ScopeError of class ErrNotFound", stop, err)
		case r2 == 5 && err != nil, err != nil && !gone:
			t.Errorf("stop %d, r2 not in flight: %v", stop, err)
		}
	}
}

// TestMergeUniqueScopeNames: two listers of one Scope name are told apart
// (the second gets "#1"), so that the cursor resumes each exactly.
func TestMergeUniqueScopeNames(t *testing.T) {
	m := kms.NewMerge([]kms.Lister{region("r1"), region("r1")}, kms.MergeConcurrency(1))
	for stop := 0; stop <= 10; stop++ {
		got := resumeAfter(t, m, kms.ListOptions{PageSize: 2}, stop)
		seen := map[string]int{}
		for _, id := range got {
			seen[id]++
		}
		for i := range 5 {
			if id := fmt.Sprintf("r1-%d", i); seen[id] != 2 {
				t.Errorf("stop %d: %s listed %d times, want twice (once a lister): %v", stop, id, seen[id], got)
			}
		}
	}
	denied := kms.NewError(kms.ProviderAWS, "ListKeys", kms.CodePermissionDenied, errors.New("denied (injected)"))
	bad := scoped{kmstest.NewFake([]kms.Key{{ID: "x"}}, kmstest.WithProvider(kms.ProviderAWS), kmstest.WithFailure(1, denied)), "r1"}
	_, err := collectKeys(kms.Merge(region("r1"), bad).ListKeys(context.Background(), kms.ListOptions{}))
	var se *kms.ScopeError
	if !errors.As(err, &se) || se.Scope != "aws/r1#1" {
		t.Errorf("error %v: want the second lister's, aws/r1#1", err)
	}
}

// TestMergeOfFleetsCountsTheirScopes: a Merge whose listers are Merges (a
// Merge of discovered fleets) counts the scopes inside them in Stats.
func TestMergeOfFleetsCountsTheirScopes(t *testing.T) {
	m := kms.Merge(fleetOf("a1", "a2"), fleetOf("b1", "b2", "b3"), region("c1"))
	it := m.ListKeys(context.Background(), kms.ListOptions{PageSize: 2})
	if st := it.Stats(); st.ScopesTotal != 6 {
		t.Errorf("ScopesTotal %d before the listing, want 6 (2 + 3 inside Merges, 1 plain)", st.ScopesTotal)
	}
	keys, err := collectKeys(it)
	if err != nil || len(keys) != 30 {
		t.Fatalf("%d keys, %v; want 30", len(keys), err)
	}
	if st := it.Stats(); st.ScopesTotal != 6 || st.ScopesDone != 6 || st.ScopesFailed != 0 {
		t.Errorf("Stats %+v, want 6 scopes done", st)
	}
}

// TestMergeUnnamedListerKeepsItsNameWhenOthersGo: a lister without a
// Scope (a discovered fleet, say) is named by its place among the listers
// of its provider without one, so that a lister of another kind that
// leaves the fleet renames nothing: a resume over the fleet without the
// lister that failed lists no finished lister again.
func TestMergeUnnamedListerKeepsItsNameWhenOthersGo(t *testing.T) {
	denied := kms.NewError(kms.ProviderAWS, "ListKeys", kms.CodePermissionDenied, errors.New("denied (injected)"))
	bad := scoped{kmstest.NewFake([]kms.Key{{ID: "x"}}, kmstest.WithProvider(kms.ProviderAWS), kmstest.WithFailure(1, denied)), "r0"}
	unnamed := func() kms.Lister {
		return kmstest.NewFake([]kms.Key{{ID: "y1"}, {ID: "y2"}}, kmstest.WithProvider(kms.ProviderYandex))
	}
	it := kms.Merge(region("r1"), bad, unnamed()).ListKeys(context.Background(), kms.ListOptions{})
	first, err := collectKeys(it)
	if !errors.Is(err, kms.ErrPermissionDenied) || len(first) != 7 {
		t.Fatalf("%d keys, %v; want the 7 of r1 and the unnamed lister, and r0 denied", len(first), err)
	}
	rest, err := collectKeys(kms.Merge(region("r1"), unnamed()).ListKeys(context.Background(), kms.ListOptions{Cursor: it.Cursor()}))
	if !errors.Is(err, pagination.ErrScopeGone) {
		t.Errorf("resume without r0: %v, want r0 reported gone", err)
	}
	for _, k := range rest {
		t.Errorf("resume without r0 listed %s again, want nothing", k.ID)
	}
}

// TestMergeGoneReason: MergeGoneReason gives the error of a lister gone
// from the Merge (it still matches pagination.ErrScopeGone); without a
// reason it is of class ErrNotFound.
func TestMergeGoneReason(t *testing.T) {
	denied := kms.NewError(kms.ProviderAWS, "ListKeys", kms.CodePermissionDenied, errors.New("denied (injected)"))
	bad := scoped{kmstest.NewFake([]kms.Key{{ID: "x"}}, kmstest.WithProvider(kms.ProviderAWS), kmstest.WithFailure(1, denied)), "r0"}
	it := kms.Merge(bad, region("r1")).ListKeys(context.Background(), kms.ListOptions{})
	if _, err := collectKeys(it); !errors.Is(err, kms.ErrPermissionDenied) {
		t.Fatalf("%v, want r0 denied", err)
	}
	hidden := kms.NewError(kms.ProviderAWS, "ListRegions", kms.CodePermissionDenied, errors.New("hidden (injected)"))
	for _, tc := range []struct {
		reason func(string) error
		want   error
	}{
		{func(scope string) error {
			if scope == "aws/r0" {
				return hidden
			}
			return nil
		}, kms.ErrPermissionDenied},
		{func(string) error { return nil }, kms.ErrNotFound},
		{nil, kms.ErrNotFound},
	} {
		var opts []kms.MergeOption
		if tc.reason != nil {
			opts = append(opts, kms.MergeGoneReason(tc.reason))
		}
		rest, err := collectKeys(kms.NewMerge([]kms.Lister{region("r1")}, opts...).ListKeys(context.Background(), kms.ListOptions{Cursor: it.Cursor()}))
		var se *kms.ScopeError
		if !errors.As(err, &se) || se.Scope != "aws/r0" || !errors.Is(err, pagination.ErrScopeGone) || !errors.Is(err, tc.want) {
			t.Errorf("reason set %v: %v, want aws/r0 gone, matching %v", tc.reason != nil, err, tc.want)
		}
		var ke *kms.Error
		if tc.want == kms.ErrPermissionDenied && (!errors.As(err, &ke) || ke != hidden) {
			t.Errorf("the *kms.Error reached is %v, want the reason", ke)
		}
		if len(rest) != 0 {
			t.Errorf("listed %d keys again", len(rest))
		}
	}
}

// TestScopeErrorsRefusesOtherErrors: ScopeErrors is nil for nil and for an
// error that holds anything but *ScopeError values, and keeps a scope
// whose own error is no fleet's.
func TestScopeErrorsRefusesOtherErrors(t *testing.T) {
	a := &kms.ScopeError{Scope: "a", Err: kms.NewError(kms.ProviderAWS, "ListKeys", kms.CodeUnavailable, nil)}
	b := &kms.ScopeError{Scope: "b", Err: errors.Join(&kms.ScopeError{Scope: "b/1", Err: context.Canceled})}
	for _, tc := range []struct {
		err  error
		want []string
	}{
		{nil, nil},
		{context.Canceled, nil},
		{errors.Join(a, context.Canceled), nil},
		{a, []string{"a"}},
		{errors.Join(a, b), []string{"a", "b/1"}},
	} {
		var got []string
		for _, se := range kms.ScopeErrors(tc.err) {
			got = append(got, se.Scope)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("ScopeErrors(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
