package pagination

// Rejected returns the error it was made with, when its options or cursor
// were rejected before any request (as Err makes it, or a source whose
// Options failed), and nil otherwise, and once a loop has fetched. It
// fetches nothing; a fleet uses it to check every member's options before
// the first request of any.
func Rejected[T any](it *Iterator[T]) error {
	if it == nil || it.ran {
		return nil
	}
	return it.err
}
