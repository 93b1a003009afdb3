package pagination_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"

	"github.com/multikms/multikms/pagination"
)

// errGone is a permanent (not retryable) failure of a scope.
var errGone = errors.New("scope gone")

// memScope is a token-paginated scope of n items (first, first+1, ...),
// pages of size items, that counts its requests and fails every request
// while broken once failAfter requests have been answered.
type memScope struct {
	name      string
	first, n  int
	size      int
	reqs      atomic.Int64
	broken    atomic.Bool
	failAfter int64
	block     chan struct{} // when set, every request waits for it to close (or ctx)
}

func (s *memScope) fetch(ctx context.Context, token string, size int) ([]int, string, error) {
	n := s.reqs.Add(1)
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	if s.block != nil {
		select {
		case <-s.block:
		case <-ctx.Done():
			return nil, "", ctx.Err()
		}
	}
	if s.broken.Load() && n > s.failAfter {
		return nil, "", errGone
	}
	if size == 0 {
		size = s.size
	}
	off := 0
	if token != "" {
		off, _ = strconv.Atoi(token)
	}
	end := min(off+size, s.n)
	items := make([]int, 0, end-off)
	for i := off; i < end; i++ {
		items = append(items, s.first+i)
	}
	if end == s.n {
		return items, "", nil
	}
	return items, strconv.Itoa(end), nil
}

func (s *memScope) scope() pagination.Scope[int] {
	return pagination.Scope[int]{Name: s.name, List: func(ctx context.Context, cursor string) *pagination.Iterator[int] {
		return pagination.ByPageToken(ctx, s.fetch, pagination.Options{Cursor: cursor, Scope: s.name, Prefetch: -1})
	}}
}

func newScopes(counts ...int) []*memScope {
	out := make([]*memScope, len(counts))
	for i, n := range counts {
		out[i] = &memScope{name: fmt.Sprintf("s%d", i), first: i * 1000, n: n, size: 2}
	}
	return out
}

func scopesOf(ms []*memScope) []pagination.Scope[int] {
	out := make([]pagination.Scope[int], len(ms))
	for i, m := range ms {
		out[i] = m.scope()
	}
	return out
}

func wantOf(ms []*memScope, skip ...int) []int {
	var want []int
	for i, m := range ms {
		if slices.Contains(skip, i) {
			continue
		}
		for j := range m.n {
			want = append(want, m.first+j)
		}
	}
	return want
}

// checkExactlyOnce checks got against want as sets, each item once, and
// that the items of one scope (same thousand) come in increasing order.
func checkExactlyOnce(t *testing.T, got, want []int) {
	t.Helper()
	a, b := slices.Clone(got), slices.Clone(want)
	slices.Sort(a)
	slices.Sort(b)
	if !slices.Equal(a, b) {
		t.Fatalf("%s", diffListing(b, a))
	}
	last := map[int]int{}
	for _, v := range got {
		if p, ok := last[v/1000]; ok && v <= p {
			t.Fatalf("scope %d out of order: %d after %d in %v", v/1000, v, p, got)
		}
		last[v/1000] = v
	}
}

func requests(ms []*memScope) []int64 {
	out := make([]int64, len(ms))
	for i, m := range ms {
		out[i] = m.reqs.Load()
	}
	return out
}

func TestFanOutListsEveryScopeExactlyOnce(t *testing.T) {
	for _, conc := range []int{0, 1, 2, 5} {
		ms := newScopes(5, 0, 3, 7, 1)
		it := pagination.FanOut(context.Background(), pagination.FanOutOptions{Concurrency: conc}, scopesOf(ms)...)
		got, _, err := drain(it, -1, false)
		if err != nil {
			t.Fatal(err)
		}
		checkExactlyOnce(t, got, wantOf(ms))
		if c := it.Cursor(); c != "" {
			t.Errorf("Cursor() after the end = %q", c)
		}
		if st := it.Stats(); st.ScopesDone != 5 || st.ScopesTotal != 5 || st.ScopesFailed != 0 || st.Items != int64(len(got)) {
			t.Errorf("Stats = %+v", st)
		}
	}
}

