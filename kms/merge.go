package kms

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/multikms/multikms/pagination"
)

// Merge returns one Lister over several (nil ones are left out): the
// fleet, with the default settings (see NewMerge).
//
// ListKeys lists the listers concurrently (pagination.FanOut), up to
// pagination.DefaultFanOutConcurrency at once: items come out as each
// lister yields them, in order within a lister, interleaved across listers
// in no promised order. Its cursor resumes every lister exactly, and grows
// with the listers in flight (and failed), not with the listers of the
// fleet: about 30 bytes and a sketch of the finished listers' names of at
// most 389 bytes, and for each lister in flight or failed its name, about
// 20 bytes and its own cursor, x 4/3 (see pagination.FanOut for the worst
// case).
// ListOptions.MaxItems counts the items of the merged stream and bounds the
// listers' work (no describe or extra starts for a key past it); the other
// options go to every lister, and a lister that rejects them (a PageSize
// beyond its cloud's range, a Filter it cannot apply) fails the merged
// listing before the first request of any, with that lister's *Error (its
// provider, operation and class) whose message names the lister.
//
// A lister whose listing fails (after its own retries: a Region not
// enabled, a role that cannot be assumed, a folder denied) does not stop
// the others: when they have ended, the listing yields one error joining a
// *ScopeError per failed lister (errors.As finds each, and errors.Is and
// errors.As reach each lister's own *Error), and Cursor then resumes exactly
// what the failed listers had left. MergeFailFast ends the listing with the
// first failure instead. Cancelling the context stops every lister at once
// and yields the context's error, never a *ScopeError.
// The listing's Stats count the listers as scopes; a lister whose
// listing is itself a fan-out (a Merge, an adapter's discovered fleet)
// counts as the scopes inside it.
//
// A scope is named by the lister's provider and, if it implements
// ScopedLister, its Scope ("aws/eu-west-1/111122223333"); otherwise by the
// provider and its place among the Merge's listers of that provider
// without a Scope ("aws#0" for the first, "lister#0" for a lister that does
// not tell its provider). The k-th lister of a name an earlier one has
// gets "#k" appended ("aws/eu-west-1/111122223333#1"): names are unique,
// since the cursor records the listers by name, and a name depends only on
// the listers like it before it, so that adding or removing another lister
// renames none. Listers of one provider without a Scope are told apart
// only by their order among themselves: a fleet that may lose one of them
// between a cursor and its resume should give each a Scope (every
// adapter's Lister and discovered Fleet has one).
//
// A cursor may resume a Merge over other listers than it was made over (a
// fleet whose discovery now finds a Region, an account or a folder more or
// less): every lister is matched by its name. A lister the cursor had in
// flight or failed resumes where it was; one that is no longer among the
// listers ends as a failed lister, a *ScopeError whose Err is an *Error of
// class ErrNotFound (wrapping pagination.ErrScopeGone; or the reason
// MergeGoneReason gives, with ErrScopeGone), reported with the
// others at the end and kept in the cursor (a later resume reports it
// again, or resumes it if it is back). A new lister is listed whole,
// never in part; a lister that had finished is not listed again, even if
// it moved; one that had not started starts from its beginning. The
// cursor finds where it stopped by the name of the first lister it had
// not started: if that lister is gone, the listers must be in ascending
// name order (as the adapters' discovered fleets are), or the cursor is
// refused (ErrInvalidCursor); it is refused too when the listers before
// that point changed by more than it can tell apart (about 8 added or
// removed), always before any request. A lister that finished, left the
// fleet and came back is listed again.
//
// DescribeKey routes an ARN to the listers of its provider ("arn:aws" to
// ProviderAWS, "acs:kms:" to ProviderAlibaba, as ProviderLister.Provider
// tells; listers that do not tell are asked too) and any other reference to
// every lister; when several are asked, they are asked concurrently (as many
// at once as scopes are listed). A key found by any of them is the answer;
// otherwise the first error, in lister order, that is neither ErrNotFound
// nor ErrInvalidArgument (a lister that cannot parse the reference does not
// hold the key); ErrNotFound if every lister asked says so.
// A uniform fleet (every lister of one provider) checks a reference as that
// provider's listers do before asking any (kms.CheckKeyRef: an ARN of
// another cloud is refused), and its own errors carry that provider.
// ListKeyVersions routes the same way; its options are checked by every
// lister that may hold the key before any request, and when several may
// hold it, it describes the key on them concurrently to find the one that
// does.
func Merge(listers ...Lister) Lister {
	return NewMerge(listers)
}

