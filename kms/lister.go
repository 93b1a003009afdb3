package kms

import (
	"context"

	"github.com/multikms/multikms/pagination"
)

// Lister lists and describes the keys and key versions of one account,
// region or folder (or, through Merge, of several). Every adapter implements
// it; kmstest.Fake and kmstest.Mock implement it for tests.
type Lister interface {
	// ListKeys lists the keys, page by page as the cloud serves them.
	ListKeys(ctx context.Context, opts ListOptions) *pagination.Iterator[Key]
	// DescribeKey returns one key with full detail. keyRef is a key ID, or
	// an ARN or alias where the provider accepts one.
	DescribeKey(ctx context.Context, keyRef string) (Key, error)
	// ListKeyVersions lists the versions (key materials) of one key.
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
	// Cursor resumes a listing from Iterator.Cursor.
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
