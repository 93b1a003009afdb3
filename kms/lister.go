package kms

import (
	"context"
	"errors"

	"github.com/multikms/multikms/pagination"
)

// Lister lists and describes the keys and key versions of one account,
// region or folder (or, through Merge, of several). Every adapter implements
// it; kmstest.Fake and kmstest.Mock implement it for tests.
type Lister interface {
	// ListKeys lists the keys, page by page as the cloud serves them.
	ListKeys(ctx context.Context, opts ListOptions) *pagination.Iterator[Key]
	// DescribeKey returns one key as a DetailFull listing returns it: every
	// field the cloud's describe gives, Detail DetailFull, and its aliases
	// joined (the same content on every adapter; extras that cost requests
	// come with Describe and an Include). keyRef is a key ID, or an ARN or
	// alias where the provider accepts one; it is checked against the cloud's
	// documented shapes before any request (see CheckKeyRef), and an ARN of
	// another cloud is refused with ErrInvalidArgument. A missing key is
	// ErrNotFound.
	DescribeKey(ctx context.Context, keyRef string) (Key, error)
	// ListKeyVersions lists the versions (key materials) of one key. It
	// refuses, with ErrInvalidArgument, the options a version listing cannot
	// honour: a Filter, DetailFull and an Include (see ValidateVersions).
	ListKeyVersions(ctx context.Context, keyRef string, opts ListOptions) *pagination.Iterator[KeyVersion]
	// Close releases what the Lister owns (connections, an SDK it built).
	// A Lister over a caller's client closes nothing of it; Merge closes all
	// of its listers. Calls after Close may fail.
	Close() error
}

// ProviderLister is a Lister that tells which provider it speaks to; Merge
// uses it to route DescribeKey by ARN prefix. Every adapter implements it.
type ProviderLister interface {
	Lister
	Provider() Provider
}

// ListOptions configures a listing.
type ListOptions struct {
	// PageSize is the number of items per request; 0 means the cloud's
	// default. Each adapter enforces its cloud's range.
	PageSize int
	// Cursor resumes a listing from Iterator.Cursor. A cursor is only
	// valid for the listing it came from: the same operation, key and
	// Filter (an unfiltered listing's cursor is refused by a filtered one
	// with ErrInvalidCursor). It is integrity-checked, not authenticated:
	// whoever can write a stored cursor can point it elsewhere in the same
	// listing, so keep cursors where only the caller writes.
	Cursor string
	// Filter keeps only the keys that match; pushed to the server where it
	// can filter, applied client-side otherwise.
	Filter Filter
	// Detail is how much to tell about each key.
	Detail Detail
	// Include asks for extras that cost requests (tags, rotation, policy,
	// access); it replaces the old Tags bool. An Include on a DetailBasic
	// listing describes the keys as needed.
	Include Include
	// MaxItems stops the listing after that many items; 0 means no limit.
	MaxItems int
}

// Filter keeps the keys that match every non-empty field (AND across
// fields) and, within a field, any of its values (OR), as Alibaba Cloud
// defines it. The zero Filter matches every key.
type Filter struct {
	States      []KeyState
	Usages      []KeyUsage
	Protections []ProtectionLevel
	// Specs are matched against Key.Spec, the provider's own spec names.
	Specs []string
	// Origins are matched against Key.Origin.
	Origins []string
}

// Validate checks the options a listing of provider p's operation op
// accepts: PageSize in 0..maxPageSize (0 is the cloud's default), MaxItems
// not negative, and the Filter. Adapters call it before any request; the
// error is of class ErrInvalidArgument and names the parameter and its range.
func (o ListOptions) Validate(p Provider, op string, maxPageSize int) error {
	switch {
	case !o.Detail.valid():
		return InvalidArgument(p, op, "Detail", "must be DetailBasic or DetailFull, got %d", int(o.Detail))
	case !o.Include.valid():
		return InvalidArgument(p, op, "Include", "unknown bits %#x; allowed: IncludeTags|IncludeRotation|IncludePolicy|IncludeAccess", uint(o.Include&^includeAll))
	case o.PageSize < 0 || o.PageSize > maxPageSize:
		return InvalidArgument(p, op, "PageSize", "must be 1..%d (or 0 for the default), got %d", maxPageSize, o.PageSize)
	case o.MaxItems < 0:
		return InvalidArgument(p, op, "MaxItems", "must not be negative, got %d", o.MaxItems)
	}
	return o.Filter.ValidateFor(p, op)
}

// IncludeDescriber is a Lister whose DescribeKey can also fetch the extras
// an Include asks for, as a listing with that Include fills them. Adapters
// implement it; use Describe rather than asserting to it.
type IncludeDescriber interface {
	DescribeKeyInclude(ctx context.Context, keyRef string, include Include) (Key, error)
}

// Describe returns l.DescribeKey(ctx, keyRef) with the extras include asks
// for: through l's DescribeKeyInclude when l is an IncludeDescriber, else
// (for a non-zero include) an ErrUnsupported error before any request. A
// bad include is refused with ErrInvalidArgument.
func Describe(ctx context.Context, l Lister, keyRef string, include Include) (Key, error) {
	const op = "DescribeKey"
	if !include.valid() {
		return Key{}, InvalidArgument(providerOf(l), op, "Include", "unknown bits %#x; allowed: IncludeTags|IncludeRotation|IncludePolicy|IncludeAccess", uint(include&^includeAll))
	}
	if d, ok := l.(IncludeDescriber); ok {
		return d.DescribeKeyInclude(ctx, keyRef, include)
	}
	if include != 0 {
		return Key{}, NewError(providerOf(l), op, CodeUnsupported, errors.New("this Lister cannot fetch extras with DescribeKey"))
	}
	return l.DescribeKey(ctx, keyRef)
}

func providerOf(l Lister) Provider {
	if p, ok := l.(ProviderLister); ok {
		return p.Provider()
	}
	return ""
}