// NewMerge is Merge with settings: the number of listers listed at once,
// fail fast, an observer (see MergeOption). A bad setting fails every call
// of the returned Lister with ErrInvalidArgument before any request.
func NewMerge(listers []Lister, opts ...MergeOption) Lister {
	m := &merged{conc: pagination.DefaultFanOutConcurrency}
	for _, o := range opts {
		o(m)
	}
	for _, l := range listers {
		if l != nil {
			m.listers = append(m.listers, l)
		}
	}
	m.names = scopeNames(m.listers)
	m.provider = commonProvider(m.listers)
	if e, ok := m.optErr.(*Error); ok {
		e.Provider = m.provider
	}
	return m
}

// commonProvider is the provider of every lister, if they all tell the
// same one; "" for a mixed fleet.
func commonProvider(listers []Lister) Provider {
	var p Provider
	for i, l := range listers {
		pl, ok := l.(ProviderLister)
		if !ok || (i > 0 && pl.Provider() != p) {
			return ""
		}
		p = pl.Provider()
	}
	return p
}

// MergeOption is a setting of NewMerge.
type MergeOption func(*merged)

// MergeConcurrency sets the number of listers listed at once (and asked at
// once by DescribeKey and ListKeyVersions); n must be at least 1. The
// default is pagination.DefaultFanOutConcurrency.
func MergeConcurrency(n int) MergeOption {
	return func(m *merged) {
		if n < 1 && m.optErr == nil {
			m.optErr = InvalidArgument("", "Merge", "MergeConcurrency", "must be at least 1, got %d", n)
		}
		m.conc = n
	}
}

// MergeFailFast makes a merged listing end with the first lister that
// fails, its *ScopeError, instead of listing the others to their end.
// Cursor then resumes every lister not finished, the failed one included.
func MergeFailFast() MergeOption {
	return func(m *merged) { m.failFast = true }
}

// MergeObserver sets an observer told when a lister's listing starts, is
// done or fails (pagination.EventScopeStarted, EventScopeDone,
// EventScopeFailed, Scope naming the lister as a *ScopeError does) and of
// every request the listers make through the engine, with the same Scope.
// Set an observer on the Merge or on its listers, not both, or requests are
// told twice.
func MergeObserver(obs pagination.Observer) MergeOption {
	return func(m *merged) { m.obs = obs }
}

// MergeGoneReason sets why a lister the cursor had in flight or failed is
// no longer among the Merge's (see Merge), from its name: a fleet that knows
// (a folder whose cloud discovery could not list, say) returns the error
// that hid it; nil leaves the default, an *Error of class ErrNotFound.
// Either way the lister ends as a *ScopeError matching
// pagination.ErrScopeGone, and stays in the cursor.
func MergeGoneReason(reason func(scope string) error) MergeOption {
	return func(m *merged) { m.goneReason = reason }
}

// ScopedLister is a Lister that names what it lists, for the *ScopeError
// and events of a Merge: the Region and account, the folder, the cloud. The
// name must identify the scope among the fleet's and hold no credential.
// Adapters may implement it; Merge falls back to provider#k, the k-th
// lister of that provider without a Scope.
type ScopedLister interface {
	Lister
	Scope() string
}

// scopeNames names the listers of a Merge (see Merge): provider/Scope, or
// provider#k for the k-th lister of that provider that tells no Scope; the
// k-th lister of a name an earlier one has gets "#k" appended. So a
// lister's name depends on the listers like it before it, not on the
// others: adding or removing a lister of another name or provider renames
// none, and a cursor still finds every lister by its name.
func scopeNames(listers []Lister) []string {
	names := make([]string, len(listers))
	seen := map[string]int{}   // listers so far, by their name before "#k"
	taken := map[string]bool{} // the names given
	for i, l := range listers {
		provider := "lister"
		if pl, ok := l.(ProviderLister); ok && pl.Provider() != "" {
			provider = string(pl.Provider())
		}
		base, k := provider+"#", 0
		if sl, ok := l.(ScopedLister); ok && sl.Scope() != "" {
			base = provider + "/" + sl.Scope()
		}
		k, seen[base] = seen[base], seen[base]+1
		name := base
		if strings.HasSuffix(base, "#") || k > 0 {
			name = strings.TrimSuffix(base, "#") + "#" + strconv.Itoa(k)
		}
		for taken[name] { // a Scope that reads like a name given here
			name += "#" + strconv.Itoa(i)
		}
		taken[name] = true
		names[i] = name
	}
	return names
}

