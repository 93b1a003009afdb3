package pagination

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// memSource serves n items ("0".."n-1") in the three page shapes.
type memSource struct {
	n     int
	calls atomic.Int64
}

func (s *memSource) marker(_ context.Context, marker string, limit int) ([]string, string, bool, error) {
	s.calls.Add(1)
	start := 0
	if marker != "" {
		start, _ = strconv.Atoi(marker[1:])
	}
	if limit == 0 {
		limit = 3
	}
	end := min(start+limit, s.n)
	if end >= s.n {
		return s.items(start, end), "", false, nil
	}
	return s.items(start, end), "m" + strconv.Itoa(end), true, nil
}

func (s *memSource) token(ctx context.Context, token string, size int) ([]string, string, error) {
	items, next, _, err := s.marker(ctx, token, size)
	return items, next, err
}

func (s *memSource) number(_ context.Context, page, size int) ([]string, int, error) {
	s.calls.Add(1)
	start := min((page-1)*size, s.n)
	return s.items(start, min(start+size, s.n)), s.n, nil
}

func (s *memSource) items(from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, strconv.Itoa(i))
	}
	return out
}

type strategy struct {
	name string
	make func(src *memSource, opts Options) *Iterator[string]
}

var strategies = []strategy{
	{"marker", func(s *memSource, o Options) *Iterator[string] { return ByMarker(context.Background(), s.marker, o) }},
	{"token", func(s *memSource, o Options) *Iterator[string] { return ByPageToken(context.Background(), s.token, o) }},
	{"number", func(s *memSource, o Options) *Iterator[string] {
		return ByPageNumber(context.Background(), s.number, o)
	}},
	{"concat", func(s *memSource, o Options) *Iterator[string] {
		half := &memSource{n: s.n / 2}
		rest := &memSource{n: s.n - s.n/2}
		shift := func(it *Iterator[string]) *Iterator[string] {
			return Map(it, 2, func(_ context.Context, v string) (string, bool) {
				i, _ := strconv.Atoi(v)
				return strconv.Itoa(i + s.n/2), true
			})
		}
		return Concat(context.Background(), Options{Cursor: o.Cursor, Scope: o.Scope},
			func(ctx context.Context, c string) *Iterator[string] {
				return ByMarker(ctx, half.marker, Options{PageSize: o.PageSize, Cursor: c})
			},
			func(ctx context.Context, c string) *Iterator[string] {
				return shift(ByPageToken(ctx, rest.token, Options{PageSize: o.PageSize, Cursor: c}))
			})
	}},
	{"map-drop", func(s *memSource, o Options) *Iterator[string] {
		return Map(ByMarker(context.Background(), s.marker, o), 3, func(_ context.Context, v string) (string, bool) {
			return v, v != "4"
		})
	}},
}

func collect(t *testing.T, it *Iterator[string]) []string {
	t.Helper()
	var out []string
	for v, err := range it.All() {
		require.NoError(t, err)
		out = append(out, v)
	}
	return out
}

// takeN takes up to n items from it and breaks out.
func takeN(t *testing.T, it *Iterator[string], n int) []string {
	t.Helper()
	var got []string
	if n == 0 {
		return nil
	}
	for v, err := range it.All() {
		require.NoError(t, err)
		got = append(got, v)
		if len(got) == n {
			break
		}
	}
	return got
}

func TestResumeFromEveryItem(t *testing.T) {
	for _, st := range strategies {
		t.Run(st.name, func(t *testing.T) {
			for _, n := range []int{0, 1, 7, 9} {
				src := &memSource{n: n}
				want := collect(t, st.make(src, Options{PageSize: 3}))
				if st.name != "map-drop" {
					require.Equal(t, src.items(0, n), want)
				}
				for stopAt := 0; stopAt <= len(want); stopAt++ {
					it := st.make(src, Options{PageSize: 3})
					got := takeN(t, it, stopAt)
					for cursor := it.Cursor(); cursor != ""; cursor = it.Cursor() {
						it = st.make(src, Options{PageSize: 2, Cursor: cursor})
						got = append(got, takeN(t, it, 1)...)
					}
					assert.Equal(t, want, got, "n=%d stopAt=%d", n, stopAt)
				}
			}
		})
	}
}

