package kmstest

import (
	"context"

	"github.com/multikms/multikms/pagination"
)

// Iterator returns an Iterator over items, served as one page; for mocks
// and tests of code that consumes iterators.
func Iterator[T any](items ...T) *pagination.Iterator[T] {
	return pagination.ByPageToken(context.Background(), func(context.Context, string, int) ([]T, string, error) {
		return items, "", nil
	}, pagination.Options{Scope: "kmstest.Iterator"})
}

// Collect drains it: it returns the items before the first error, and that
// error (nil if the listing completed).
func Collect[T any](it *pagination.Iterator[T]) ([]T, error) {
	return pagination.Collect(it)
}
