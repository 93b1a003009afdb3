package pagination

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// testErr is a failure that classifies itself like kms.Error does.
type testErr struct {
	n                   int // attempt that produced it
	retryable, throttle bool
}

func (e *testErr) Error() string   { return fmt.Sprintf("failure %d", e.n) }
func (e *testErr) Retryable() bool { return e.retryable }
func (e *testErr) Throttled() bool { return e.throttle }

// recordSleep replaces the backoff sleep for the test with one that returns
// at once (or ctx.Err()) and records the pauses asked for.
func recordSleep(t *testing.T) *[]time.Duration {
	t.Helper()
	var (
		mu     sync.Mutex
		pauses []time.Duration
	)
	old := sleep
	sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		pauses = append(pauses, d)
		mu.Unlock()
		return ctx.Err()
	}
	t.Cleanup(func() { sleep = old })
	return &pauses
}

// failing returns a fn that fails with errs in turn, then succeeds, and a
// pointer to its call count.
func failing(errs ...error) (func(context.Context) error, *int) {
	calls := 0
	return func(context.Context) error {
		calls++
		if calls <= len(errs) {
			return errs[calls-1]
		}
		return nil
	}, &calls
}

// retryables returns n retryable failures numbered from 1.
func retryables(n int, throttle bool) []error {
	errs := make([]error, n)
	for i := range errs {
		errs[i] = &testErr{n: i + 1, retryable: true, throttle: throttle}
	}
	return errs
}

func TestCallAttempts(t *testing.T) {
	for _, tc := range []struct {
		maxAttempts, wantCalls int
	}{{0, 5}, {1, 1}, {-3, 1}, {3, 3}, {7, 7}} {
		pauses := recordSleep(t)
		fn, calls := failing(retryables(100, false)...)
		err := Call(context.Background(), Retry{MaxAttempts: tc.maxAttempts}, nil, fn)
		var te *testErr
		if !errors.As(err, &te) || te.n != tc.wantCalls {
			t.Errorf("MaxAttempts %d: err = %v, want the last failure %d", tc.maxAttempts, err, tc.wantCalls)
		}
		if *calls != tc.wantCalls || len(*pauses) != tc.wantCalls-1 {
			t.Errorf("MaxAttempts %d: %d calls, %d pauses; want %d, %d",
				tc.maxAttempts, *calls, len(*pauses), tc.wantCalls, tc.wantCalls-1)
		}
	}
}

func TestCallSucceedsAfterFailures(t *testing.T) {
	pauses := recordSleep(t)
	fn, calls := failing(retryables(2, false)...)
	if err := Call(context.Background(), Retry{}, nil, fn); err != nil {
		t.Fatalf("Call = %v, want nil", err)
	}
	if *calls != 3 || len(*pauses) != 2 {
		t.Fatalf("%d calls, %d pauses; want 3, 2", *calls, len(*pauses))
	}
}

func TestCallDoesNotRetryPermanentErrors(t *testing.T) {
	recordSleep(t)
	permanent := errors.New("not found")
	for _, err0 := range []error{permanent, &testErr{n: 1}, fmt.Errorf("wrapped: %w", permanent)} {
		fn, calls := failing(err0, err0)
		if err := Call(context.Background(), Retry{}, nil, fn); err != err0 {
			t.Errorf("Call = %v, want %v as it is", err, err0)
		}
		if *calls != 1 {
			t.Errorf("%v: %d calls, want 1", err0, *calls)
		}
	}
}

func TestCallCustomRetryable(t *testing.T) {
	recordSleep(t)
	flaky := errors.New("flaky")
	fn, calls := failing(flaky, flaky)
	r := Retry{Retryable: func(err error) bool { return err == flaky }}
	if err := Call(context.Background(), r, nil, fn); err != nil {
		t.Fatalf("Call = %v", err)
	}
	if *calls != 3 {
		t.Fatalf("%d calls, want 3", *calls)
	}
	// The custom policy replaces IsRetryable: a Retryable() error is final.
	fn, calls = failing(retryables(1, false)...)
	if err := Call(context.Background(), r, nil, fn); err == nil || *calls != 1 {
		t.Fatalf("Call = %v after %d calls, want the failure after 1", err, *calls)
	}
}

