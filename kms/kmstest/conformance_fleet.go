package kmstest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/multikms/multikms/kms"
)

// FleetScope is one lister of a fleet under test.
type FleetScope struct {
	// Name is the scope's name as a *kms.ScopeError of the Merge gives it.
	Name string
	// Keys are the scope's keys in its list order (at least 3).
	Keys []kms.Key
	// Requests returns the number of requests the scope's backend has
	// received so far.
	Requests func() int
}

// FleetFixture is a fleet under test: a Merge (listing its scopes
// concurrently) and what each scope holds.
type FleetFixture struct {
	Lister kms.Lister
	Scopes []FleetScope
	// MaxPageSize is the largest page size every lister accepts.
	MaxPageSize int
	// PerScope and PerKey bound the requests of a DetailFull listing with
	// PageSize MaxPageSize: PerScope for what one scope needs whatever its
	// keys (its first list page, an account-wide pass), PerKey for each key
	// handed out (describe, tags). RunFleetConformance checks that MaxItems 3
	// costs at most len(Scopes)*PerScope + 3*PerKey requests.
	PerScope, PerKey int
}

// FleetHarness tells RunFleetConformance how to build the fleet.
type FleetHarness struct {
	// Setup returns a fresh fleet of at least 3 scopes. When failScope >= 0,
	// that scope's listing must fail for good (a classified error that is
	// not retried, such as ErrPermissionDenied) at its second request, and
	// its later requests succeed: a scope that failed, then mends.
	Setup func(t *testing.T, failScope int) FleetFixture
	// LeakOptions are extra goleak options (see Harness).
	LeakOptions []goleak.Option
	// Subset, when set, returns a fresh fleet (another process) over the
	// same backends as fx that lists only the scopes keep (indices into
	// fx.Scopes, ascending), named as in fx: the fleet once discovery
	// finds a scope less. RunFleetConformance then checks that a cursor
	// resumes over a fleet that lost a scope (which ends as a
	// *kms.ScopeError of class ErrNotFound if it was in flight) or gained
	// one (listed whole), case FleetChanged.
	Subset func(t *testing.T, fx FleetFixture, keep []int) kms.Lister
}

// RunFleetConformance runs the fleet cases of a Merge as subtests of t:
// every key once over a concurrent listing and over resume chains in fresh
// Listers, a failed scope isolated and resumed, MaxItems bounding requests,
// bad options sending nothing, cancellation, and with h.Subset a resume
// over a changed fleet. Not parallel (leak checks).
func RunFleetConformance(t *testing.T, h FleetHarness) {
	t.Helper()
	cases := []struct {
		name string
		fail int
		fn   func(t *testing.T, h FleetHarness, fx FleetFixture)
	}{
		{"FleetListAll", -1, testFleetListAll},
		{"FleetResumeChains", -1, testFleetResume},
		{"FleetFailedScope", 1, testFleetFailedScope},
		{"FleetMaxItemsBoundsRequests", -1, testFleetMaxItems},
		{"FleetBadOptionsSendNothing", -1, testFleetBadOptions},
		{"FleetCancel", -1, testFleetCancel},
	}
	if h.Subset != nil {
		cases = append(cases, struct {
			name string
			fail int
			fn   func(t *testing.T, h FleetHarness, fx FleetFixture)
		}{"FleetChanged", -1, testFleetChanged})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fx := h.Setup(t, c.fail)
			if len(fx.Scopes) < 3 {
				t.Fatalf("FleetFixture: need at least 3 scopes, got %d", len(fx.Scopes))
			}
			leak := append([]goleak.Option{goleak.IgnoreCurrent()}, h.LeakOptions...)
			c.fn(t, h, fx)
			goleak.VerifyNone(t, leak...)
		})
	}
}

// fleetKeys are the keys of every scope, in scope order.
func fleetKeys(fx FleetFixture) []string {
	var out []string
	for _, s := range fx.Scopes {
		out = append(out, keyIDs(s.Keys)...)
	}
	return out
}

