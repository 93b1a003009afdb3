package alibabakms

import (
	"context"
	"errors"
	"sync"

	"github.com/multikms/multikms/kms"
)

// DescribeKey describes a key: a key ARN by its own region's Lister, an ID
// or alias by every region's at once (see DescribeKeyInclude).
func (f *Fleet) DescribeKey(ctx context.Context, keyRef string) (kms.Key, error) {
	return f.DescribeKeyInclude(ctx, keyRef, 0)
}

// DescribeKeyInclude is DescribeKey with the extras include asks for (see
// Lister.DescribeKeyInclude). A key ARN goes to its region's Lister; a key
// ID or alias, which may be in any region, to every region's at once: the
// key of the first region (in scope order) that has it is the answer;
// otherwise the first error, in region order, other than kms.ErrNotFound
// and kms.ErrInvalidArgument; kms.ErrNotFound if no region has it.
func (f *Fleet) DescribeKeyInclude(ctx context.Context, keyRef string, include kms.Include) (kms.Key, error) {
	if rl := f.byARN(keyRef); rl != nil {
		return rl.DescribeKeyInclude(ctx, keyRef, include)
	}
	type answer struct {
		k   kms.Key
		err error
	}
	answers := make([]answer, len(f.names))
	var wg sync.WaitGroup
	for i, r := range f.names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k, err := f.regions[r].DescribeKeyInclude(ctx, keyRef, include)
			answers[i] = answer{k, err}
		}()
	}
	wg.Wait()
	var firstErr, notFound error
	for _, a := range answers {
		switch {
		case a.err == nil:
			return a.k, nil
		case errors.Is(a.err, kms.ErrNotFound) || errors.Is(a.err, kms.ErrInvalidArgument):
			if notFound == nil {
				notFound = a.err
			}
		case firstErr == nil:
			firstErr = a.err
		}
	}
	if firstErr != nil {
		return kms.Key{}, firstErr
	}
	if notFound == nil {
		return kms.Key{}, kms.NewError(provider, "DescribeKey", kms.CodeNotFound, errors.New("the fleet has no region"))
	}
	return kms.Key{}, notFound
}

var _ kms.IncludeDescriber = (*Fleet)(nil)
