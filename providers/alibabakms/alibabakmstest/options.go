package alibabakmstest

import (
	"time"

	"golang.org/x/time/rate"
)

// Option configures a Server.
type Option func(*Server)

// WithRegion sets the region the server answers for (in ARNs).
func WithRegion(region string) Option { return func(s *Server) { s.store.region = region } }

// WithAccount sets the account UID (in ARNs and as the Creator of keys).
func WithAccount(account string) Option { return func(s *Server) { s.store.account = account } }

// WithAccessKey sets the only AccessKey pair the server accepts.
func WithAccessKey(id, secret string) Option {
	return func(s *Server) { s.keyID, s.secret = id, secret }
}

// WithSecurityToken makes the server accept only STS credentials: the
// AccessKey pair with this SecurityToken. A request without it answers
// MissingSecurityToken, one with another token
// InvalidSecurityToken.MismatchWithAccessKey, as the cloud does.
func WithSecurityToken(token string) Option { return func(s *Server) { s.token = token } }

// WithKeys seeds the server with keys, listed in this order before any
// generated ones.
func WithKeys(keys ...Key) Option { return func(s *Server) { s.store.add(keys...) } }

// WithGeneratedKeys adds n deterministic keys, computed on demand from their
// index (no memory per key), with varied states, specs, usages, creators and
// one to three versions each. seed tells apart the keys of two servers.
func WithGeneratedKeys(n int, seed int64) Option {
	return func(s *Server) { s.store.generated, s.store.seed = n, seed }
}

// WithLatency delays every answer by d.
func WithLatency(d time.Duration) Option { return func(s *Server) { s.latency = d } }

// WithReadQuota enforces the account's shared quota for all key-management
// reads together: perSecond requests a second with the given burst; the
// excess is answered 429 Rejected.Throttling. The cloud's quota is 50/s.
func WithReadQuota(perSecond float64, burst int) Option {
	return func(s *Server) { s.quota = rate.NewLimiter(rate.Limit(perSecond), burst) }
}

// WithTotalCount makes paged listings report fn(action, call, actual) as
// TotalCount instead of the actual count; call counts that action's
// requests from 1. It emulates a total that changes while a client pages.
func WithTotalCount(fn func(action string, call, actual int) int) Option {
	return func(s *Server) { s.total = fn }
}
