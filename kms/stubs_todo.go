package kms

import (
	"context"
	"net/url"
)

// Opener builds a Lister from a URL; adapters register one per scheme.
type Opener func(ctx context.Context, u *url.URL) (Lister, error)

// Register makes Open understand scheme (such as "awskms"); adapters call it
// from init. It panics if scheme is registered twice.
func Register(scheme string, open Opener) { panic("TODO") }

// Open returns a Lister for a URL such as awskms://?region=eu-west-1,
// alibabakms://?region=cn-hangzhou or yandexkms://<folderID>. The adapter
// package must be imported (for its registration); an unknown scheme is an
// ErrInvalidArgument error.
func Open(ctx context.Context, rawURL string) (Lister, error) { panic("TODO") }

// Merge returns one Lister over several: ListKeys lists each in turn as one
// stream whose cursor resumes all of them; DescribeKey routes by ARN prefix
// and otherwise asks each.
func Merge(listers ...Lister) Lister { panic("TODO") }

// Match reports whether k passes the filter.
func (f Filter) Match(k Key) bool { panic("TODO") }

// IsZero reports whether the filter keeps every key.
func (f Filter) IsZero() bool { panic("TODO") }

// Validate checks the filter's values against the portable enums and limits.
func (f Filter) Validate() error { panic("TODO") }
