package kms

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/multikms/multikms/pagination"
)

// ARN prefixes of the clouds that have ARNs, for CheckKeyRef and Merge.
const (
	ARNPrefixAWS     = "arn:aws"  // also arn:aws-cn, arn:aws-us-gov
	ARNPrefixAlibaba = "acs:kms:" // Alibaba Cloud Resource Name of a KMS resource
)

// CheckKeyRef makes the checks every adapter makes of a key reference
// before any request, for the parameter "keyRef" of operation op: not
// empty, valid UTF-8, at most maxLen characters, and not the ARN of
// another cloud (an "arn:aws..." reference only on ProviderAWS, an
// "acs:kms:..." one only on ProviderAlibaba). The error is of class
// ErrInvalidArgument and names keyRef, without quoting it. Adapters then
// check the shapes their cloud documents.
func CheckKeyRef(p Provider, op, keyRef string, maxLen int) error {
	bad := func(format string, args ...any) error {
		return InvalidArgument(p, op, "keyRef", format, args...)
	}
	switch {
	case keyRef == "":
		return bad("must not be empty; give a key ID (or an ARN or alias where the cloud has them)")
	case !utf8.ValidString(keyRef):
		return bad("must be valid UTF-8")
	}
	if n := utf8.RuneCountInString(keyRef); n > maxLen {
		return bad("must be at most %d characters, got %d", maxLen, n)
	}
	switch other := arnProvider(keyRef); {
	case other != "" && other != p:
		return bad("is an ARN of %s; this lister speaks to %s", other, p)
	}
	return nil
}

// arnProvider tells the provider whose ARN ref is, or "".
func arnProvider(ref string) Provider {
	switch {
	case strings.HasPrefix(ref, ARNPrefixAWS+":"), strings.HasPrefix(ref, ARNPrefixAWS+"-"):
		return ProviderAWS
	case strings.HasPrefix(ref, ARNPrefixAlibaba):
		return ProviderAlibaba
	}
	return ""
}

// ValidateVersions checks the options of a ListKeyVersions call: what
// Validate checks, and none of what a version listing cannot honour: a
// Filter, a Detail other than DetailBasic, or an Include. The error is of
// class ErrInvalidArgument and names the option.
func (o ListOptions) ValidateVersions(p Provider, op string, maxPageSize int) error {
	switch {
	case !o.Filter.IsZero():
		return InvalidArgument(p, op, "Filter", "key versions cannot be filtered; leave it zero")
	case o.Detail != DetailBasic && o.Detail.valid():
		return InvalidArgument(p, op, "Detail", "key versions have one level of detail; leave it DetailBasic")
	case o.Include != 0 && o.Include.valid():
		return InvalidArgument(p, op, "Include", "key versions have no extras; leave it zero")
	}
	return o.Validate(p, op, maxPageSize)
}

// WrapEngineError returns err, an error of the pagination engine or of a
// fetch, as a *Error of provider p and operation op, for adapters (the
// Iterator yields engine errors as they are): pagination.ErrInvalidCursor
// becomes CodeInvalidCursor, pagination.ErrInvalidArgument
// CodeInvalidArgument, pagination.ErrRepeatedToken (a server handing out a
// page token twice) CodeUnknown. A context error comes back as the bare
// context.Canceled or context.DeadlineExceeded; nil and errors that already
// hold a *Error are returned as they are; anything else is CodeUnknown.
// The sentinel's words are not repeated in the message.
func WrapEngineError(p Provider, op string, err error) error {
	var e *Error
	switch {
	case errors.Is(err, context.Canceled):
		return context.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		return context.DeadlineExceeded
	case err == nil, errors.As(err, &e):
		return err
	}
	code, sentinel := CodeUnknown, error(nil)
	switch {
	case errors.Is(err, pagination.ErrInvalidCursor):
		code, sentinel = CodeInvalidCursor, pagination.ErrInvalidCursor
	case errors.Is(err, pagination.ErrInvalidArgument):
		code, sentinel = CodeInvalidArgument, pagination.ErrInvalidArgument
	case errors.Is(err, pagination.ErrRepeatedToken):
		sentinel = pagination.ErrRepeatedToken
	}
	if sentinel != nil && code != CodeUnknown {
		if msg := strings.TrimPrefix(err.Error(), sentinel.Error()+": "); msg != err.Error() {
			return NewError(p, op, code, &engineError{msg: msg, err: err})
		}
	}
	return NewError(p, op, code, err)
}

// engineError keeps the engine's error for errors.Is and errors.As, with
// its message less the class's words the *Error already writes.
type engineError struct {
	msg string
	err error
}

func (e *engineError) Error() string { return e.msg }
func (e *engineError) Unwrap() error { return e.err }