// checkFleetOnce checks that got holds every key of want exactly once and
// the keys of each scope in that scope's order.
func checkFleetOnce(t *testing.T, what string, fx FleetFixture, got, want []string) {
	t.Helper()
	a, b := slices.Clone(got), slices.Clone(want)
	slices.Sort(a)
	slices.Sort(b)
	if !slices.Equal(a, b) {
		t.Fatalf("%s: got %d keys %v, want each of %d once: %v", what, len(got), got, len(want), want)
	}
	for _, s := range fx.Scopes {
		var order []string
		for _, id := range got {
			if slices.Contains(keyIDs(s.Keys), id) {
				order = append(order, id)
			}
		}
		wantOrder := slices.DeleteFunc(keyIDs(s.Keys), func(id string) bool { return !slices.Contains(want, id) })
		if !slices.Equal(order, wantOrder) {
			t.Errorf("%s: scope %s out of its order: %v, want %v", what, s.Name, order, wantOrder)
		}
	}
}

func fleetRequests(fx FleetFixture) []int {
	out := make([]int, len(fx.Scopes))
	for i, s := range fx.Scopes {
		out[i] = s.Requests()
	}
	return out
}

func testFleetListAll(t *testing.T, _ FleetHarness, fx FleetFixture) {
	for _, size := range []int{1, 2, 0, fx.MaxPageSize} {
		it := fx.Lister.ListKeys(context.Background(), kms.ListOptions{PageSize: size})
		keys, err := Collect(it)
		if err != nil {
			t.Fatalf("PageSize %d: %v", size, err)
		}
		checkFleetOnce(t, fmt.Sprintf("PageSize %d", size), fx, keyIDs(keys), fleetKeys(fx))
		if st := it.Stats(); st.ScopesDone != len(fx.Scopes) || st.ScopesTotal != len(fx.Scopes) || st.Items != int64(len(keys)) {
			t.Errorf("PageSize %d: Stats %+v", size, st)
		}
	}
}

// testFleetResume breaks after every 1 to 3 keys and resumes each time in
// a fresh fleet (another process), until the listing ends.
func testFleetResume(t *testing.T, h FleetHarness, fx FleetFixture) {
	want := fleetKeys(fx)
	for _, step := range []int{1, 2, 3} {
		var got []string
		cursor := ""
		for round := 0; round <= len(want); round++ {
			l := h.Setup(t, -1).Lister
			it := l.ListKeys(context.Background(), kms.ListOptions{PageSize: 2, Cursor: cursor})
			n := 0
			for k, err := range it.All() {
				if err != nil {
					t.Fatalf("step %d, round %d: %v", step, round, err)
				}
				got = append(got, k.ID)
				if n++; n == step {
					break
				}
			}
			if cursor = it.Cursor(); cursor == "" {
				break
			}
		}
		checkFleetOnce(t, fmt.Sprintf("resumed every %d keys", step), fx, got, want)
	}
}

func testFleetFailedScope(t *testing.T, _ FleetHarness, fx FleetFixture) {
	it := fx.Lister.ListKeys(context.Background(), kms.ListOptions{PageSize: 2})
	var (
		got []string
		err error
	)
	for k, e := range it.All() {
		if e != nil {
			err = e
			break
		}
		got = append(got, k.ID)
	}
	var se *kms.ScopeError
	var ke *kms.Error
	if !errors.As(err, &se) || se.Scope != fx.Scopes[1].Name || !errors.As(err, &ke) {
		t.Fatalf("error %v: want a *kms.ScopeError for %s reaching its *kms.Error", err, fx.Scopes[1].Name)
	}
	// The failed scope's keys handed out are a prefix of its keys, short of
	// all; every other scope's keys came out once.
	failed := keyIDs(fx.Scopes[1].Keys)
	var others, part []string
	for _, id := range got {
		if slices.Contains(failed, id) {
			part = append(part, id)
		}
	}
	if len(part) >= len(failed) || !slices.Equal(part, failed[:len(part)]) {
		t.Fatalf("the failed scope yielded %v, want a prefix of %v short of all", part, failed)
	}
	for i, s := range fx.Scopes {
		if i != 1 {
			others = append(others, keyIDs(s.Keys)...)
		}
	}
	checkFleetOnce(t, "with a failed scope", fx, got, append(others, part...))
	if st := it.Stats(); st.ScopesFailed != 1 || st.ScopesDone != len(fx.Scopes)-1 {
		t.Errorf("Stats %+v: want 1 failed, %d done", st, len(fx.Scopes)-1)
	}
	// The scope has mended: the cursor resumes exactly its rest, and
	// nothing of the others.
	before := fleetRequests(fx)
	rest, err := Collect(fx.Lister.ListKeys(context.Background(), kms.ListOptions{PageSize: 2, Cursor: it.Cursor()}))
	if err != nil {
		t.Fatalf("resumed: %v", err)
	}
	if !slices.Equal(keyIDs(rest), failed[len(part):]) {
		t.Errorf("resumed: %v, want %v", keyIDs(rest), failed[len(part):])
	}
	after := fleetRequests(fx)
	for i := range after {
		if i != 1 && after[i] != before[i] {
			t.Errorf("resume sent %d requests to scope %s, which had finished", after[i]-before[i], fx.Scopes[i].Name)
		}
	}
}