func TestCallContextErrors(t *testing.T) {
	recordSleep(t)
	always := Retry{Retryable: func(error) bool { return true }}
	wrappedDeadline := fmt.Errorf("http: %w", context.DeadlineExceeded)
	for _, err0 := range []error{context.Canceled, context.DeadlineExceeded, wrappedDeadline} {
		// The caller's ctx is live: the error is fn's own (an HTTP client
		// timeout, say). The default policy does not retry it...
		fn, calls := failing(err0, err0)
		if err := Call(context.Background(), Retry{}, nil, fn); err != err0 || *calls != 1 {
			t.Errorf("Call = %v after %d calls, want %v after 1", err, *calls, err0)
		}
		// ...a policy that says it is retryable does.
		fn, calls = failing(err0, err0)
		if err := Call(context.Background(), always, nil, fn); err != nil || *calls != 3 {
			t.Errorf("Call = %v after %d calls, want success after 3", err, *calls)
		}
	}
	// fn saw its own ctx cancelled and wrapped the error: the ctx error comes
	// back unwrapped.
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	err := Call(ctx, always, nil, func(context.Context) error {
		calls++
		cancel()
		return fmt.Errorf("sdk: %w", context.Canceled)
	})
	if err != context.Canceled || calls != 1 {
		t.Fatalf("Call = %v after %d calls, want context.Canceled after 1", err, calls)
	}
}

func TestCallCancelledBeforeStart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, lim := range []*Limiter{nil, NewLimiter(10, 1)} {
		fn, calls := failing()
		if err := Call(ctx, Retry{}, lim, fn); err != context.Canceled || *calls != 0 {
			t.Fatalf("Call = %v after %d calls, want context.Canceled after 0", err, *calls)
		}
	}
}

func TestCallCancelledDuringBackoff(t *testing.T) {
	entered := make(chan struct{})
	old := sleep
	sleep = func(ctx context.Context, d time.Duration) error {
		close(entered) // called once: the first backoff
		return sleepTimer(ctx, d)
	}
	t.Cleanup(func() { sleep = old })

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fn, calls := failing(retryables(5, false)...)
	done := make(chan error)
	go func() { done <- Call(ctx, Retry{BaseDelay: time.Hour, MaxDelay: time.Hour}, nil, fn) }()
	<-entered
	cancel() // the backoff may last up to an hour: it must end now
	if err := <-done; err != context.Canceled || *calls != 1 {
		t.Fatalf("Call = %v after %d calls, want context.Canceled after 1", err, *calls)
	}
}

func TestCallBackoffBounds(t *testing.T) {
	pauses := recordSleep(t)
	r := Retry{MaxAttempts: 6, BaseDelay: 10 * time.Millisecond, MaxDelay: 40 * time.Millisecond}
	for range 50 {
		*pauses = nil
		fn, _ := failing(retryables(10, false)...)
		_ = Call(context.Background(), r, nil, fn)
		caps := []time.Duration{10, 20, 40, 40, 40}
		if len(*pauses) != len(caps) {
			t.Fatalf("%d pauses, want %d", len(*pauses), len(caps))
		}
		for i, d := range *pauses {
			if d < 0 || d > caps[i]*time.Millisecond {
				t.Fatalf("pause %d = %v, want within [0, %v]", i+1, d, caps[i]*time.Millisecond)
			}
		}
	}
}

