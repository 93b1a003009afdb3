package pagination

import (
	"context"
	"log/slog"
	"time"
)

// EventKind tells what an Event reports.
type EventKind int

// The kinds of Event.
const (
	// EventRequest: one attempt of a request ended (Op, Scope, Attempt,
	// Duration, Err nil on success).
	EventRequest EventKind = iota + 1
	// EventRetryWait: a failed attempt is retried after Duration.
	EventRetryWait
	// EventPace: the Limiter of Op changed its pace to Pace requests a second.
	EventPace
	// EventScopeStarted: a scope of a fan-out began.
	EventScopeStarted
	// EventScopeDone: a scope of a fan-out listed all its items.
	EventScopeDone
	// EventScopeFailed: a scope of a fan-out failed for good (Err).
	EventScopeFailed
	// EventDetailFailed: a per-key request (a describe, an extra) failed;
	// the key comes out with the reason (Err).
	EventDetailFailed
)

var eventNames = [...]string{"", "request", "retry-wait", "pace", "scope-started", "scope-done", "scope-failed", "detail-failed"}

// String returns the kind's name, such as "request".
func (k EventKind) String() string {
	if k > 0 && int(k) < len(eventNames) {
		return eventNames[k]
	}
	return "unknown"
}

// Event is what an Observer is told. It never holds a credential: Err is
// the classified error the caller would see.
type Event struct {
	Kind     EventKind
	Op       string        // the cloud operation, such as "DescribeKey"
	Scope    string        // the scope (region, folder, fleet member) it concerns
	Attempt  int           // EventRequest, EventRetryWait: the attempt, from 1
	Duration time.Duration // EventRequest: the attempt's time; EventRetryWait: the wait
	Pace     float64       // EventPace: requests a second
	Err      error
}

// Observer is told of the events of a listing or call; it must be safe for
// concurrent use and quick (it runs on the engine's goroutines).
type Observer func(Event)

// SlogObserver returns an Observer that logs every event to l: requests and
// pace changes at Debug, retry waits and failed details at Info, scope
// failures and failed requests at Warn.
func SlogObserver(l *slog.Logger) Observer {
	return func(e Event) {
		level := slog.LevelDebug
		switch {
		case e.Kind == EventScopeFailed:
			level = slog.LevelWarn
		case e.Kind == EventRetryWait || e.Kind == EventDetailFailed:
			level = slog.LevelInfo
		case e.Err != nil:
			level = slog.LevelWarn
		}
		attrs := []slog.Attr{slog.String("op", e.Op), slog.String("scope", e.Scope)}
		if e.Attempt > 0 {
			attrs = append(attrs, slog.Int("attempt", e.Attempt))
		}
		if e.Duration > 0 {
			attrs = append(attrs, slog.Duration("duration", e.Duration))
		}
		if e.Kind == EventPace {
			attrs = append(attrs, slog.Float64("pace", e.Pace))
		}
		if e.Err != nil {
			attrs = append(attrs, slog.String("error", e.Err.Error()))
		}
		l.LogAttrs(context.Background(), level, "multikms "+e.Kind.String(), attrs...)
	}
}

// Stats is a snapshot of an Iterator's work, for progress displays.
type Stats struct {
	Items     int64   // items handed out
	Pages     int64   // pages fetched
	Requests  int64   // requests sent (attempts), page fetches and per-key calls
	Retries   int64   // attempts that were retries
	Throttled int64   // answers that said the request was throttled
	Pace      float64 // current pace of the listing's limiter, requests a second (0: none)
	// ScopesDone, ScopesFailed and ScopesTotal count the scopes of a fan-out
	// (kms.Merge); a single listing is one scope.
	ScopesDone, ScopesFailed, ScopesTotal int
}

// Request describes one kind of single request for Do: its operation name
// and scope (for events), retry policy, limiter and observer.
type Request struct {
	Op       string
	Scope    string
	Retry    Retry
	Limiter  *Limiter
	Observer Observer
}

// Do runs fn as Call does, under r.Retry and r.Limiter, and tells
// r.Observer of every attempt and retry wait.
func (r Request) Do(ctx context.Context, fn func(ctx context.Context) error) error {
	_, err := callObserved(ctx, r, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, fn(ctx)
	})
	return err
}