func testFleetMaxItems(t *testing.T, _ FleetHarness, fx FleetFixture) {
	before := fleetRequests(fx)
	keys, err := Collect(fx.Lister.ListKeys(context.Background(), kms.ListOptions{PageSize: fx.MaxPageSize, Detail: kms.DetailFull, MaxItems: 3}))
	if err != nil || len(keys) != 3 {
		t.Fatalf("MaxItems 3: %d keys, %v", len(keys), err)
	}
	sent := 0
	for i, n := range fleetRequests(fx) {
		sent += n - before[i]
	}
	if limit := len(fx.Scopes)*fx.PerScope + 3*fx.PerKey; sent > limit {
		t.Errorf("MaxItems 3 (DetailFull, PageSize %d): %d requests, want at most %d", fx.MaxPageSize, sent, limit)
	}
}

func testFleetBadOptions(t *testing.T, _ FleetHarness, fx FleetFixture) {
	ctx := context.Background()
	key := fx.Scopes[0].Keys[0].ID
	bad := map[string]func() error{
		"PageSize too large": func() error {
			return firstErr(fx.Lister.ListKeys(ctx, kms.ListOptions{PageSize: fx.MaxPageSize + 1}))
		},
		"PageSize MaxInt": func() error { return firstErr(fx.Lister.ListKeys(ctx, kms.ListOptions{PageSize: math.MaxInt})) },
		"Detail":          func() error { return firstErr(fx.Lister.ListKeys(ctx, kms.ListOptions{Detail: kms.Detail(99)})) },
		"MaxItems":        func() error { return firstErr(fx.Lister.ListKeys(ctx, kms.ListOptions{MaxItems: -1})) },
		"ListKeyVersions PageSize MaxInt": func() error {
			return firstErr(fx.Lister.ListKeyVersions(ctx, key, kms.ListOptions{PageSize: math.MaxInt}))
		},
		"cursor of another listing": func() error {
			c := cursorAfterOne(t, fx.Lister.ListKeyVersions(ctx, key, kms.ListOptions{PageSize: 1, MaxItems: 1}))
			return firstErr(fx.Lister.ListKeys(ctx, kms.ListOptions{Cursor: c}))
		},
	}
	for name, call := range bad {
		before := fleetRequests(fx)
		if name == "cursor of another listing" {
			before = nil // the cursor's own listing sends requests; checked below
		}
		err := call()
		if !errors.Is(err, kms.ErrInvalidArgument) && !errors.Is(err, kms.ErrInvalidCursor) {
			t.Errorf("%s: %v, want ErrInvalidArgument or ErrInvalidCursor", name, err)
		}
		if before == nil {
			continue
		}
		if after := fleetRequests(fx); !slices.Equal(after, before) {
			t.Errorf("%s: requests per scope went from %v to %v, want none sent", name, before, after)
		}
	}
	before := fleetRequests(fx)
	err := firstErr(fx.Lister.ListKeys(ctx, kms.ListOptions{PageSize: fx.MaxPageSize + 1}))
	var ke *kms.Error
	if !errors.As(err, &ke) || !strings.Contains(err.Error(), "PageSize") {
		t.Errorf("a PageSize the listers reject: %v, want a *kms.Error naming PageSize", err)
	}
	if after := fleetRequests(fx); !slices.Equal(after, before) {
		t.Errorf("rejected PageSize: requests %v -> %v", before, after)
	}
}

