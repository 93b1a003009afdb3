package pagination

import (
	"context"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Adaptation of a Limiter: on throttling the pace is multiplied by
// throttleFactor, never below the floor (see floor); on success it climbs by
// ceiling/recoverySteps, never above the ceiling.
const (
	throttleFactor = 0.5
	recoverySteps  = 20
)

// Limiter is an adaptive request limiter over golang.org/x/time/rate: it
// paces requests at a configured ceiling, slows down when told of throttling
// and climbs back towards the ceiling on success. A nil *Limiter does nothing.
// It is safe for concurrent use.
//
// The adaptation is additive-increase, multiplicative-decrease: every
// Throttled halves the pace (down to a floor of ceiling/20, or 1 request a
// second if that is higher and still within the ceiling), every Succeeded
// adds ceiling/20 until the ceiling is reached again. The iterators and Call
// halve it at most once for the requests sent at one pace: when several
// requests in flight are throttled together, the answers to those sent
// before the pace was last lowered lower it no further.
type Limiter struct {
	lim *rate.Limiter

	mu      sync.Mutex
	ceiling float64   // requests a second; +Inf for no pacing
	current float64   // pace now, in [floor, ceiling]
	lowered time.Time // when throttling last lowered the pace
}

// NewLimiter returns a Limiter allowing perSecond requests a second with the given burst.
// A perSecond that is not positive (or +Inf, or NaN) means no pacing; such a
// limiter never slows down. A burst below 1 means 1.
func NewLimiter(perSecond float64, burst int) *Limiter {
	c := normCeiling(perSecond)
	return &Limiter{
		lim:     rate.NewLimiter(rateLimit(c), max(burst, 1)),
		ceiling: c,
		current: c,
	}
}

// normCeiling maps the "no pacing" values to +Inf.
func normCeiling(perSecond float64) float64 {
	if perSecond <= 0 || math.IsNaN(perSecond) {
		return math.Inf(1)
	}
	return perSecond
}

// Wait blocks until a request may be sent or ctx is done. It returns
// ctx.Err() if ctx ends first, or context.DeadlineExceeded at once if the
// pace would make the request miss ctx's deadline.
func (l *Limiter) Wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if l == nil {
		return nil
	}
	now := time.Now()
	r := l.lim.ReserveN(now, 1)
	if !r.OK() { // cannot happen with burst >= 1; be safe
		return context.DeadlineExceeded
	}
	d := r.DelayFrom(now)
	if d <= 0 {
		return nil
	}
	if dl, ok := ctx.Deadline(); ok && now.Add(d).After(dl) {
		r.CancelAt(now)
		return context.DeadlineExceeded
	}
	if err := sleepTimer(ctx, d); err != nil {
		r.Cancel()
		return err
	}
	return nil
}

// Throttled tells the limiter the server throttled a request: it slows down.
func (l *Limiter) Throttled() { l.throttled(time.Time{}) }

// throttled is Throttled for a request sent at sent: a request sent before
// the pace was last lowered was sent at the old pace and changes nothing.
// A zero sent always slows down.
func (l *Limiter) throttled(sent time.Time) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if math.IsInf(l.ceiling, 1) || (!sent.IsZero() && !sent.After(l.lowered)) {
		return
	}
	l.lowered = time.Now()
	l.set(max(l.current*throttleFactor, l.floor()))
}

// Succeeded tells the limiter a request went through: it speeds back up
// towards its ceiling.
func (l *Limiter) Succeeded() {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.current >= l.ceiling {
		return
	}
	l.set(min(l.current+l.ceiling/recoverySteps, l.ceiling))
}

// SetLimit changes the ceiling to perSecond requests a second. A limiter
// running at its old ceiling moves to the new one at once; one slowed down by
// throttling keeps its pace (lowered to the new ceiling if above it) and
// climbs towards the new ceiling. A perSecond that is not positive means no
// pacing.
func (l *Limiter) SetLimit(perSecond float64) {
	if l == nil {
		return
	}
	c := normCeiling(perSecond)
	l.mu.Lock()
	defer l.mu.Unlock()
	atCeiling := l.current >= l.ceiling
	l.ceiling = c
	if atCeiling || l.current > c {
		l.set(c)
		return
	}
	l.set(max(l.current, l.floor()))
}

// Limit returns the current pace in requests a second (+Inf for no pacing,
// 0 for a nil Limiter).
func (l *Limiter) Limit() float64 {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.current
}

// floor is the lowest pace throttling may bring the limiter to. l.mu is held.
func (l *Limiter) floor() float64 {
	return max(l.ceiling/recoverySteps, min(1, l.ceiling))
}

// set moves the current pace to v. l.mu is held.
func (l *Limiter) set(v float64) {
	l.current = v
	l.lim.SetLimit(rateLimit(v))
}

// rateLimit converts a pace to a rate.Limit, +Inf to rate.Inf.
func rateLimit(v float64) rate.Limit {
	if math.IsInf(v, 1) {
		return rate.Inf
	}
	return rate.Limit(v)
}
