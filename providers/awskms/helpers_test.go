package awskms_test

import "github.com/multikms/multikms/pagination"

// collect drains it; it returns the items before the first error and that error.
func collect[T any](it *pagination.Iterator[T]) ([]T, error) {
	var out []T
	for item, err := range it.All() {
		if err != nil {
			return out, err
		}
		out = append(out, item)
	}
	return out, nil
}
