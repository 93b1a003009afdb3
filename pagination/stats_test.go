package pagination_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/multikms/multikms/pagination"
)

// recorder is an Observer that keeps every event.
type recorder struct {
	mu     sync.Mutex
	events []pagination.Event
}

func (r *recorder) observe(e pagination.Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

func (r *recorder) count(kind pagination.EventKind, scope string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.events {
		if e.Kind == kind && (scope == "" || e.Scope == scope) {
			n++
		}
	}
	return n
}

// throttledOnce is a source of 10 items in pages of 3 whose second request
// is throttled once (retried).
func throttledOnce() (func(ctx context.Context, token string, size int) ([]int, string, error), func(ctx context.Context, page, size int) ([]int, int, error)) {
	var mu sync.Mutex
	calls := 0
	fail := func() error {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls == 2 {
			return transient{throttle: true}
		}
		return nil
	}
	srv := newSmallServer(0, 10)
	token := func(ctx context.Context, tok string, size int) ([]int, string, error) {
		if err := fail(); err != nil {
			return nil, "", err
		}
		return srv.token(ctx, tok, size)
	}
	number := func(ctx context.Context, page, size int) ([]int, int, error) {
		if err := fail(); err != nil {
			return nil, 0, err
		}
		return srv.number(ctx, page, size)
	}
	return token, number
}

var instant = pagination.Retry{BaseDelay: time.Nanosecond, MaxDelay: time.Nanosecond}

// TestStatsEveryKind: every kind of Iterator counts its items, pages,
// requests, retries and throttled answers, and one scope.
func TestStatsEveryKind(t *testing.T) {
	build := map[string]func() *pagination.Iterator[int]{
		"token": func() *pagination.Iterator[int] {
			tok, _ := throttledOnce()
			return pagination.ByPageToken(context.Background(), tok, pagination.Options{PageSize: 3, Retry: instant, Limiter: pagination.NewLimiter(1000, 10)})
		},
		"marker": func() *pagination.Iterator[int] {
			tok, _ := throttledOnce()
			m := func(ctx context.Context, marker string, limit int) ([]int, string, bool, error) {
				items, next, err := tok(ctx, marker, limit)
				return items, next, next != "", err
			}
			return pagination.ByMarker(context.Background(), m, pagination.Options{PageSize: 3, Retry: instant, Limiter: pagination.NewLimiter(1000, 10)})
		},
		"pagenumber": func() *pagination.Iterator[int] {
			_, num := throttledOnce()
			return pagination.ByPageNumber(context.Background(), num, pagination.Options{PageSize: 3, Concurrency: 1, Retry: instant, Limiter: pagination.NewLimiter(1000, 10)})
		},
		"map": func() *pagination.Iterator[int] {
			tok, _ := throttledOnce()
			src := pagination.ByPageToken(context.Background(), tok, pagination.Options{PageSize: 3, Retry: instant, Limiter: pagination.NewLimiter(1000, 10)})
			return pagination.Map(src, 2, func(_ context.Context, v int) (int, bool) { return v, true })
		},
		"concat": func() *pagination.Iterator[int] {
			tok, _ := throttledOnce()
			part := func(ctx context.Context, c string) *pagination.Iterator[int] {
				return pagination.ByPageToken(ctx, tok, pagination.Options{Cursor: c, PageSize: 3, Retry: instant, Limiter: pagination.NewLimiter(1000, 10)})
			}
			return pagination.Concat(context.Background(), pagination.Options{}, part)
		},
		"fanout": func() *pagination.Iterator[int] {
			tok, _ := throttledOnce()
			s := pagination.Scope[int]{Name: "a", List: func(ctx context.Context, c string) *pagination.Iterator[int] {
				return pagination.ByPageToken(ctx, tok, pagination.Options{Cursor: c, PageSize: 3, Retry: instant, Limiter: pagination.NewLimiter(1000, 10)})
			}}
			return pagination.FanOut(context.Background(), pagination.FanOutOptions{}, s)
		},
	}
	for name, b := range build {
		it := b()
		got, _, err := drain(it, -1, false)
		if err != nil || len(got) != 10 {
			t.Fatalf("%s: %v, %v", name, got, err)
		}
		st := it.Stats()
		// 10 items in pages of 3: 4 pages (the page-number source may ask
		// one more, empty or not, to find the end), 1 retry, 1 throttled.
		if st.Items != 10 || st.Pages < 4 || st.Requests != st.Pages+1 || st.Retries != 1 || st.Throttled != 1 ||
			st.ScopesTotal != 1 || st.ScopesDone != 1 || st.Pace <= 0 {
			t.Errorf("%s: Stats = %+v", name, st)
		}
	}
}

// TestStatsWhileListing reads Stats from another goroutine while a fan-out
// runs (the race detector checks it), and sees the count grow.
func TestStatsWhileListing(t *testing.T) {
	ms := newScopes(50, 50, 50, 50)
	it := pagination.FanOut(context.Background(), pagination.FanOutOptions{}, scopesOf(ms)...)
	done := make(chan struct{})
	var seen []int64
	go func() {
		defer close(done)
		for range 50 {
			seen = append(seen, it.Stats().Items)
		}
	}()
	if _, _, err := drain(it, -1, false); err != nil {
		t.Fatal(err)
	}
	<-done
	for i := 1; i < len(seen); i++ {
		if seen[i] < seen[i-1] {
			t.Fatalf("Items went down: %v", seen)
		}
	}
	if st := it.Stats(); st.Items != 200 || st.ScopesDone != 4 || st.ScopesTotal != 4 || st.Pages != 100 {
		t.Errorf("Stats = %+v", st)
	}
}

func TestObserverEvents(t *testing.T) {
	rec := &recorder{}
	tok, _ := throttledOnce()
	ms := newScopes(3, 3)
	ms[1].broken.Store(true)
	scopes := append(scopesOf(ms), pagination.Scope[int]{Name: "t", List: func(ctx context.Context, c string) *pagination.Iterator[int] {
		src := pagination.ByPageToken(ctx, tok, pagination.Options{Cursor: c, PageSize: 3, Op: "ListThings", Retry: instant, Limiter: pagination.NewLimiter(1000, 10)})
		return pagination.Map(src, 1, func(ctx context.Context, v int) (int, bool) {
			if v == 4 {
				pagination.ReportDetailFailed(ctx, nil, "DescribeThing", "", errors.New("denied"))
			}
			return v, true
		})
	}})
	_, _, err := drain(pagination.FanOut(context.Background(), pagination.FanOutOptions{Observer: rec.observe}, scopes...), -1, false)
	if !errors.Is(err, errGone) {
		t.Fatalf("error %v, want s1's", err)
	}
	for _, c := range []struct {
		kind  pagination.EventKind
		scope string
		want  int
	}{
		{pagination.EventScopeStarted, "s0", 1}, {pagination.EventScopeDone, "s0", 1},
		{pagination.EventScopeFailed, "s1", 1}, {pagination.EventScopeDone, "s1", 0},
		{pagination.EventRequest, "t", 5}, {pagination.EventRetryWait, "t", 1},
		{pagination.EventDetailFailed, "t", 1}, {pagination.EventPace, "t", 4}, // halved, then up a step on each of 3 successes
	} {
		if n := rec.count(c.kind, c.scope); n != c.want {
			t.Errorf("%v events of scope %q: %d, want %d", c.kind, c.scope, n, c.want)
		}
	}
	for _, e := range rec.events {
		if e.Kind == pagination.EventRequest && e.Scope == "t" && (e.Op != "ListThings" || e.Attempt < 1) {
			t.Errorf("request event %+v: want Op ListThings and an attempt", e)
		}
	}
}

// slogRecorder is a slog.Handler that keeps the records.
type slogRecorder struct {
	mu      sync.Mutex
	records []slog.Record
}

func (h *slogRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (h *slogRecorder) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	h.records = append(h.records, r)
	h.mu.Unlock()
	return nil
}
func (h *slogRecorder) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *slogRecorder) WithGroup(string) slog.Handler      { return h }

