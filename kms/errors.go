package kms

import (
	"errors"
	"fmt"
	"strings"

	"github.com/multikms/multikms/pagination"
)

// Portable error classes: test with errors.Is. Context errors are never
// wrapped into these; they pass through as they are.
var (
	ErrNotFound         = errors.New("not found")
	ErrInvalidArgument  = pagination.ErrInvalidArgument
	ErrInvalidCursor    = pagination.ErrInvalidCursor
	ErrPermissionDenied = errors.New("permission denied")
	ErrUnauthenticated  = errors.New("unauthenticated")
	ErrThrottled        = errors.New("throttled")
	ErrUnavailable      = errors.New("unavailable")
	ErrUnsupported      = errors.New("unsupported")
)

// Code is the portable class of an Error.
type Code int

// Error codes; each matches the like-named sentinel with errors.Is.
const (
	CodeUnknown Code = iota
	CodeNotFound
	CodeInvalidArgument
	CodeInvalidCursor
	CodePermissionDenied
	CodeUnauthenticated
	CodeThrottled
	CodeUnavailable
	CodeUnsupported
)

var codeSentinel = map[Code]error{
	CodeNotFound:         ErrNotFound,
	CodeInvalidArgument:  ErrInvalidArgument,
	CodeInvalidCursor:    ErrInvalidCursor,
	CodePermissionDenied: ErrPermissionDenied,
	CodeUnauthenticated:  ErrUnauthenticated,
	CodeThrottled:        ErrThrottled,
	CodeUnavailable:      ErrUnavailable,
	CodeUnsupported:      ErrUnsupported,
}

// String returns the code's name.
func (c Code) String() string {
	if s, ok := codeSentinel[c]; ok {
		return s.Error()
	}
	return "unknown error"
}

// Error is the error type of every adapter: which provider and operation
// failed, the portable Code, and the native SDK error, reachable with
// errors.As through Unwrap.
type Error struct {
	Provider Provider
	// Op is the cloud operation, such as "DescribeKey".
	Op   string
	Code Code
	// Err is the native error (smithy API error, Alibaba ServerError, gRPC
	// status error) or a description of bad input.
	Err error
}

// NewError returns an *Error; for adapters.
func NewError(p Provider, op string, code Code, err error) *Error {
	return &Error{Provider: p, Op: op, Code: code, Err: err}
}

// Error formats the error as "kms: <provider> <op>: <code>: <native>"; the
// provider is left out of errors that concern no provider (Open, Filter).
// The message carries one "kms: " prefix: a wrapped *Error's own prefix is
// dropped. An Error decoded from JSON (Key.DetailErr) formats as the message
// it was encoded with.
func (e *Error) Error() string {
	if m, ok := e.Err.(*decodedMessage); ok {
		return m.msg
	}
	msg := fmt.Sprintf("kms: %s %s: %s", e.Provider, e.Op, e.Code)
	if e.Provider == "" {
		msg = fmt.Sprintf("kms: %s: %s", e.Op, e.Code)
	}
	if e.Err != nil {
		msg += ": " + strings.TrimPrefix(e.Err.Error(), "kms: ")
	}
	return msg
}

// decodedMessage is the Err of an Error decoded from JSON: the whole message
// it was encoded with, as the native error is not encoded.
type decodedMessage struct{ msg string }

func (m *decodedMessage) Error() string { return m.msg }

// Unwrap returns the native error.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the sentinel of e's Code.
func (e *Error) Is(target error) bool {
	s, ok := codeSentinel[e.Code]
	return ok && s == target
}

// Retryable reports whether the request may succeed if sent again.
func (e *Error) Retryable() bool { return e.Code == CodeThrottled || e.Code == CodeUnavailable }

// Throttled reports whether the server refused the request for its rate.
func (e *Error) Throttled() bool { return e.Code == CodeThrottled }

// InvalidArgument returns an error of class ErrInvalidArgument for a
// parameter that failed a client-side check, naming it and what is allowed.
func InvalidArgument(p Provider, op, param, format string, args ...any) *Error {
	return NewError(p, op, CodeInvalidArgument, fmt.Errorf("parameter %s: %s", param, fmt.Sprintf(format, args...)))
}

// ScopeError is one failed scope of a fleet listing (kms.Merge): the scope's
// name (provider, account or Region or folder) and its own error, a *Error.
// errors.Is and errors.As reach Err through Unwrap.
type ScopeError struct {
	Scope string
	Err   error
}

// Error formats the error as "kms: scope <name>: <err>", with one "kms: "
// prefix (the scope's own *Error's is dropped).
func (e *ScopeError) Error() string {
	return "kms: scope " + e.Scope + ": " + strings.TrimPrefix(e.Err.Error(), "kms: ")
}

// Unwrap returns the scope's error.
func (e *ScopeError) Unwrap() error { return e.Err }

// ScopeErrors returns the failed scopes a fleet listing's error joins: its
// *ScopeError values in order, those of a fleet inside the fleet (a Merge
// of discovered fleets) in its place, as they name what failed better than
// it does. It returns nil if err is nil or holds anything but *ScopeError
// values (a listing refused or cancelled as a whole).
func ScopeErrors(err error) []*ScopeError {
	if err == nil {
		return nil
	}
	if se, ok := err.(*ScopeError); ok {
		if inner := ScopeErrors(se.Err); inner != nil {
			return inner
		}
		return []*ScopeError{se}
	}
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return nil
	}
	var out []*ScopeError
	for _, e := range j.Unwrap() {
		sub := ScopeErrors(e)
		if sub == nil {
			return nil
		}
		out = append(out, sub...)
	}
	return out
}