func testFleetCancel(t *testing.T, _ FleetHarness, fx FleetFixture) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var err error
	for _, e := range fx.Lister.ListKeys(ctx, kms.ListOptions{PageSize: 1}).All() {
		if e != nil {
			err = e
			break
		}
		cancel()
	}
	var se *kms.ScopeError
	if !errors.Is(err, context.Canceled) || errors.As(err, &se) {
		t.Errorf("cancelled listing: %v, want context.Canceled and no *kms.ScopeError", err)
	}
}

// testFleetChanged resumes a cursor of the whole fleet over the fleet
// without its second scope, and one of the fleet without its last scope
// over the whole fleet, from a few break points: every other scope's keys
// come out once over the two runs; the scope gone yields a prefix of its
// keys and, if it was left part-way, ends as a *kms.ScopeError naming it of
// class ErrNotFound; the scope new is listed whole.
func testFleetChanged(t *testing.T, h FleetHarness, fx FleetFixture) {
	all := make([]int, len(fx.Scopes))
	for i := range all {
		all[i] = i
	}
	total := len(fleetKeys(fx))
	for _, stop := range []int{1, len(fx.Scopes[0].Keys) + 1, total / 2} {
		fx := h.Setup(t, -1)
		gone := keyIDs(fx.Scopes[1].Keys)
		got := takeKeys(t, fx.Lister, stop, "")
		rest, err := Collect(h.Subset(t, fx, slices.Delete(slices.Clone(all), 1, 2)).ListKeys(context.Background(), kms.ListOptions{PageSize: 1, Cursor: got.cursor}))
		ids := append(got.ids, keyIDs(rest)...)
		var part, want []string
		for _, id := range ids {
			if slices.Contains(gone, id) {
				part = append(part, id)
			}
		}
		for i, s := range fx.Scopes {
			if i != 1 {
				want = append(want, keyIDs(s.Keys)...)
			}
		}
		checkFleetOnce(t, fmt.Sprintf("scope %s gone after %d keys", fx.Scopes[1].Name, stop), fx, ids, append(want, part...))
		if len(part) > len(gone) || !slices.Equal(part, gone[:len(part)]) {
			t.Errorf("scope gone after %d keys: it yielded %v, want a prefix of %v", stop, part, gone)
		}
		var se *kms.ScopeError
		isGone := errors.As(err, &se) && se.Scope == fx.Scopes[1].Name && errors.Is(err, kms.ErrNotFound)
		if (len(part) > 0 && len(part) < len(gone) && !isGone) || (err != nil && !isGone) {
			t.Errorf("scope %s gone after %d keys (%d of its %d listed): error %v, want its *kms.ScopeError of class ErrNotFound",
				fx.Scopes[1].Name, stop, len(part), len(gone), err)
		}

		fx = h.Setup(t, -1)
		last := len(fx.Scopes) - 1
		got = takeKeys(t, h.Subset(t, fx, all[:last]), stop, "")
		rest, err = Collect(fx.Lister.ListKeys(context.Background(), kms.ListOptions{PageSize: 1, Cursor: got.cursor}))
		if err != nil {
			t.Fatalf("scope %s new after %d keys: %v", fx.Scopes[last].Name, stop, err)
		}
		checkFleetOnce(t, fmt.Sprintf("scope %s new after %d keys", fx.Scopes[last].Name, stop), fx, append(got.ids, keyIDs(rest)...), fleetKeys(fx))
	}
}

type taken struct {
	ids    []string
	cursor string
}

// takeKeys lists n keys of l (pages of 1) and returns them and the cursor.
func takeKeys(t *testing.T, l kms.Lister, n int, cursor string) taken {
	t.Helper()
	it := l.ListKeys(context.Background(), kms.ListOptions{PageSize: 1, Cursor: cursor})
	var out taken
	for k, err := range it.All() {
		if err != nil {
			t.Fatalf("listing %d keys: %v", n, err)
		}
		if out.ids = append(out.ids, k.ID); len(out.ids) == n {
			break
		}
	}
	out.cursor = it.Cursor()
	return out
}
