package kmstest

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"

	"github.com/multikms/multikms/internal/hydrate"
	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

// ListKeys lists the seeded keys in the Fake's Shape. The Filter is applied
// to the seeded keys, as a server applies it. DetailBasic keys carry
// Provider, ID and ARN only; DetailFull keys are described (a DescribeKey
// request each) and carry the seeded fields but the extras; each Include
// bit adds its extra (a request per key), on DetailBasic listings too,
// which then describe the keys but stay DetailBasic.
func (f *Fake) ListKeys(ctx context.Context, opts kms.ListOptions) *pagination.Iterator[kms.Key] {
	const op = "ListKeys"
	if err := f.checkList(op, opts); err != nil {
		return pagination.Err[kms.Key](err)
	}
	keys := func(context.Context) ([]kms.Key, error) { return f.keys, nil }
	it := pageOf(ctx, f, op, keys, f.options(op, op, opts))
	listed := pagination.Map(it, 1, func(_ context.Context, k kms.Key) (kms.Key, bool) {
		if !opts.Filter.Match(k) {
			return kms.Key{}, false
		}
		return kms.Key{Provider: k.Provider, ID: k.ID, ARN: k.ARN, Detail: kms.DetailBasic}, true
	})
	return hydrate.Pipeline(listed, opts, f.steps(), hydrate.Config{Concurrency: f.concurrency, Scope: "kmstest.Fake"})
}

// ListKeyVersions lists the seeded versions of the key keyRef refers to (by
// ID, ARN or alias); a missing key fails the first request with ErrNotFound.
// keyRef is checked as DescribeKey checks it, and the options a version
// listing cannot honour (a Filter, DetailFull, an Include) are refused,
// before any request.
func (f *Fake) ListKeyVersions(ctx context.Context, keyRef string, opts kms.ListOptions) *pagination.Iterator[kms.KeyVersion] {
	const op = "ListKeyVersions"
	if err := kms.CheckKeyRef(f.provider, op, keyRef, MaxKeyRefLen); err != nil {
		return pagination.Err[kms.KeyVersion](err)
	}
	if err := opts.ValidateVersions(f.provider, op, f.maxPage); err != nil {
		return pagination.Err[kms.KeyVersion](err)
	}
	versions := func(context.Context) ([]kms.KeyVersion, error) {
		k, err := f.find(op, keyRef)
		return f.versions[k.ID], err
	}
	return pageOf(ctx, f, op, versions, f.options(op, op+"/"+keyRef, opts))
}

func (f *Fake) find(op, keyRef string) (kms.Key, error) {
	for _, k := range f.keys {
		if k.ID == keyRef || (k.ARN != "" && k.ARN == keyRef) || slices.Contains(k.Aliases, keyRef) {
			return k, nil
		}
	}
	return kms.Key{}, kms.NewError(f.provider, op, kms.CodeNotFound, fmt.Errorf("key %q does not exist", keyRef))
}

// checkList rejects bad list options before any request, as an adapter does.
func (f *Fake) checkList(op string, opts kms.ListOptions) error {
	return opts.Validate(f.provider, op, f.maxPage)
}

// options turns ListOptions into the engine's options; scope names the
// listing (operation, key) and the filter, which changes what a position means.
func (f *Fake) options(op, scope string, opts kms.ListOptions) pagination.Options {
	size := opts.PageSize
	if size == 0 {
		size = f.defaultPage
	}
	return pagination.Options{
		PageSize:    size,
		Cursor:      opts.Cursor,
		Scope:       fmt.Sprintf("kmstest.Fake/%s/%s/%s", f.provider, scope, opts.Filter),
		MaxItems:    opts.MaxItems,
		Prefetch:    f.prefetch,
		Concurrency: f.concurrency,
		Retry:       f.retry,
		Limiter:     f.limiter,
		Op:          op,
		WrapErr:     func(err error) error { return kms.WrapEngineError(f.provider, op, err) },
	}
}

// pageOf serves items (read afresh on every request) in the Fake's shape;
// every fetch is one request that translates its page the way an adapter
// translates an SDK response.
func pageOf[T any](ctx context.Context, f *Fake, op string, items func(context.Context) ([]T, error), o pagination.Options) *pagination.Iterator[T] {
	fetch := func(ctx context.Context, start, size int) ([]T, int, error) {
		if err := f.request(ctx, op); err != nil {
			return nil, 0, err
		}
		if size < 1 || size > f.maxPage {
			return nil, 0, kms.InvalidArgument(f.provider, op, "PageSize", "must be 1..%d, got %d", f.maxPage, size)
		}
		all, err := items(ctx)
		if err != nil {
			return nil, 0, err
		}
		start = min(start, len(all))
		return slices.Clone(all[start:min(start+size, len(all))]), len(all), nil
	}
	switch f.shape {
	case ByMarker:
		return pagination.ByMarker(ctx, func(ctx context.Context, marker string, limit int) ([]T, string, bool, error) {
			start, err := f.decodeToken(op, "Marker", marker)
			if err != nil {
				return nil, "", false, err
			}
			page, total, err := fetch(ctx, start, limit)
			next := start + len(page)
			if err != nil || next >= total {
				return page, "", false, err
			}
			return page, encodeToken(next), true, nil
		}, o)
	case ByPageNumber:
		return pagination.ByPageNumber(ctx, func(ctx context.Context, page, size int) ([]T, int, error) {
			if page < 1 {
				return nil, 0, kms.InvalidArgument(f.provider, op, "PageNumber", "must be at least 1, got %d", page)
			}
			return fetch(ctx, (page-1)*size, size)
		}, o)
	default:
		return pagination.ByPageToken(ctx, func(ctx context.Context, token string, size int) ([]T, string, error) {
			start, err := f.decodeToken(op, "PageToken", token)
			if err != nil {
				return nil, "", err
			}
			page, total, err := fetch(ctx, start, size)
			if next := start + len(page); err == nil && next < total {
				return page, encodeToken(next), nil
			}
			return page, "", err
		}, o)
	}
}

// encodeToken makes the opaque marker or page token for offset n.
func encodeToken(n int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("fake-offset:" + strconv.Itoa(n)))
}

func (f *Fake) decodeToken(op, param, token string) (int, error) {
	if token == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err == nil {
		var n int
		if _, err = fmt.Sscanf(string(b), "fake-offset:%d", &n); err == nil && n >= 0 {
			return n, nil
		}
	}
	return 0, kms.InvalidArgument(f.provider, op, param, "malformed %s", param)
}
