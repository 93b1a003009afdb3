package yandexkms

import (
	"context"
	"strings"
	"unicode/utf8"

	kmspb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1"
	aepb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1/asymmetricencryption"
	aspb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1/asymmetricsignature"

	"github.com/multikms/multikms/internal/hydrate"
	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

// kindList is the List call of one key kind: one SDK request for one page
// of one folder.
type kindList struct {
	op   string
	list func(l *Lister, ctx context.Context, folderID, token string, size int64) (page[kms.Key], error)
}

// page is one answer of a List call: its items, converted, and the next
// page token.
type page[T any] struct {
	items []T
	next  string
}

// kinds are listed in this order within each folder.
var kinds = []kindList{
	{OpListSymmetric, (*Lister).listSymmetric},
	{OpListEncryption, (*Lister).listEncryption},
	{OpListSignature, (*Lister).listSignature},
}

// ListKeys lists the symmetric, asymmetric encryption and asymmetric
// signature keys of every folder of the Lister as one stream: for each folder
// in turn its symmetric keys, then its asymmetric encryption keys, then its
// asymmetric signature keys (Key.Kind tells them apart). Each of these
// listings pages its List call through pagination.ByPageToken with page size
// opts.PageSize (0: the cloud's default, 100); up to WithConcurrency of them
// are fetched at once. The List answers are complete, so every key comes
// out with DetailFull whatever opts.Detail asks, at no extra cost; labels
// (IncludeTags) and rotation (IncludeRotation) come with every key, and
// Yandex Cloud has no key policy (IncludePolicy leaves Key.Policy empty).
// IncludeAccess lists each key's access bindings (the ListAccessBindings
// call of its kind, WithConcurrency keys at once, in list order); a
// refused or failed read leaves Key.Access empty and the reason in
// Key.DetailErr, and the key is kept.
// The Filter is applied to each page as it arrives; it is part of the
// cursor's scope (a cursor of another filter is refused), Detail and Include
// are not.
func (l *Lister) ListKeys(ctx context.Context, opts kms.ListOptions) *pagination.Iterator[kms.Key] {
	if err := l.checkList("ListKeys", opts); err != nil {
		return pagination.Err[kms.Key](err)
	}
	parts := make([]func(context.Context, string) *pagination.Iterator[kms.Key], 0, len(kinds)*len(l.folders))
	for _, folderID := range l.folders {
		for _, k := range kinds {
			parts = append(parts, l.part(folderID, k, opts))
		}
	}
	scope := l.scopeOf("ListKeys", strings.Join(l.folders, ","), opts.Filter.String())
	it := pagination.Concat(ctx, pagination.Options{
		Cursor:      opts.Cursor,
		MaxItems:    opts.MaxItems,
		Scope:       scope,
		Concurrency: l.concurrency,
		Op:          "ListKeys",
		Observer:    l.observer,
		WrapErr:     wrapEngine("ListKeys"),
	}, parts...)
	return hydrate.Pipeline(it, hydrateOptions(opts), l.steps(), l.hydrateConfig(scope))
}

// part is the listing of one kind of key in one folder.
func (l *Lister) part(folderID string, k kindList, opts kms.ListOptions) func(context.Context, string) *pagination.Iterator[kms.Key] {
	fetch := func(ctx context.Context, token string, size int) ([]kms.Key, string, error) {
		pg, err := await(ctx, func(ctx context.Context) (page[kms.Key], error) {
			return k.list(l, ctx, folderID, token, int64(size))
		})
		if err = checkAnswer(ctx, k.op, pg.next, err); err != nil {
			return nil, "", err
		}
		keys, next := pg.items, pg.next
		if !opts.Filter.IsZero() {
			keys = filterKeys(keys, opts.Filter)
		}
		return keys, next, nil
	}
	return func(ctx context.Context, cursor string) *pagination.Iterator[kms.Key] {
		return pagination.ByPageToken(ctx, fetch, l.pageOptions(k.op, l.scopeOf(folderID, k.op, opts.Filter.String()), cursor, opts.PageSize))
	}
}

// filterKeys keeps the keys f matches, in place.
func filterKeys(keys []kms.Key, f kms.Filter) []kms.Key {
	out := keys[:0]
	for _, k := range keys {
		if f.Match(k) {
			out = append(out, k)
		}
	}
	clear(keys[len(out):])
	return out
}

func (l *Lister) listSymmetric(ctx context.Context, folderID, token string, size int64) (page[kms.Key], error) {
	resp, err := l.sdk.KMS().SymmetricKey().List(ctx, &kmspb.ListSymmetricKeysRequest{FolderId: folderID, PageSize: size, PageToken: token})
	if err != nil {
		return page[kms.Key]{}, err
	}
	return page[kms.Key]{convert(ctx, resp.Keys, fromSymmetric), resp.NextPageToken}, nil
}

func (l *Lister) listEncryption(ctx context.Context, folderID, token string, size int64) (page[kms.Key], error) {
	resp, err := l.sdk.KMSAsymmetricEncryption().AsymmetricEncryptionKey().List(ctx,
		&aepb.ListAsymmetricEncryptionKeysRequest{FolderId: folderID, PageSize: size, PageToken: token})
	if err != nil {
		return page[kms.Key]{}, err
	}
	return page[kms.Key]{convert(ctx, resp.Keys, fromEncryption), resp.NextPageToken}, nil
}

func (l *Lister) listSignature(ctx context.Context, folderID, token string, size int64) (page[kms.Key], error) {
	resp, err := l.sdk.KMSAsymmetricSignature().AsymmetricSignatureKey().List(ctx,
		&aspb.ListAsymmetricSignatureKeysRequest{FolderId: folderID, PageSize: size, PageToken: token})
	if err != nil {
		return page[kms.Key]{}, err
	}
	return page[kms.Key]{convert(ctx, resp.Keys, fromSignature), resp.NextPageToken}, nil
}

// convert maps a page of native objects, each straight into its place in a
// page buffer (see pagination.PageBuffer).
func convert[T any, U any](ctx context.Context, in []T, f func(*U, T)) []U {
	out := pagination.PageBuffer[U](ctx, len(in))
	for i, v := range in {
		f(&out[i], v)
	}
	return out
}

// one maps a single native object.
func one[T any, U any](v T, f func(*U, T)) U {
	var out U
	f(&out, v)
	return out
}

// checkList rejects bad list options before any request.
func (l *Lister) checkList(op string, opts kms.ListOptions) error {
	if l.optErr != nil {
		return l.optErr
	}
	return opts.Validate(kms.ProviderYandex, op, MaxPageSize)
}

// checkToken refuses a page token longer than the API allows or not valid
// UTF-8 (it could not be sent): it can only come from a tampered cursor
// (pagination.Options.CheckToken checks it as the listing is made).
func checkToken(op, token string) error {
	if !utf8.ValidString(token) || utf8.RuneCountInString(token) > MaxPageToken { // characters, as the API counts
		return kms.NewError(kms.ProviderYandex, op, kms.CodeInvalidCursor, errTokenTooLong)
	}
	return nil
}

// nextTokenLimit is the longest next page token taken from a server
// (MaxPageToken; a variable so that a test can make a forged cursor).
var nextTokenLimit = MaxPageToken

// checkAnswer maps the error of one List call and refuses a next page
// token beyond the API's limit (a broken or hostile server: the token would
// go into the cursor, and no server of the API could take it back).
func checkAnswer(ctx context.Context, op, next string, err error) error {
	if err != nil {
		return mapError(ctx, op, err)
	}
	if len(next) > nextTokenLimit && utf8.RuneCountInString(next) > nextTokenLimit {
		return kms.NewError(kms.ProviderYandex, op, kms.CodeUnavailable, badAnswer{errNextTooLong})
	}
	return nil
}

// pageOptions are the engine options of one paged listing of op; scope
// names it (folder or key, operation, filter) within the Lister's endpoint.
func (l *Lister) pageOptions(op, scope, cursor string, pageSize int) pagination.Options {
	return pagination.Options{
		PageSize:   pageSize,
		Cursor:     cursor,
		Scope:      scope,
		Prefetch:   l.prefetch,
		Retry:      l.retry,
		Limiter:    l.limiter,
		CheckToken: func(token string) error { return checkToken(op, token) },
		Op:         op,
		Observer:   l.observer,
		WrapErr:    wrapEngine(op),
	}
}

// wrapEngine makes the errors of the engine (a refused cursor, a server
// repeating a page token) *kms.Errors of op, as every other error is.
func wrapEngine(op string) func(error) error {
	return func(err error) error { return kms.WrapEngineError(kms.ProviderYandex, op, err) }
}
