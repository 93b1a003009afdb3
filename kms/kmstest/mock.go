package kmstest

import (
	"context"
	"fmt"

	"github.com/stretchr/testify/mock"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

// Mock is a testify mock of kms.Lister. Set expectations with On; the
// listing methods accept as return value a *pagination.Iterator, a slice
// (of kms.Key or kms.KeyVersion, served as one page) or an error (yielded
// as the listing's only item):
//
//	m := new(kmstest.Mock)
//	m.On("ListKeys", mock.Anything, mock.Anything).Return([]kms.Key{{ID: "k1"}})
//	m.On("DescribeKey", mock.Anything, "k1").Return(kms.Key{ID: "k1"}, nil)
type Mock struct {
	mock.Mock
}

var (
	_ kms.Lister           = (*Mock)(nil)
	_ kms.IncludeDescriber = (*Mock)(nil)
)

// ListKeys records the call and returns the configured listing.
func (m *Mock) ListKeys(ctx context.Context, opts kms.ListOptions) *pagination.Iterator[kms.Key] {
	return iteratorOf[kms.Key](m.Called(ctx, opts).Get(0))
}

// DescribeKey records the call and returns the configured key and error.
func (m *Mock) DescribeKey(ctx context.Context, keyRef string) (kms.Key, error) {
	args := m.Called(ctx, keyRef)
	k, _ := args.Get(0).(kms.Key)
	return k, args.Error(1)
}

// DescribeKeyInclude records the call and returns the configured key and
// error (set with On("DescribeKeyInclude", ctx, keyRef, include)).
func (m *Mock) DescribeKeyInclude(ctx context.Context, keyRef string, include kms.Include) (kms.Key, error) {
	args := m.Called(ctx, keyRef, include)
	k, _ := args.Get(0).(kms.Key)
	return k, args.Error(1)
}

// ListKeyVersions records the call and returns the configured listing.
func (m *Mock) ListKeyVersions(ctx context.Context, keyRef string, opts kms.ListOptions) *pagination.Iterator[kms.KeyVersion] {
	return iteratorOf[kms.KeyVersion](m.Called(ctx, keyRef, opts).Get(0))
}

// Close records the call and returns the configured error (nil if none was
// configured with On("Close")).
func (m *Mock) Close() error {
	for _, c := range m.ExpectedCalls {
		if c.Method == "Close" {
			return m.Called().Error(0)
		}
	}
	return nil
}

func iteratorOf[T any](v any) *pagination.Iterator[T] {
	switch v := v.(type) {
	case *pagination.Iterator[T]:
		return v
	case []T:
		return Iterator(v...)
	case error:
		return pagination.Err[T](v)
	case nil:
		return Iterator[T]()
	}
	panic(fmt.Sprintf("kmstest.Mock: cannot return a %T as a *pagination.Iterator[%T]", v, *new(T)))
}
