package awskms

import (
	"context"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmssdk "github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/multikms/multikms/internal/arnprefix"
	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

// ListKeys lists the keys of the account and Region with ListKeys, Limit
// opts.PageSize (0: the AWS default, 100). A DetailBasic listing yields what
// ListKeys returns (ID, ARN, Region, Account; *types.KeyListEntry for As).
// A DetailFull listing describes every key (see the package doc); a Filter
// makes even a DetailBasic listing describe the keys, to decide.
func (l *Lister) ListKeys(ctx context.Context, opts kms.ListOptions) *pagination.Iterator[kms.Key] {
	if err := l.checkList(OpListKeys, opts); err != nil {
		return pagination.Err[kms.Key](err)
	}
	it := pagination.ByMarker(ctx, l.fetchKeys, l.pageOptions(OpListKeys, OpListKeys, opts))
	if opts.Detail != kms.DetailFull && opts.Filter.IsZero() {
		return it
	}
	h := &hydrator{l: l, opts: opts}
	described := pagination.Map(it, l.concurrency, h.hydrate)
	if opts.Detail != kms.DetailFull {
		return described
	}
	return pagination.Map(described, l.concurrency, h.join)
}

// fetchKeys is one ListKeys request.
func (l *Lister) fetchKeys(ctx context.Context, marker string, limit int) ([]kms.Key, string, bool, error) {
	out, err := page(ctx, OpListKeys, marker, limit, func(m *string, n *int32) (*kmssdk.ListKeysOutput, error) {
		return l.client.ListKeys(ctx, &kmssdk.ListKeysInput{Marker: m, Limit: n}, noSDKRetry)
	})
	if err != nil {
		return nil, "", false, err
	}
	keys := pagination.PageBuffer[kms.Key](ctx, len(out.Keys))
	var arns arnprefix.Cache
	for i := range out.Keys {
		setListEntry(&keys[i], &out.Keys[i], &arns)
	}
	return keys, aws.ToString(out.NextMarker), out.Truncated, nil
}

// page makes one request of a marker-paginated operation: call gets the
// Marker and Limit to send (nil for none) and its error is mapped.
func page[O any](ctx context.Context, op, marker string, limit int, call func(m *string, n *int32) (O, error)) (O, error) {
	var (
		m    *string
		n    *int32
		zero O
	)
	setPage(marker, limit, &m, &n)
	out, err := call(m, n)
	if err != nil {
		return zero, mapError(ctx, op, err)
	}
	return out, nil
}

// checkMarker checks the marker a cursor carries against the shape AWS
// documents (length 1..1024 characters, U+0020..U+00FF); it is the
// pagination.Options.CheckToken of every listing, so a forged cursor is
// refused before any request.
func checkMarker(op, marker string) error {
	if utf8.RuneCountInString(marker) > MaxMarkerLen { // characters, not bytes
		return kms.NewError(kms.ProviderAWS, op, kms.CodeInvalidCursor, errMarkerShape)
	}
	for _, r := range marker {
		if r < 0x20 || r > 0xFF {
			return kms.NewError(kms.ProviderAWS, op, kms.CodeInvalidCursor, errMarkerShape)
		}
	}
	return nil
}

// setPage sets Marker and Limit (nil for none).
func setPage(marker string, limit int, m **string, n **int32) {
	if marker != "" {
		*m = aws.String(marker)
	}
	if limit > 0 {
		*n = aws.Int32(int32(limit))
	}
}

// checkList rejects bad list options before any request.
func (l *Lister) checkList(op string, opts kms.ListOptions) error {
	if l.optErr != nil {
		return l.optErr
	}
	return opts.Validate(kms.ProviderAWS, op, MaxPageSize)
}

// pageOptions are the engine options of a listing of op; scope names it
// (operation, and key for versions) within the Lister's Region and endpoint.
func (l *Lister) pageOptions(op, scope string, opts kms.ListOptions) pagination.Options {
	return pagination.Options{
		PageSize:   opts.PageSize,
		Cursor:     opts.Cursor,
		Scope:      l.scope + "/" + scope,
		MaxItems:   opts.MaxItems,
		Prefetch:   l.prefetch,
		Retry:      l.retry,
		Limiter:    l.limiters[op],
		CheckToken: func(marker string) error { return checkMarker(op, marker) },
	}
}
