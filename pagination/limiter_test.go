package pagination

import (
	"context"
	"errors"
	"math"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// checkLimit asserts the limiter's pace and that the rate.Limiter underneath
// follows it.
func checkLimit(t *testing.T, l *Limiter, want float64) {
	t.Helper()
	if got := l.Limit(); math.Abs(got-want) > 1e-9 {
		t.Fatalf("Limit() = %v, want %v", got, want)
	}
	if got := l.lim.Limit(); got != rateLimit(want) {
		t.Fatalf("rate.Limiter at %v, want %v", got, rateLimit(want))
	}
}

func TestLimiterThrottledHalvesDownToFloor(t *testing.T) {
	l := NewLimiter(100, 1)
	checkLimit(t, l, 100)
	for _, want := range []float64{50, 25, 12.5, 6.25, 5, 5, 5} {
		l.Throttled()
		checkLimit(t, l, want)
	}
}

func TestLimiterSucceededClimbsBackToCeiling(t *testing.T) {
	l := NewLimiter(100, 1)
	for range 10 {
		l.Throttled()
	}
	checkLimit(t, l, 5)
	for i := 1; i <= 19; i++ {
		l.Succeeded()
		checkLimit(t, l, 5+5*float64(i))
	}
	for range 3 {
		l.Succeeded()
		checkLimit(t, l, 100)
	}
}

func TestLimiterMixedFeedback(t *testing.T) {
	l := NewLimiter(200, 5)
	l.Throttled() // 100
	l.Succeeded() // 110
	l.Succeeded() // 120
	l.Throttled() // 60
	checkLimit(t, l, 60)
}

func TestLimiterFloorForSmallCeilings(t *testing.T) {
	for _, tc := range []struct{ ceiling, floor float64 }{
		{2, 1},       // 1 request a second is above ceiling/20
		{10, 1},      // likewise
		{40, 2},      // ceiling/20
		{0.5, 0.5},   // below 1/s: already as slow as allowed
		{1000, 50},   // ceiling/20
		{20, 1},      // equal
		{0.01, 0.01}, // tiny ceiling stays put
	} {
		l := NewLimiter(tc.ceiling, 1)
		for range 20 {
			l.Throttled()
		}
		checkLimit(t, l, tc.floor)
	}
}

func TestLimiterSetLimit(t *testing.T) {
	l := NewLimiter(100, 1)
	l.SetLimit(200) // at the ceiling: follows it at once
	checkLimit(t, l, 200)

	l.Throttled() // 100
	l.SetLimit(400)
	checkLimit(t, l, 100) // slowed down: keeps its pace...
	l.Succeeded()
	checkLimit(t, l, 120) // ...and climbs by the new ceiling/20

	l.SetLimit(30) // below the current pace: lowered to it
	checkLimit(t, l, 30)
	l.Throttled()
	checkLimit(t, l, 15)
	l.SetLimit(1000) // floor rises to 50 above the current pace
	checkLimit(t, l, 50)
}

func TestLimiterUnlimited(t *testing.T) {
	for _, perSecond := range []float64{0, -1, math.Inf(1), math.NaN()} {
		l := NewLimiter(perSecond, 0)
		l.Throttled()
		l.Succeeded()
		checkLimit(t, l, math.Inf(1))
		for range 100 {
			if err := l.Wait(context.Background()); err != nil {
				t.Fatalf("NewLimiter(%v).Wait: %v", perSecond, err)
			}
		}
	}
	l := NewLimiter(10, 1)
	l.Throttled()
	l.SetLimit(0)
	checkLimit(t, l, math.Inf(1))
	l.SetLimit(10)
	checkLimit(t, l, 10)
}

func TestLimiterNil(t *testing.T) {
	var l *Limiter
	l.Throttled()
	l.Succeeded()
	l.SetLimit(10)
	if got := l.Limit(); got != 0 {
		t.Fatalf("nil Limit() = %v, want 0", got)
	}
	if err := l.Wait(context.Background()); err != nil {
		t.Fatalf("nil Wait: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("nil Wait(cancelled) = %v, want context.Canceled", err)
	}
}

// slowLimiter returns a limiter whose burst is spent: the next request may
// go only in about 1000 seconds.
func slowLimiter(t *testing.T) *Limiter {
	t.Helper()
	l := NewLimiter(0.001, 1)
	if err := l.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	return l
}

func TestLimiterWaitCancelled(t *testing.T) {
	l := slowLimiter(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.Wait(ctx); err != context.Canceled {
		t.Fatalf("Wait(cancelled ctx) = %v, want context.Canceled", err)
	}
}

func TestLimiterWaitCancelledWhileWaiting(t *testing.T) {
	l := slowLimiter(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- l.Wait(ctx) }()
	cancel() // whether Wait is already blocked or not, it must return
	if err := <-done; err != context.Canceled {
		t.Fatalf("Wait = %v, want context.Canceled", err)
	}
}

func TestLimiterWaitDeadlineTooClose(t *testing.T) {
	l := slowLimiter(t)
	// The next slot is ~1000s away but the deadline only a minute: no
	// point waiting.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := l.Wait(ctx); err != context.DeadlineExceeded {
		t.Fatalf("Wait = %v, want context.DeadlineExceeded", err)
	}
}

func TestLimiterConcurrent(t *testing.T) {
	const ceiling = 1e6
	l := NewLimiter(ceiling, 100)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				if err := l.Wait(context.Background()); err != nil {
					t.Error(err)
					return
				}
				switch (g + i) % 4 {
				case 0:
					l.Throttled()
				case 1, 2:
					l.Succeeded()
				default:
					if v := l.Limit(); v < ceiling/recoverySteps || v > ceiling {
						t.Errorf("Limit() = %v outside [%v, %v]", v, ceiling/recoverySteps, float64(ceiling))
					}
				}
			}
		}()
	}
	wg.Wait()
	if v := l.Limit(); v < ceiling/recoverySteps || v > ceiling {
		t.Fatalf("Limit() = %v outside [%v, %v]", v, ceiling/recoverySteps, float64(ceiling))
	}
	if got := l.lim.Limit(); got != rate.Limit(l.Limit()) {
		t.Fatalf("rate.Limiter at %v, Limit() = %v", got, l.Limit())
	}
}

func TestLimiterLowersOnceForRequestsSentAtOnePace(t *testing.T) {
	l := NewLimiter(100, 1)
	sent := time.Now()
	for range 8 { // eight requests in flight, throttled together
		l.throttled(sent)
	}
	checkLimit(t, l, 50)
	l.throttled(l.lowered) // sent as the pace was lowered: still the old pace
	checkLimit(t, l, 50)
	l.throttled(l.lowered.Add(time.Nanosecond)) // sent at the new pace
	checkLimit(t, l, 25)
	l.Throttled() // no send time: always lowers
	checkLimit(t, l, 12.5)
}

func TestCallLowersTheLimiterOnceForConcurrentThrottling(t *testing.T) {
	l := NewLimiter(1e6, 100)
	throttled := &testErr{throttle: true}
	var sent, done sync.WaitGroup
	start := make(chan struct{})
	for range 8 {
		sent.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			_ = Call(context.Background(), Retry{MaxAttempts: 1}, l, func(context.Context) error {
				sent.Done()
				<-start // all eight are sent before any is answered
				return throttled
			})
		}()
	}
	sent.Wait()
	close(start)
	done.Wait()
	checkLimit(t, l, 5e5)
}
