// Package resumetest holds what the adapters' tests of a fleet resumed
// over a changed fleet share: list part of a fleet, resume it from the
// cursor to its end, and check that no key came out twice.
package resumetest

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

// ListPart lists l's keys two a page, stops after n and returns their
// names (name of each key) and the cursor.
func ListPart(t testing.TB, l kms.Lister, n int, name func(kms.Key) string) ([]string, string) {
	t.Helper()
	it := l.ListKeys(context.Background(), kms.ListOptions{PageSize: 2})
	var got []string
	for k, err := range it.All() {
		require.NoError(t, err)
		if got = append(got, name(k)); len(got) == n {
			break
		}
	}
	cursor := it.Cursor()
	require.NotEmpty(t, cursor)
	return got, cursor
}

// Resume lists l from cursor to its end, two a page, and returns the keys'
// names, the scopes of the *kms.ScopeErrors it ended with, sorted (each a
// vanished scope's: kms.ErrNotFound and pagination.ErrScopeGone), and its
// cursor.
func Resume(t testing.TB, l kms.Lister, cursor string, name func(kms.Key) string) (names, failed []string, next string) {
	t.Helper()
	it := l.ListKeys(context.Background(), kms.ListOptions{PageSize: 2, Cursor: cursor})
	keys, err := pagination.Collect(it)
	for _, k := range keys {
		names = append(names, name(k))
	}
	ses := kms.ScopeErrors(err)
	require.True(t, err == nil || ses != nil, "every error of a resumed listing is a scope's: %v", err)
	for _, se := range ses {
		assert.ErrorIs(t, se, kms.ErrNotFound, se.Scope)
		assert.ErrorIs(t, se, pagination.ErrScopeGone, se.Scope)
		failed = append(failed, se.Scope)
	}
	slices.Sort(failed)
	return names, failed, it.Cursor()
}

// FailedCursor lists l with opts to its end, which must be a failed
// scope's, and returns the cursor (which resumes that scope).
func FailedCursor(t testing.TB, l kms.Lister, opts kms.ListOptions) string {
	t.Helper()
	it := l.ListKeys(context.Background(), opts)
	_, err := pagination.Collect(it)
	var se *kms.ScopeError
	require.ErrorAs(t, err, &se)
	require.NotEmpty(t, it.Cursor())
	return it.Cursor()
}

// SortedOnce sorts names and fails the test if one repeats.
func SortedOnce(t testing.TB, names []string) []string {
	t.Helper()
	names = slices.Sorted(slices.Values(names))
	for i := 1; i < len(names); i++ {
		assert.NotEqual(t, names[i-1], names[i], "key listed twice over the chain")
	}
	return names
}
