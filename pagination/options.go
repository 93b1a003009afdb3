// Package pagination turns the three page shapes that cloud APIs use
// (marker, page number, page token) into one Iterator with exact,
// resumable cursors, loop guards, retries, prefetching and rate limiting.
//
// It knows nothing about KMS or any cloud: the adapters in providers/
// translate a cloud's page into a MarkerFunc, PageNumberFunc or
// PageTokenFunc and hand it to ByMarker, ByPageNumber or ByPageToken.
//
// A fetch function only translates; the engine does the rest. What a source
// adds to its Options: a Scope naming the listing (so that a cursor cannot
// be used on another), a Limiter shared by everything that draws on one
// quota, a Retry policy (errors with a Retryable() true method are retried,
// with Throttled() true the Limiter slows down), and a CheckToken for the
// shape of the cloud's markers or tokens, since a cursor can be forged. A
// fetch function that builds large items fills them with PageBuffer; Concat
// joins listings (folders, kinds) one after another, FanOut lists scopes
// (regions, accounts, folders) concurrently with one cursor, and Map
// hydrates items concurrently, in order, within MaxItems.
//
// # Cursors
//
// A cursor is versioned ("c2"), URL-safe, at most 8 KiB (1 MiB for a
// FanOut, see there) and integrity-checked, not authenticated: the check is an
// unkeyed hash that catches truncation and accidents, but anyone can forge
// a cursor that passes it. Every field is therefore range-checked when the
// cursor is decoded (its kind, its scope's hash, an in-page index within
// the page it was made in, page sizes and numbers within reason, a
// FanOut's scopes within the fan-out) and the marker or token it carries is
// checked by Options.CheckToken, all before any request; the in-page index
// applies to the first page only. What a forged cursor can still do is
// start a listing anywhere the caller could: at another marker, token or
// page of the same listing, with the caller's own credentials. It never
// reaches another listing (scope) nor carries a credential. A caller who
// keeps cursors where others can write them (a shared store, a URL handed
// to users) and must not let them choose where a listing resumes should
// sign them (an HMAC over the cursor with a key of its own) or keep them
// server-side.
//
// # Watching a listing
//
// Iterator.Stats may be read from any goroutine while a loop runs.
// Options.Observer and Request.Observer are told of every request, retry
// wait and pace change; FanOutOptions.Observer also of every scope's start,
// end and failure and of every request of its scopes; ReportDetailFailed
// tells them of a per-item failure. SlogObserver logs events with log/slog.
package pagination

import (
	"errors"
	"time"
)

// ErrInvalidArgument is returned (wrapped, with the parameter named) when an
// option is out of range. Nothing is fetched.
var ErrInvalidArgument = errors.New("invalid argument")

// ErrInvalidCursor is returned (wrapped) for a cursor that is malformed,
// tampered with, too large or made for another scope. Nothing is fetched.
var ErrInvalidCursor = errors.New("invalid cursor")

// ErrRepeatedToken is returned (wrapped) when a server hands out a marker or
// page token it already gave in this listing; the iteration stops instead of
// looping forever.
var ErrRepeatedToken = errors.New("server repeated a page token")

// Options configures an Iterator. The zero value lists from the start with the
// source's default page size and sane defaults for everything else.
type Options struct {
	// PageSize is the number of items asked for per request; 0 leaves it to
	// the source's default. Negative values are rejected.
	PageSize int
	// Cursor resumes a listing from Iterator.Cursor; "" starts from the beginning.
	Cursor string
	// Scope identifies the listing (provider, region, folder, filter, ...). A
	// cursor made for another scope is refused with ErrInvalidCursor. Only a
	// hash of it is stored in the cursor, never the scope itself.
	Scope string
	// MaxItems stops the listing after that many items; 0 means no limit.
	MaxItems int
	// Prefetch is the number of pages a marker or token source fetches ahead
	// while the caller works on the current one: 0 means 1, negative disables.
	Prefetch int
	// Concurrency is the number of pages a page-number source fetches at once
	// once the first page's total is known: 0 means 4, 1 fetches sequentially.
	// Items are always handed out in order.
	Concurrency int
	// Retry is the retry policy for a failed page fetch.
	Retry Retry
	// Limiter, when set, paces every request of the iterator; share one
	// Limiter between all iterators that draw on the same quota.
	Limiter *Limiter
	// CheckToken, when set, checks the marker or page token that Cursor
	// carries against the shape the API documents (length, characters) as
	// the Iterator is made: a cursor is checked for integrity, not signed, so
	// its token may be anything. An error fails the Iterator with
	// ErrInvalidCursor before any request.
	CheckToken func(token string) error
	// Op names the cloud operation of the page fetches, for events.
	Op string
	// Observer, when set, is told of every request, retry wait and pace
	// change of the iterator (see Event).
	Observer Observer
	// WrapErr, when set, is applied to every error the Iterator yields
	// (bad options, cursor errors, a repeated token, failed fetches), never
	// to context errors: an adapter turns the engine's errors into its own
	// error type there (kms.Error with provider and operation).
	WrapErr func(error) error
}

// Retry is the policy for retrying a failed request: jittered exponential
// backoff, bounded in attempts, honouring the context. The zero value retries
// errors that IsRetryable accepts up to 5 attempts in all.
type Retry struct {
	// MaxAttempts is the number of attempts in all; 0 means 5, 1 disables retries.
	MaxAttempts int
	// BaseDelay is the first backoff; 0 means 100ms.
	BaseDelay time.Duration
	// MaxDelay caps one backoff; 0 means 5s.
	MaxDelay time.Duration
	// Retryable decides which errors are retried; nil means IsRetryable.
	Retryable func(error) bool
}

// IsRetryable reports whether err, or an error it wraps, has a method
// Retryable() bool that returns true. Context errors are never retryable.
func IsRetryable(err error) bool {
	var r interface{ Retryable() bool }
	return errors.As(err, &r) && r.Retryable()
}

// IsThrottled reports whether err, or an error it wraps, has a method
// Throttled() bool that returns true. A throttled failure slows the Limiter.
func IsThrottled(err error) bool {
	var r interface{ Throttled() bool }
	return errors.As(err, &r) && r.Throttled()
}

// request is the Request of a page fetch of the listing.
func (o Options) request() Request {
	return Request{Op: o.Op, Retry: o.Retry, Limiter: o.Limiter, Observer: o.Observer}
}
