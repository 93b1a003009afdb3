// Package adapter holds what the three cloud adapters do the same way, so
// that the adapter convention holds by construction: the settings every
// adapter's options set (rate limit, concurrency, prefetch, retry,
// observer), their validation, and strict URL parsing for kms.Open.
// Users must not import it.
package adapter

import (
	"math"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

// Sane maxima of the common options.
const (
	MaxRate        = 1e6 // requests a second
	MaxBurst       = 1e6
	MaxConcurrency = 1024
	MaxPrefetch    = 64
	MaxAttempts    = 100
)

// Settings are what the common options of every adapter set. An adapter's
// own settings struct embeds it; the first invalid option is kept in Err and
// returned, before any request, by the constructor or every call.
type Settings struct {
	Provider kms.Provider
	// Rate and Burst: the client-side pace; RateSet tells they were given.
	Rate    float64
	Burst   int
	RateSet bool
	// Limiter, when set, is shared with other Listers (same quota).
	Limiter *pagination.Limiter
	// Concurrency: the most requests one listing has in flight at once;
	// 0 means the adapter's default.
	Concurrency int
	// Prefetch: pages fetched ahead of the caller; 0 none. Default 1.
	Prefetch int
	Retry    pagination.Retry
	Observer pagination.Observer
	Err      error
}

// NewSettings returns the defaults of provider p: prefetch 1, no rate set.
func NewSettings(p kms.Provider) Settings { return Settings{Provider: p, Prefetch: 1} }

func (s *Settings) fail(param, format string, args ...any) {
	if s.Err == nil {
		s.Err = kms.InvalidArgument(s.Provider, "New", param, format, args...)
	}
}

// SetRateLimit sets the pace to perSecond with burst; both must be finite
// and within 0 < perSecond <= MaxRate, 1 <= burst <= MaxBurst.
func (s *Settings) SetRateLimit(perSecond float64, burst int) {
	if math.IsNaN(perSecond) || math.IsInf(perSecond, 0) || perSecond <= 0 || perSecond > MaxRate {
		s.fail("RateLimit", "perSecond must be a finite number in (0, %g], got %v", MaxRate, perSecond)
		return
	}
	if burst < 1 || burst > MaxBurst {
		s.fail("RateLimit", "burst must be 1..%d, got %d", int(MaxBurst), burst)
		return
	}
	s.Rate, s.Burst, s.RateSet = perSecond, burst, true
}

// SetLimiter shares lim (non-nil).
func (s *Settings) SetLimiter(lim *pagination.Limiter) {
	if lim == nil {
		s.fail("Limiter", "must not be nil")
		return
	}
	s.Limiter = lim
}

// SetConcurrency sets the requests in flight: 1..MaxConcurrency.
func (s *Settings) SetConcurrency(n int) {
	if n < 1 || n > MaxConcurrency {
		s.fail("Concurrency", "must be 1..%d, got %d", MaxConcurrency, n)
		return
	}
	s.Concurrency = n
}

// SetPrefetch sets the pages fetched ahead: 0..MaxPrefetch, 0 none.
func (s *Settings) SetPrefetch(n int) {
	if n < 0 || n > MaxPrefetch {
		s.fail("Prefetch", "must be 0..%d (0: none), got %d", MaxPrefetch, n)
		return
	}
	s.Prefetch = n
}

// SetRetry sets the retry policy: MaxAttempts 0..MaxAttempts (0: the
// default of 5), delays not negative.
func (s *Settings) SetRetry(r pagination.Retry) {
	if r.MaxAttempts < 0 || r.MaxAttempts > MaxAttempts || r.BaseDelay < 0 || r.MaxDelay < 0 {
		s.fail("Retry", "MaxAttempts must be 0..%d and delays not negative, got %+v", MaxAttempts, r)
		return
	}
	s.Retry = r
}

// SetObserver sets the observer of every request (nil: none).
func (s *Settings) SetObserver(o pagination.Observer) { s.Observer = o }

// EnginePrefetch is Prefetch as pagination.Options.Prefetch takes it.
func (s *Settings) EnginePrefetch() int {
	if s.Prefetch == 0 {
		return -1
	}
	return s.Prefetch
}

// ConcurrencyOr returns Concurrency, or def if none was set.
func (s *Settings) ConcurrencyOr(def int) int {
	if s.Concurrency == 0 {
		return def
	}
	return s.Concurrency
}

// NewLimiter returns the shared Limiter if one was set, else a Limiter at
// the set rate, else at the defaults given.
func (s *Settings) NewLimiter(defRate float64, defBurst int) *pagination.Limiter {
	switch {
	case s.Limiter != nil:
		return s.Limiter
	case s.RateSet:
		return pagination.NewLimiter(s.Rate, s.Burst)
	}
	return pagination.NewLimiter(defRate, defBurst)
}
