package awskms

import (
	"context"
	"strings"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

// DescribeKeyInclude describes a key with the extras include asks for
// (kms.Describe): an ARN on the scope of its account and Region, any other
// reference by finding the key first (DescribeKey), then on its scope.
func (f *Fleet) DescribeKeyInclude(ctx context.Context, keyRef string, include kms.Include) (kms.Key, error) {
	if d, ok := f.Lister.(kms.IncludeDescriber); ok {
		return d.DescribeKeyInclude(ctx, keyRef, include)
	}
	const all = kms.IncludeTags | kms.IncludeRotation | kms.IncludePolicy | kms.IncludeAccess
	if include&^all != 0 {
		return kms.Key{}, kms.InvalidArgument(kms.ProviderAWS, OpDescribeKey, "Include",
			"unknown bits %#x; allowed: IncludeTags|IncludeRotation|IncludePolicy|IncludeAccess", uint(include&^all))
	}
	arn := keyRef
	if !strings.HasPrefix(keyRef, "arn:") || include == 0 {
		k, err := f.Lister.DescribeKey(ctx, keyRef)
		if err != nil || include == 0 {
			return k, err
		}
		arn = k.ARN
	}
	if l := f.scopeOf(arn); l != nil {
		return kms.Describe(ctx, l, arn, include)
	}
	return kms.Describe(ctx, f.Lister, keyRef, include)
}

// ListKeyVersions lists the versions of a key: an ARN's on the scope of its
// account and Region, with no other request; any other reference as
// kms.Merge does (the key found first).
func (f *Fleet) ListKeyVersions(ctx context.Context, keyRef string, opts kms.ListOptions) *pagination.Iterator[kms.KeyVersion] {
	if l := f.scopeOf(keyRef); l != nil {
		return l.ListKeyVersions(ctx, keyRef, opts)
	}
	return f.Lister.ListKeyVersions(ctx, keyRef, opts)
}

// scopeOf returns the scope of an ARN's account and Region, or nil.
func (f *Fleet) scopeOf(arn string) kms.Lister {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return nil
	}
	for _, name := range []string{parts[4] + "/" + parts[3], parts[3]} {
		if l, ok := f.byScope[name]; ok {
			return l
		}
	}
	return nil
}

// ListKeys lists every scope (see kms.Merge; a cursor resumes over a
// changed fleet as Fleet says). Options every scope would refuse alike (a
// PageSize beyond 1..1000, a bad Detail, Include or Filter) are refused
// once, as one Lister refuses them, before any request.
func (f *Fleet) ListKeys(ctx context.Context, opts kms.ListOptions) *pagination.Iterator[kms.Key] {
	if err := opts.Validate(kms.ProviderAWS, OpListKeys, MaxPageSize); err != nil {
		return pagination.Err[kms.Key](err)
	}
	return f.Lister.ListKeys(ctx, opts)
}