// TestFanOutResumeFromEveryItem breaks after every item and resumes from
// the cursor in a fresh FanOut over fresh scopes, as another process would.
func TestFanOutResumeFromEveryItem(t *testing.T) {
	counts := []int{4, 0, 3, 5, 1, 2}
	total := 15
	for stop := 0; stop <= total; stop++ {
		ms := newScopes(counts...)
		it := pagination.FanOut(context.Background(), pagination.FanOutOptions{Concurrency: 3, Scope: "fleet"}, scopesOf(ms)...)
		got, _, err := drain(it, stop, false)
		if err != nil {
			t.Fatal(err)
		}
		for c := it.Cursor(); c != ""; {
			ms2 := newScopes(counts...)
			it2 := pagination.FanOut(context.Background(), pagination.FanOutOptions{Concurrency: 3, Scope: "fleet", Cursor: c}, scopesOf(ms2)...)
			more, _, err := drain(it2, 2, false)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, more...)
			c = it2.Cursor()
		}
		checkExactlyOnce(t, got, wantOf(ms))
	}
}

// TestFanOutSlowScopeHoldsBackNoOther: a scope whose requests never answer
// does not keep the others' items from coming out.
func TestFanOutSlowScopeHoldsBackNoOther(t *testing.T) {
	ms := newScopes(3, 4, 5, 6)
	ms[0].block = make(chan struct{}) // never closed: answers only to cancellation
	it := pagination.FanOut(context.Background(), pagination.FanOutOptions{Concurrency: 2}, scopesOf(ms)...)
	want := wantOf(ms, 0)
	got, _, err := drain(it, len(want), false)
	if err != nil {
		t.Fatal(err)
	}
	checkExactlyOnce(t, got, want)
	// The cursor resumes the slow scope from its start, and nothing else.
	ms2 := newScopes(3, 4, 5, 6)
	rest, _, err := drain(pagination.FanOut(context.Background(), pagination.FanOutOptions{Cursor: it.Cursor()}, scopesOf(ms2)...), -1, false)
	if err != nil {
		t.Fatal(err)
	}
	checkExactlyOnce(t, rest, wantOf(ms2[:1]))
	if r := requests(ms2); r[1] != 0 || r[2] != 0 || r[3] != 0 {
		t.Errorf("resume sent requests to finished scopes: %v", r)
	}
}

func TestFanOutFailedScopeIsIsolatedAndResumed(t *testing.T) {
	ms := newScopes(4, 6, 4)
	ms[1].broken.Store(true)
	ms[1].failAfter = 1 // its first page (2 items) comes, then it fails
	it := pagination.FanOut(context.Background(), pagination.FanOutOptions{}, scopesOf(ms)...)
	got, _, err := drain(it, -1, false)
	var se *pagination.ScopeError
	if !errors.As(err, &se) || se.Scope != "s1" || !errors.Is(err, errGone) {
		t.Fatalf("error %v: want a *ScopeError for s1 wrapping errGone", err)
	}
	checkExactlyOnce(t, got, append(wantOf(ms, 1), 1000, 1001))
	if st := it.Stats(); st.ScopesFailed != 1 || st.ScopesDone != 2 {
		t.Errorf("Stats = %+v, want 1 failed and 2 done", st)
	}
	// The same error again on a later loop; the cursor resumes s1 only.
	if _, _, err2 := drain(it, -1, false); !errors.Is(err2, errGone) {
		t.Errorf("later loop: %v, want the same error", err2)
	}
	ms2 := newScopes(4, 6, 4)
	rest, _, err := drain(pagination.FanOut(context.Background(), pagination.FanOutOptions{Cursor: it.Cursor()}, scopesOf(ms2)...), -1, false)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{1002, 1003, 1004, 1005}; !slices.Equal(rest, want) {
		t.Errorf("resumed: %v, want %v", rest, want)
	}
	if r := requests(ms2); r[0] != 0 || r[2] != 0 {
		t.Errorf("resume sent requests to finished scopes: %v", r)
	}
}

func TestFanOutJoinsEveryFailure(t *testing.T) {
	ms := newScopes(2, 2, 2, 2)
	for _, i := range []int{0, 3} {
		ms[i].broken.Store(true)
	}
	_, _, err := drain(pagination.FanOut(context.Background(), pagination.FanOutOptions{
		ScopeError: func(scope string, err error) error { return fmt.Errorf("wrapped %s: %w", scope, err) },
	}, scopesOf(ms)...), -1, false)
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok || len(joined.Unwrap()) != 2 {
		t.Fatalf("error %v: want two joined failures", err)
	}
	for _, e := range joined.Unwrap() {
		if !errors.Is(e, errGone) {
			t.Errorf("failure %v does not wrap errGone", e)
		}
	}
}

