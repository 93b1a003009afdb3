package awskms

import (
	"context"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmssdk "github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/multikms/multikms/internal/arnprefix"
	"github.com/multikms/multikms/internal/hydrate"
	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

// ListKeys lists the keys of the account and Region with ListKeys, Limit
// opts.PageSize (0: the AWS default, 100). A DetailBasic listing yields what
// ListKeys returns (ID, ARN, Region, Account; *types.KeyListEntry for As).
// A DetailFull listing describes every key (see the package doc); a Filter
// or an Include makes even a DetailBasic listing describe the keys.
func (l *Lister) ListKeys(ctx context.Context, opts kms.ListOptions) *pagination.Iterator[kms.Key] {
	if err := l.checkList(OpListKeys, opts); err != nil {
		return pagination.Err[kms.Key](err)
	}
	// The Filter is part of the listing's scope: a cursor of an unfiltered
	// listing is refused by a filtered one, and the other way round.
	scope := OpListKeys + "?filter=" + opts.Filter.String()
	it := pagination.ByMarker(ctx, l.fetchKeys, l.pageOptions(OpListKeys, scope, opts))
	return hydrate.Pipeline(it, opts, l.listSteps(opts), l.hydrateConfig())
}

// fetchKeys is one ListKeys request.
func (l *Lister) fetchKeys(ctx context.Context, marker string, limit int) ([]kms.Key, string, bool, error) {
	out, err := page(ctx, OpListKeys, marker, limit, func(m *string, n *int32, c *call) (*kmssdk.ListKeysOutput, error) {
		return l.client.ListKeys(ctx, &kmssdk.ListKeysInput{Marker: m, Limit: n}, c.options)
	})
	if err != nil {
		return nil, "", false, err
	}
	next, err := nextMarker(OpListKeys, out.NextMarker, out.Truncated)
	if err != nil {
		return nil, "", false, err
	}
	// One pass: every key ID is checked as its key is filled, and a bad one
	// drops the whole page (the buffer is never handed out, nor reused).
	keys := pagination.PageBuffer[kms.Key](ctx, len(out.Keys))
	var arns arnprefix.Cache
	for i := range out.Keys {
		if !printableASCII(aws.ToString(out.Keys[i].KeyId)) {
			return nil, "", false, fail(OpListKeys, kms.CodeUnknown, errBadServerKeyID)
		}
		setListEntry(&keys[i], &out.Keys[i], &arns)
	}
	return keys, next, out.Truncated, nil
}

// printableASCII reports whether a key ID from the server is 1..2048
// printable ASCII characters (0x21..0x7E), as every AWS key ID is: one with
// a NUL, a space, a control character or any byte of 0x7F and above (so
// invalid UTF-8 too) is a broken or hostile answer. It tests eight bytes at
// a time (a key ID is 36 bytes): a word has a byte below 0x21 exactly when
// (w - 0x21 in every byte) &^ w has a high bit set, and a byte above 0x7E
// exactly when (w + 0x01 in every byte) | w has one (exact for "any byte",
// which is all that is asked); the tail is tested byte by byte.
func printableASCII(s string) bool {
	if len(s) < 1 || len(s) > MaxKeyRefLen {
		return false
	}
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if ((w-0x21*ones)&^w|(w+ones)|w)&highs != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// nextMarker checks the NextMarker of a truncated answer against the shape
// AWS documents, so that a broken or hostile server's marker (10 MB, say)
// never goes into a request or a cursor.
func nextMarker(op string, next *string, truncated bool) (string, error) {
	m := aws.ToString(next)
	if truncated && m != "" && checkMarker(op, m) != nil {
		return "", fail(op, kms.CodeUnknown, errBadServerMarker)
	}
	return m, nil
}

// page makes one request of a marker-paginated operation: call gets the
// Marker and Limit to send (nil for none) and the call's plumbing, and its
// error is mapped and scrubbed.
func page[O any](ctx context.Context, op, marker string, limit int, send func(m *string, n *int32, c *call) (O, error)) (O, error) {
	var (
		m    *string
		n    *int32
		c    call
		zero O
	)
	setPage(marker, limit, &m, &n)
	out, err := send(m, n, &c)
	if err != nil {
		return zero, c.fail(ctx, op, err)
	}
	return out, nil
}

// checkMarker checks a marker against the shape AWS documents (length
// 1..1024 characters, U+0020..U+00FF); it is the
// pagination.Options.CheckToken of every listing, so a forged cursor is
// refused before any request.
func checkMarker(op, marker string) error {
	if !utf8.ValidString(marker) || utf8.RuneCountInString(marker) > MaxMarkerLen { // characters, not bytes
		return fail(op, kms.CodeInvalidCursor, errMarkerShape)
	}
	for _, r := range marker {
		if r < 0x20 || r > 0xFF {
			return fail(op, kms.CodeInvalidCursor, errMarkerShape)
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
// (operation, filter, and key for versions) within the Lister's Region and
// endpoint.
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
		Op:         op,
		Observer:   l.observer,
		WrapErr:    func(err error) error { return kms.WrapEngineError(kms.ProviderAWS, op, err) },
	}
}