func TestInvalidInputSendsNothing(t *testing.T) {
	for _, st := range strategies {
		src := &memSource{n: 5}
		for _, o := range []Options{{PageSize: -1}, {Cursor: "garbage"}, {Cursor: "c1AAAA"}} {
			for _, err := range st.make(src, o).All() {
				require.Error(t, err, st.name)
			}
		}
		assert.Zero(t, src.calls.Load(), st.name)
	}
	other := ByMarker(context.Background(), (&memSource{n: 5}).marker, Options{PageSize: 2, Scope: "a"})
	for range other.All() {
		break
	}
	src := &memSource{n: 5}
	for _, err := range ByMarker(context.Background(), src.marker, Options{Cursor: other.Cursor(), Scope: "b"}).All() {
		assert.ErrorIs(t, err, ErrInvalidCursor)
	}
	for _, err := range ByPageToken(context.Background(), src.token, Options{Cursor: other.Cursor(), Scope: "a"}).All() {
		assert.ErrorIs(t, err, ErrInvalidCursor)
	}
	assert.Zero(t, src.calls.Load())
}

func TestCheckTokenRefusesACursorsTokenBeforeAnyRequest(t *testing.T) {
	short := func(tok string) error {
		if len(tok) > 2 {
			return errors.New("token longer than 2")
		}
		return nil
	}
	src := &memSource{n: 50}
	made := ByMarker(context.Background(), src.marker, Options{PageSize: 20}) // markers "m20", "m40"
	n := 0
	for range made.All() {
		if n++; n == 21 { // inside the second page: the cursor holds "m20"
			break
		}
	}
	cursor := made.Cursor()
	calls := src.calls.Load()
	it := ByMarker(context.Background(), src.marker, Options{Cursor: cursor, CheckToken: short})
	_, err := Collect(it)
	require.ErrorIs(t, err, ErrInvalidCursor)
	assert.ErrorContains(t, err, "token longer than 2")
	assert.Equal(t, cursor, it.Cursor(), "the refused cursor is kept")
	assert.Equal(t, calls, src.calls.Load())

	resumed := concatAt(t, src, short)
	calls = src.calls.Load()
	_, err = Collect(resumed)
	assert.ErrorIs(t, err, ErrInvalidCursor)
	assert.Equal(t, calls, src.calls.Load(), "no part started")
}

// concatAt returns a three-part Concat over src resumed inside its second
// part at a marker CheckToken refuses (the third part would start at once).
func concatAt(t *testing.T, src *memSource, check func(string) error) *Iterator[string] {
	t.Helper()
	parts := func(check func(string) error) []func(context.Context, string) *Iterator[string] {
		part := func(ctx context.Context, c string) *Iterator[string] {
			return ByMarker(ctx, src.marker, Options{Cursor: c, PageSize: 20, CheckToken: check})
		}
		return []func(context.Context, string) *Iterator[string]{part, part, part}
	}
	it := Concat(context.Background(), Options{Concurrency: 1}, parts(nil)...)
	n := 0
	for _, err := range it.All() {
		require.NoError(t, err)
		if n++; n == 71 { // inside the second part's second page (marker "m20")
			break
		}
	}
	calls := src.calls.Load()
	resumed := Concat(context.Background(), Options{Cursor: it.Cursor()}, parts(check)...)
	require.Equal(t, calls, src.calls.Load())
	return resumed
}

func TestRepeatedTokenStops(t *testing.T) {
	calls := 0
	it := ByPageToken(context.Background(), func(context.Context, string, int) ([]int, string, error) {
		calls++
		return []int{calls}, "same", nil
	}, Options{})
	var err error
	for _, err = range it.All() {
	}
	assert.ErrorIs(t, err, ErrRepeatedToken)
	assert.Equal(t, 2, calls)
}

type retryable struct{}

func (retryable) Error() string   { return "try again" }
func (retryable) Retryable() bool { return true }