func TestSlogObserver(t *testing.T) {
	h := &slogRecorder{}
	obs := pagination.SlogObserver(slog.New(h))
	failure := errors.New("access denied")
	obs(pagination.Event{Kind: pagination.EventRequest, Op: "ListKeys", Scope: "eu-west-1", Attempt: 2, Duration: time.Millisecond})
	obs(pagination.Event{Kind: pagination.EventScopeFailed, Scope: "eu-south-2", Err: failure})
	obs(pagination.Event{Kind: pagination.EventRetryWait, Op: "ListKeys", Attempt: 1, Duration: time.Second, Err: failure})
	obs(pagination.Event{Kind: pagination.EventPace, Op: "ListKeys", Pace: 250})
	want := []struct {
		level slog.Level
		msg   string
		attrs string
	}{
		{slog.LevelDebug, "multikms request", "op=ListKeys scope=eu-west-1 attempt=2 duration=1ms"},
		{slog.LevelWarn, "multikms scope-failed", "op= scope=eu-south-2 error=access denied"},
		{slog.LevelInfo, "multikms retry-wait", "op=ListKeys scope= attempt=1 duration=1s error=access denied"},
		{slog.LevelDebug, "multikms pace", "op=ListKeys scope= pace=250"},
	}
	if len(h.records) != len(want) {
		t.Fatalf("%d records, want %d", len(h.records), len(want))
	}
	for i, r := range h.records {
		var attrs []string
		r.Attrs(func(a slog.Attr) bool {
			attrs = append(attrs, a.Key+"="+a.Value.String())
			return true
		})
		if r.Level != want[i].level || r.Message != want[i].msg || strings.Join(attrs, " ") != want[i].attrs {
			t.Errorf("record %d: %v %q %v, want %v %q %s", i, r.Level, r.Message, attrs, want[i].level, want[i].msg, want[i].attrs)
		}
	}
}

// TestObserverOfNestedFanOut: the observer of a fan-out whose scopes are
// fan-outs (a Merge of fleets) is told of the inner scopes and requests too.
func TestObserverOfNestedFanOut(t *testing.T) {
	outer, inner := &recorder{}, &recorder{}
	ms := newScopes(2, 2)
	fleet := pagination.Scope[int]{Name: "fleet", List: func(ctx context.Context, c string) *pagination.Iterator[int] {
		return pagination.FanOut(ctx, pagination.FanOutOptions{Cursor: c, Scope: "inner", Observer: inner.observe}, scopesOf(ms)...)
	}}
	if _, _, err := drain(pagination.FanOut(context.Background(), pagination.FanOutOptions{Observer: outer.observe}, fleet), -1, false); err != nil {
		t.Fatal(err)
	}
	for _, r := range []*recorder{outer, inner} {
		if n := r.count(pagination.EventScopeDone, "s1"); n != 1 {
			t.Errorf("scope s1 done told %d times, want 1", n)
		}
		if n := r.count(pagination.EventRequest, "s0"); n != int(ms[0].reqs.Load()) {
			t.Errorf("%d requests of s0 told, %d sent", n, ms[0].reqs.Load())
		}
	}
	if n := outer.count(pagination.EventScopeDone, "fleet"); n != 1 {
		t.Errorf("outer: fleet done told %d times, want 1", n)
	}
}