func TestBackoffJitterAndCap(t *testing.T) {
	r := Retry{}.normalize()
	if r.MaxAttempts != 5 || r.BaseDelay != 100*time.Millisecond || r.MaxDelay != 5*time.Second || r.Retryable == nil {
		t.Fatalf("zero Retry normalized to %+v", r)
	}
	for attempt, want := range map[int]time.Duration{
		1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 6: 3200 * time.Millisecond,
		7: 5 * time.Second, 1000: 5 * time.Second, // no overflow
	} {
		if got := r.backoffCap(attempt); got != want {
			t.Errorf("backoffCap(%d) = %v, want %v", attempt, got, want)
		}
	}
	seen := map[time.Duration]bool{}
	for range 1000 {
		d := r.backoff(3)
		if d < 0 || d > 400*time.Millisecond {
			t.Fatalf("backoff(3) = %v, want within [0, 400ms]", d)
		}
		seen[d] = true
	}
	if len(seen) < 100 {
		t.Fatalf("backoff(3) took only %d distinct values in 1000 draws: no jitter", len(seen))
	}
	if got := (Retry{BaseDelay: time.Second, MaxDelay: time.Millisecond}).normalize().MaxDelay; got != time.Second {
		t.Fatalf("MaxDelay below BaseDelay normalized to %v, want BaseDelay", got)
	}
}

func TestCallLimiterFeedback(t *testing.T) {
	recordSleep(t)
	const ceiling = 1e6
	lim := NewLimiter(ceiling, 10)
	fn, calls := failing(retryables(2, true)...)
	if err := Call(context.Background(), Retry{}, lim, fn); err != nil {
		t.Fatal(err)
	}
	// Two throttles halve twice, the success adds ceiling/20.
	if want := ceiling/4 + ceiling/recoverySteps; *calls != 3 || lim.Limit() != want {
		t.Fatalf("%d calls, Limit() = %v; want 3, %v", *calls, lim.Limit(), want)
	}
	// A retryable failure that is not throttling leaves the pace alone.
	before := lim.Limit()
	fn, _ = failing(retryables(4, false)...)
	if err := Call(context.Background(), Retry{MaxAttempts: 4}, lim, fn); err == nil {
		t.Fatal("Call succeeded, want the 4th failure")
	}
	if lim.Limit() != before {
		t.Fatalf("Limit() = %v after unthrottled failures, want %v", lim.Limit(), before)
	}
	// A throttled failure that is final still slows the limiter.
	fn, _ = failing(&testErr{n: 1, throttle: true})
	_ = Call(context.Background(), Retry{}, lim, fn)
	if lim.Limit() != before/2 {
		t.Fatalf("Limit() = %v after a final throttle, want %v", lim.Limit(), before/2)
	}
}

func TestCallLimiterDeadline(t *testing.T) {
	lim := slowLimiter(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	fn, calls := failing()
	if err := Call(ctx, Retry{}, lim, fn); err != context.DeadlineExceeded || *calls != 0 {
		t.Fatalf("Call = %v after %d calls, want context.DeadlineExceeded after 0", err, *calls)
	}
}

func TestCallValue(t *testing.T) {
	recordSleep(t)
	n := 0
	v, err := callValue(context.Background(), Retry{}, nil, func(context.Context) (string, error) {
		n++
		if n < 3 {
			return "partial", &testErr{n: n, retryable: true}
		}
		return "page", nil
	})
	if v != "page" || err != nil || n != 3 {
		t.Fatalf("callValue = %q, %v after %d calls; want page, nil after 3", v, err, n)
	}
	v, err = callValue(context.Background(), Retry{}, nil, func(context.Context) (string, error) {
		return "partial", errors.New("final")
	})
	if v != "" || err == nil {
		t.Fatalf("callValue = %q, %v; want the zero value and the error", v, err)
	}
}

func TestSleepTimer(t *testing.T) {
	if err := sleepTimer(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	if err := sleepTimer(context.Background(), time.Microsecond); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, d := range []time.Duration{0, time.Hour} {
		if err := sleepTimer(ctx, d); err != context.Canceled {
			t.Fatalf("sleepTimer(cancelled, %v) = %v, want context.Canceled", d, err)
		}
	}
}