func TestRetryResumesSamePage(t *testing.T) {
	src := &memSource{n: 10}
	var fails atomic.Int64
	flaky := func(ctx context.Context, page, size int) ([]string, int, error) {
		if page == 2 && fails.Load() < 2 {
			fails.Add(1)
			return nil, 0, retryable{}
		}
		return src.number(ctx, page, size)
	}
	it := ByPageNumber(context.Background(), flaky, Options{PageSize: 3, Retry: Retry{BaseDelay: 1, MaxDelay: 1}})
	assert.Equal(t, src.items(0, 10), collect(t, it))
	assert.Equal(t, int64(2), fails.Load())
	assert.Equal(t, "", it.Cursor())
}

func TestCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	src := &memSource{n: 10}
	for _, err := range ByMarker(ctx, src.marker, Options{}).All() {
		assert.True(t, errors.Is(err, context.Canceled))
	}
}

// TestBreakStopsFetching breaks out while later pages are in flight on a
// source that only returns when cancelled: the loop must not hang and no
// goroutine may outlive it.
func TestBreakStopsFetching(t *testing.T) {
	blocking := func(ctx context.Context, first bool) error {
		if first {
			return nil
		}
		<-ctx.Done()
		return ctx.Err()
	}
	ignore := goleak.IgnoreCurrent()
	ctx := context.Background()
	its := map[string]*Iterator[int]{
		"marker": ByMarker(ctx, func(ctx context.Context, m string, _ int) ([]int, string, bool, error) {
			return []int{1, 2}, m + "x", true, blocking(ctx, m == "")
		}, Options{Prefetch: 3}),
		"token": ByPageToken(ctx, func(ctx context.Context, tok string, _ int) ([]int, string, error) {
			return []int{1, 2}, tok + "x", blocking(ctx, tok == "")
		}, Options{}),
		"number": ByPageNumber(ctx, func(ctx context.Context, page, _ int) ([]int, int, error) {
			return []int{1, 2}, 1000, blocking(ctx, page == 1)
		}, Options{PageSize: 2, Concurrency: 8}),
	}
	its["map"] = Map(ByPageNumber(ctx, func(ctx context.Context, page, _ int) ([]int, int, error) {
		return []int{1, page}, 1000, blocking(ctx, page <= 2)
	}, Options{PageSize: 2}), 4, func(ctx context.Context, v int) (int, bool) {
		if v == 2 { // the second page's items wait for the end
			<-ctx.Done()
		}
		return v, true
	})
	its["concat"] = Concat(ctx, Options{Concurrency: 3},
		func(ctx context.Context, c string) *Iterator[int] {
			return ByPageToken(ctx, func(ctx context.Context, tok string, _ int) ([]int, string, error) {
				return []int{1, 2}, tok + "x", blocking(ctx, tok == "")
			}, Options{Cursor: c})
		},
		func(ctx context.Context, c string) *Iterator[int] {
			return ByPageToken(ctx, func(ctx context.Context, tok string, _ int) ([]int, string, error) {
				return nil, "", blocking(ctx, false)
			}, Options{Cursor: c})
		})
	for name, it := range its {
		for v, err := range it.All() {
			require.NoError(t, err, name)
			require.Equal(t, 1, v, name)
			break
		}
		goleak.VerifyNone(t, ignore)
		assert.NotEmpty(t, it.Cursor(), name)
	}
}

func TestCollect(t *testing.T) {
	src := &memSource{n: 8}
	got, err := Collect(ByMarker(context.Background(), src.marker, Options{PageSize: 3, MaxItems: 5}))
	require.NoError(t, err)
	assert.Equal(t, src.items(0, 5), got, "MaxItems holds")

	failing := func(_ context.Context, marker string, _ int) ([]string, string, bool, error) {
		if marker != "" {
			return nil, "", false, errors.New("page 2 fails")
		}
		return []string{"a", "b"}, "m", true, nil
	}
	got, err = Collect(ByMarker(context.Background(), failing, Options{}))
	assert.EqualError(t, err, "page 2 fails")
	assert.Equal(t, []string{"a", "b"}, got, "the items before the error")
}