func TestFanOutFailFast(t *testing.T) {
	ms := newScopes(4, 4, 4)
	ms[0].broken.Store(true)
	ms[0].failAfter = 1
	it := pagination.FanOut(context.Background(), pagination.FanOutOptions{FailFast: true, Concurrency: 1}, scopesOf(ms)...)
	got, _, err := drain(it, -1, false)
	var se *pagination.ScopeError
	if !errors.As(err, &se) || se.Scope != "s0" {
		t.Fatalf("error %v, want s0's", err)
	}
	if r := requests(ms); r[1] != 0 || r[2] != 0 {
		t.Errorf("fail fast with one scope in flight started others: %v", r)
	}
	ms2 := newScopes(4, 4, 4)
	rest, _, err := drain(pagination.FanOut(context.Background(), pagination.FanOutOptions{Cursor: it.Cursor()}, scopesOf(ms2)...), -1, false)
	if err != nil {
		t.Fatal(err)
	}
	checkExactlyOnce(t, append(got, rest...), wantOf(ms))
}

func TestFanOutCancelIsNoScopeFailure(t *testing.T) {
	ms := newScopes(3, 3)
	ms[1].block = make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	it := pagination.FanOut(ctx, pagination.FanOutOptions{}, scopesOf(ms)...)
	var err error
	n := 0
	for _, e := range it.All() {
		if e != nil {
			err = e
			break
		}
		if n++; n == 3 {
			cancel() // s0 is done; s1 waits
		}
	}
	var se *pagination.ScopeError
	if !errors.Is(err, context.Canceled) || errors.As(err, &se) {
		t.Errorf("error %v: want context.Canceled and no *ScopeError", err)
	}
	if st := it.Stats(); st.ScopesFailed != 0 {
		t.Errorf("Stats = %+v: a cancelled scope counted as failed", st)
	}
}

// TestFanOutBadOptionsSendNothing: a scope whose Iterator rejects its
// options fails the fan-out before any request of any scope, naming it.
func TestFanOutBadOptionsSendNothing(t *testing.T) {
	ms := newScopes(3, 3, 3)
	scopes := scopesOf(ms)
	bad := errors.New("PageSize out of range")
	scopes[2].List = func(context.Context, string) *pagination.Iterator[int] { return pagination.Err[int](bad) }
	it := pagination.FanOut(context.Background(), pagination.FanOutOptions{}, scopes...)
	_, _, err := drain(it, -1, false)
	var se *pagination.ScopeError
	if !errors.As(err, &se) || se.Scope != "s2" || !errors.Is(err, bad) {
		t.Errorf("error %v: want s2's rejection", err)
	}
	if r := requests(ms); !slices.Equal(r, []int64{0, 0, 0}) {
		t.Errorf("requests %v, want none", r)
	}
	if _, _, err := drain(pagination.FanOut(context.Background(), pagination.FanOutOptions{Concurrency: -1}, scopes...), -1, false); !errors.Is(err, pagination.ErrInvalidArgument) {
		t.Errorf("Concurrency -1: %v", err)
	}
}

