package pagination

import (
	"context"
	"iter"
)

// MarkerFunc fetches one page of a marker-paginated listing (AWS style):
// marker is "" for the first page; next and truncated come from the response.
type MarkerFunc[T any] func(ctx context.Context, marker string, limit int) (items []T, next string, truncated bool, err error)

// PageNumberFunc fetches page number page (from 1) of size items of a
// page-number listing (Alibaba style) and returns the reported total.
type PageNumberFunc[T any] func(ctx context.Context, page, size int) (items []T, total int, err error)

// PageTokenFunc fetches one page of a token-paginated listing (Yandex, Google
// style): token is "" for the first page; next is "" on the last one.
type PageTokenFunc[T any] func(ctx context.Context, token string, size int) (items []T, next string, err error)

// Iterator lists items of type T page by page. Create one with ByMarker,
// ByPageNumber, ByPageToken, Concat or Map. An Iterator is not safe for
// concurrent use.
type Iterator[T any] struct{ _ [0]T }

// All returns the items one by one. On failure it yields a zero T with the
// error once and stops. Breaking out of the loop stops all fetching; a later
// call to All continues after the last item handed out.
func (it *Iterator[T]) All() iter.Seq2[T, error] { panic("TODO") }

// Pages returns the items page by page.
func (it *Iterator[T]) Pages() iter.Seq2[[]T, error] { panic("TODO") }

// Cursor returns an opaque, URL-safe resume point after the last item handed
// out, or "" once the listing is exhausted.
func (it *Iterator[T]) Cursor() string { panic("TODO") }

// ByMarker lists a marker-paginated source.
func ByMarker[T any](ctx context.Context, fetch MarkerFunc[T], opts Options) *Iterator[T] {
	panic("TODO")
}

// ByPageNumber lists a page-number source.
func ByPageNumber[T any](ctx context.Context, fetch PageNumberFunc[T], opts Options) *Iterator[T] {
	panic("TODO")
}

// ByPageToken lists a page-token source.
func ByPageToken[T any](ctx context.Context, fetch PageTokenFunc[T], opts Options) *Iterator[T] {
	panic("TODO")
}

// Err returns an Iterator that yields err and nothing else; for input
// rejected before any request.
func Err[T any](err error) *Iterator[T] { panic("TODO") }

// Concat lists the parts one after another as one Iterator. Each part is
// built from its own cursor ("" = from its start). Up to opts.Concurrency
// parts (0 means 4) are fetched ahead concurrently; items come out in part
// order. The cursor records the part and that part's own cursor.
func Concat[T any](ctx context.Context, opts Options, parts ...func(ctx context.Context, cursor string) *Iterator[T]) *Iterator[T] {
	panic("TODO")
}

// Map applies fn to every item of it with up to concurrency calls at once
// (0 means 8), keeping list order and overlapping with page fetching. fn
// returns the mapped item and whether to keep it; a failure belongs in U
// (the item still comes out carrying the reason), never in the stream. The
// returned Iterator's cursor stays exact to the item.
func Map[T, U any](it *Iterator[T], concurrency int, fn func(ctx context.Context, item T) (U, bool)) *Iterator[U] {
	panic("TODO")
}