type merged struct {
	provider Provider // of every lister, or "" for a mixed fleet: the Merge's own errors carry it
	listers  []Lister
	names    []string
	conc     int
	failFast bool
	obs      pagination.Observer
	optErr   error
	// goneReason, when set, tells why a lister is gone (MergeGoneReason).
	goneReason func(scope string) error
}

func (m *merged) ListKeys(ctx context.Context, opts ListOptions) *pagination.Iterator[Key] {
	if m.optErr != nil {
		return pagination.Err[Key](m.optErr)
	}
	if opts.MaxItems < 0 {
		return pagination.Err[Key](InvalidArgument(m.provider, "Merge.ListKeys", "MaxItems", "must not be negative, got %d", opts.MaxItems))
	}
	scopes := make([]pagination.Scope[Key], len(m.listers))
	for i, l := range m.listers {
		scopes[i] = pagination.Scope[Key]{Name: m.names[i], List: func(ctx context.Context, cursor string) *pagination.Iterator[Key] {
			o := opts
			o.Cursor, o.MaxItems = cursor, 0
			return l.ListKeys(ctx, o)
		}}
	}
	return pagination.FanOut(ctx, pagination.FanOutOptions{
		Cursor:      opts.Cursor,
		Scope:       m.scope("ListKeys", opts.Filter.String()),
		MaxItems:    opts.MaxItems,
		Concurrency: m.conc,
		FailFast:    m.failFast,
		ScopeError:  m.scopeError,
		RejectError: rejected,
		WrapErr:     func(err error) error { return WrapEngineError(m.provider, "Merge.ListKeys", err) },
		Observer:    m.obs,
	}, scopes...)
}

// rejected is the error of a Merge listing one of whose listers rejected
// its options or cursor before any request: that lister's *Error (same
// provider, operation and class), its message naming the lister.
func rejected(scope string, err error) error {
	var e *Error
	if !errors.As(err, &e) {
		return &ScopeError{Scope: scope, Err: err}
	}
	return NewError(e.Provider, e.Op, e.Code, &listerError{scope: scope, err: e.Err})
}

// listerError names the lister an error of a Merge's lister comes from.
type listerError struct {
	scope string
	err   error
}

func (e *listerError) Error() string {
	if e.err == nil {
		return "lister " + e.scope
	}
	return "lister " + e.scope + ": " + e.err.Error()
}
func (e *listerError) Unwrap() error { return e.err }

// scope identifies a merged listing by its operation and extra (the
// filter), not by its listers: a cursor resumes a Merge whose listers
// changed, each by its name (see pagination.FanOut); each lister's own
// cursor, kept inside the merged one, checks the rest.
func (m *merged) scope(op, extra string) string {
	return fmt.Sprintf("kms.Merge/%s/%s", op, extra)
}

// scopeError is the error of a failed lister: a *ScopeError with the
// lister's own error or, for a lister the cursor had in flight or failed
// and that is no longer among the Merge's, an *Error of class ErrNotFound
// (wrapping pagination.ErrScopeGone), or the reason MergeGoneReason gives.
func (m *merged) scopeError(scope string, err error) error {
	if errors.Is(err, pagination.ErrScopeGone) {
		if m.goneReason != nil {
			if reason := m.goneReason(scope); reason != nil {
				return &ScopeError{Scope: scope, Err: &goneError{reason}}
			}
		}
		err = NewError(m.provider, "Merge.ListKeys", CodeNotFound, err)
	}
	return &ScopeError{Scope: scope, Err: err}
}

// goneError is the error of a lister no longer among a Merge's for a
// known reason (MergeGoneReason): it matches pagination.ErrScopeGone and
// the reason (its *Error and class).
type goneError struct{ reason error }

func (e *goneError) Error() string {
	return pagination.ErrScopeGone.Error() + ": " + e.reason.Error()
}

func (e *goneError) Unwrap() []error { return []error{pagination.ErrScopeGone, e.reason} }

// Close closes every lister of the Merge and joins their errors.
func (m *merged) Close() error {
	var errs []error
	for _, l := range m.listers {
		errs = append(errs, l.Close())
	}
	return errors.Join(errs...)
}