func TestFanOutRefusesForeignCursors(t *testing.T) {
	ms := newScopes(3, 3, 3)
	it := pagination.FanOut(context.Background(), pagination.FanOutOptions{Scope: "a", Concurrency: 1}, scopesOf(ms)...)
	if _, _, err := drain(it, 1, false); err != nil {
		t.Fatal(err)
	}
	fan := it.Cursor()
	leaf := pagination.ByPageToken(context.Background(), ms[0].fetch, pagination.Options{Scope: "s0"})
	if _, _, err := drain(leaf, 1, false); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]string{
		"another fan-out": fan, "a listing's cursor": leaf.Cursor(), "truncated": fan[:len(fan)-3], "garbage": "c2AAAA",
	} {
		opts := pagination.FanOutOptions{Scope: "b", Cursor: c}
		if name != "another fan-out" {
			opts.Scope = "a"
		}
		fresh := newScopes(3, 3, 3)
		_, _, err := drain(pagination.FanOut(context.Background(), opts, scopesOf(fresh)...), -1, false)
		if !errors.Is(err, pagination.ErrInvalidCursor) {
			t.Errorf("%s: %v, want ErrInvalidCursor", name, err)
		}
		if r := requests(fresh); !slices.Equal(r, []int64{0, 0, 0}) {
			t.Errorf("%s: requests %v, want none", name, r)
		}
	}
	// Fewer scopes than the cursor knows of is a changed fleet, not a
	// foreign cursor: the scope in flight (s0) resumes (see
	// fanout_changed_test.go).
	rest, _, err := drain(pagination.FanOut(context.Background(), pagination.FanOutOptions{Scope: "a", Cursor: fan}, scopesOf(newScopes(3))...), -1, false)
	if err != nil || !slices.Equal(rest, []int{1, 2}) {
		t.Errorf("fewer scopes: %v, %v; want s0's rest [1 2]", rest, err)
	}
}

// TestFanOutCursorGrowsWithScopesInFlight: 10,000 scopes, one of them
// never answering, the rest finishing: the cursor stays small all along.
func TestFanOutCursorGrowsWithScopesInFlight(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	counts := make([]int, 10000)
	for i := range counts {
		counts[i] = 1 + i%3
	}
	ms := newScopes(counts...)
	for _, m := range ms {
		m.first = m.first * 10 // keep the items of 10,000 scopes apart
	}
	ms[0].block = make(chan struct{})
	it := pagination.FanOut(context.Background(), pagination.FanOutOptions{Scope: "big"}, scopesOf(ms)...)
	var got []int
	longest := 0
	for v, err := range it.All() {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
		if len(got)%97 == 0 {
			longest = max(longest, len(it.Cursor()))
		}
		if len(got) == 15000 {
			break
		}
	}
	goleak.VerifyNone(t, ignore)
	// 16 scopes in flight, each its name and an ~20-byte cursor of its
	// own, and the sketch of the finished ones (see the FanOut doc).
	t.Logf("longest cursor over 10,000 scopes, 16 in flight: %d bytes", longest)
	if longest > 1024 {
		t.Errorf("longest cursor %d bytes over 10,000 scopes, want at most 1 KiB", longest)
	}
	c := it.Cursor()
	close(ms[0].block)
	ms2 := newScopes(counts...)
	for _, m := range ms2 {
		m.first = m.first * 10
	}
	rest, _, err := drain(pagination.FanOut(context.Background(), pagination.FanOutOptions{Scope: "big", Cursor: c}, scopesOf(ms2)...), -1, false)
	if err != nil {
		t.Fatal(err)
	}
	all := append(got, rest...)
	slices.Sort(all)
	want := wantOf(ms2)
	slices.Sort(want)
	if !slices.Equal(all, want) {
		t.Fatalf("%s", diffListing(want, all))
	}
}

// TestFanOutOfFanOuts: a fan-out whose scopes are fan-outs (a Merge of
// fleets) lists every item once, also over resume chains from every break
// point, its inner positions read from the outer loop's goroutine (the
// race detector checks it).
func TestFanOutOfFanOuts(t *testing.T) {
	build := func(cursor string) (*pagination.Iterator[int], []*memScope) {
		ms := newScopes(3, 0, 4, 2, 5, 1)
		inner := func(name string, part []*memScope) pagination.Scope[int] {
			return pagination.Scope[int]{Name: name, List: func(ctx context.Context, c string) *pagination.Iterator[int] {
				return pagination.FanOut(ctx, pagination.FanOutOptions{Cursor: c, Scope: name, Concurrency: 2}, scopesOf(part)...)
			}}
		}
		return pagination.FanOut(context.Background(), pagination.FanOutOptions{Cursor: cursor, Scope: "outer"},
			inner("a", ms[:3]), inner("b", ms[3:])), ms
	}
	for stop := 1; stop <= 15; stop++ {
		it, ms := build("")
		got, _, err := drain(it, stop, false)
		if err != nil {
			t.Fatal(err)
		}
		for c := it.Cursor(); c != ""; {
			it2, _ := build(c)
			more, _, err := drain(it2, stop, false)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, more...)
			c = it2.Cursor()
		}
		checkExactlyOnce(t, got, wantOf(ms))
	}
}
