package alibabakms

import (
	"context"

	"github.com/multikms/multikms/kms"
)

// DescribeKey describes a key: a key ARN by its own region's Lister, an ID
// or alias by every region's at once (see DescribeKeyInclude).
func (f *Fleet) DescribeKey(ctx context.Context, keyRef string) (kms.Key, error) {
	return f.DescribeKeyInclude(ctx, keyRef, 0)
}

// DescribeKeyInclude is DescribeKey with the extras include asks for (see
// Lister.DescribeKeyInclude). A key ARN goes to its region's Lister; a key
// ID or alias, which may be in any region, to every region's at once, as
// kms.Merge's DescribeKey asks its listers: the key of a region that has it
// is the answer; otherwise the first error, in region order, other than
// kms.ErrNotFound and kms.ErrInvalidArgument; kms.ErrNotFound if no region
// has it.
func (f *Fleet) DescribeKeyInclude(ctx context.Context, keyRef string, include kms.Include) (kms.Key, error) {
	if rl := f.byARN(keyRef); rl != nil {
		return rl.DescribeKeyInclude(ctx, keyRef, include)
	}
	return f.lookup.DescribeKeyInclude(ctx, keyRef, include)
}

var _ kms.IncludeDescriber = (*Fleet)(nil)

// Lister and Fleet name what they list, so that a Merge resumes each by
// name (see kms.ScopedLister).
var (
	_ kms.ScopedLister = (*Lister)(nil)
	_ kms.ScopedLister = (*Fleet)(nil)
)
