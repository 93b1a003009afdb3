package pagination

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// Defaults of a zero Retry.
const (
	defaultMaxAttempts = 5
	defaultBaseDelay   = 100 * time.Millisecond
	defaultMaxDelay    = 5 * time.Second
)

// sleep waits d or until ctx is done, whichever comes first, and returns
// ctx.Err() in the latter case. It is a variable so that tests can make the
// backoff instant or record it.
var sleep = sleepTimer

// sleepTimer is the real sleep: a timer raced against ctx.
func sleepTimer(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Call runs fn once, then again on retryable failures under r, waiting on
// lim (which may be nil) before every attempt and telling it of throttling
// (once for the attempts sent at one pace; see Limiter).
// It is what the iterators use for every page; adapters use it for single
// requests such as DescribeKey.
//
// Backoff between attempts is exponential from r.BaseDelay, capped at
// r.MaxDelay, with full jitter. Once ctx is done nothing is retried and its
// error is returned unwrapped; a context error of fn's own while ctx lives
// (an HTTP client timeout, say) is retried only if r.Retryable says so.
// When the attempts run out, the last error is returned.
func Call(ctx context.Context, r Retry, lim *Limiter, fn func(ctx context.Context) error) error {
	_, err := callValue(ctx, r, lim, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, fn(ctx)
	})
	return err
}

// callValue is Call for a function with a result: the engine calls it for
// every page fetch. On failure it returns the zero R.
func callValue[R any](ctx context.Context, r Retry, lim *Limiter, fn func(ctx context.Context) (R, error)) (R, error) {
	return callObserved(ctx, Request{Retry: r, Limiter: lim}, fn)
}

// callObserved is callValue telling req.Observer of each attempt, and the
// observer and counters of the loop ctx belongs to (see run).
func callObserved[R any](ctx context.Context, req Request, fn func(ctx context.Context) (R, error)) (R, error) {
	var zero R
	p, lim := req.Retry.normalize(), req.Limiter
	n := notifier{req: req, run: runOf(ctx)}
	for attempt := 1; ; attempt++ {
		if err := lim.Wait(ctx); err != nil {
			return zero, err
		}
		sent := time.Now()
		v, err := fn(ctx)
		n.request(attempt, time.Since(sent), err)
		pace := lim.Limit()
		if err == nil {
			lim.Succeeded()
			n.pace(pace, lim.Limit())
			return v, nil
		}
		if IsThrottled(err) {
			n.throttled()
			lim.throttled(sent)
			n.pace(pace, lim.Limit())
		}
		if cerr := ctx.Err(); cerr != nil && isContextErr(err) {
			return zero, cerr
		}
		if attempt >= p.MaxAttempts || !p.Retryable(err) {
			return zero, err
		}
		wait := p.backoff(attempt)
		n.event(Event{Kind: EventRetryWait, Attempt: attempt, Duration: wait, Err: err})
		if serr := sleep(ctx, wait); serr != nil {
			return zero, serr
		}
	}
}

// notifier tells a request's events to its observer and to the loop's.
type notifier struct {
	req Request
	run *run
}

func (n notifier) event(e Event) {
	e.Op = n.req.Op
	e.Scope = n.req.Scope
	if n.req.Observer != nil {
		n.req.Observer(e)
	}
	if n.run != nil && n.run.obs != nil {
		if n.run.scope != "" {
			e.Scope = n.run.scope // the fleet member, for the fleet's observer
		}
		n.run.obs(e)
	}
}

// request counts and tells one attempt.
func (n notifier) request(attempt int, d time.Duration, err error) {
	if n.run != nil && n.run.stats != nil {
		n.run.stats.requests.Add(1)
		if attempt > 1 {
			n.run.stats.retries.Add(1)
		}
	}
	n.event(Event{Kind: EventRequest, Attempt: attempt, Duration: d, Err: err})
}

func (n notifier) throttled() {
	if n.run != nil && n.run.stats != nil {
		n.run.stats.throttled.Add(1)
	}
}

// pace records the limiter's pace and tells a change of it.
func (n notifier) pace(before, after float64) {
	if n.req.Limiter == nil {
		return
	}
	if n.run != nil {
		n.run.stats.setPace(after)
	}
	if after != before {
		n.event(Event{Kind: EventPace, Pace: after})
	}
}

// isContextErr reports whether err is, or wraps, a context error.
func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// normalize returns r with its defaults filled in.
func (r Retry) normalize() Retry {
	switch {
	case r.MaxAttempts == 0:
		r.MaxAttempts = defaultMaxAttempts
	case r.MaxAttempts < 0:
		r.MaxAttempts = 1
	}
	if r.BaseDelay <= 0 {
		r.BaseDelay = defaultBaseDelay
	}
	if r.MaxDelay <= 0 {
		r.MaxDelay = defaultMaxDelay
	}
	if r.MaxDelay < r.BaseDelay {
		r.MaxDelay = r.BaseDelay
	}
	if r.Retryable == nil {
		r.Retryable = IsRetryable
	}
	return r
}

// backoff returns the pause after the given failed attempt (from 1): a
// uniformly random duration in [0, min(MaxDelay, BaseDelay*2^(attempt-1))]
// ("full jitter"). r must be normalized.
func (r Retry) backoff(attempt int) time.Duration {
	return rand.N(r.backoffCap(attempt) + 1)
}

// backoffCap is the upper bound of backoff(attempt), free of overflow.
func (r Retry) backoffCap(attempt int) time.Duration {
	d := r.BaseDelay
	for i := 1; i < attempt && d < r.MaxDelay; i++ {
		d *= 2
	}
	return min(d, r.MaxDelay)
}

// ReportDetailFailed tells obs (which may be nil), and the observer of the
// fan-out whose loop ctx belongs to, that a per-item request (a describe,
// an extra) of op failed with err while the item still comes out, carrying
// the reason: an EventDetailFailed. A Map function calls it with the
// context it is given. err must be the classified error the caller sees,
// holding no credential.
func ReportDetailFailed(ctx context.Context, obs Observer, op, scope string, err error) {
	notifier{req: Request{Op: op, Scope: scope, Observer: obs}, run: runOf(ctx)}.event(Event{Kind: EventDetailFailed, Err: err})
}
