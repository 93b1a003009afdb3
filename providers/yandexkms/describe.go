package yandexkms

import (
	"context"
	"errors"
	"fmt"

	kmspb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1"
	aepb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1/asymmetricencryption"
	aspb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1/asymmetricsignature"

	"github.com/multikms/multikms/internal/hydrate"
	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

// kindGet is the Get call of one key kind.
type kindGet struct {
	op  string
	get func(l *Lister, ctx context.Context, keyID string) (kms.Key, error)
}

// getters are tried in this order by DescribeKey.
var getters = []kindGet{
	{OpGetSymmetric, func(l *Lister, ctx context.Context, id string) (kms.Key, error) {
		k, err := l.sdk.KMS().SymmetricKey().Get(ctx, &kmspb.GetSymmetricKeyRequest{KeyId: id})
		if err != nil {
			return kms.Key{}, err
		}
		return one(k, fromSymmetric), nil
	}},
	{OpGetEncryption, func(l *Lister, ctx context.Context, id string) (kms.Key, error) {
		k, err := l.sdk.KMSAsymmetricEncryption().AsymmetricEncryptionKey().Get(ctx, &aepb.GetAsymmetricEncryptionKeyRequest{KeyId: id})
		if err != nil {
			return kms.Key{}, err
		}
		return one(k, fromEncryption), nil
	}},
	{OpGetSignature, func(l *Lister, ctx context.Context, id string) (kms.Key, error) {
		k, err := l.sdk.KMSAsymmetricSignature().AsymmetricSignatureKey().Get(ctx, &aspb.GetAsymmetricSignatureKeyRequest{KeyId: id})
		if err != nil {
			return kms.Key{}, err
		}
		return one(k, fromSignature), nil
	}},
}

// DescribeKey returns the key with ID keyRef, whichever kind it is: it asks
// SymmetricKey.Get, then AsymmetricEncryptionKey.Get, then
// AsymmetricSignatureKey.Get, until one finds it. The key comes with the
// same content as a listing's (kms.DetailFull: Yandex Cloud has no aliases,
// and labels and rotation come with every key). NOT_FOUND and
// PERMISSION_DENIED (which Yandex Cloud also answers for a resource the
// caller cannot see) move on to the next kind; if no kind finds the key,
// the error is kms.ErrPermissionDenied when any kind answered so, and
// kms.ErrNotFound otherwise. Any other error stops at once. Key IDs are
// unique across folders, so the key may be in any folder the credentials
// can read, not only the Lister's. keyRef is checked before any request
// (see New: 1..50 lowercase letters and digits; an ARN of another cloud is
// refused at once).
func (l *Lister) DescribeKey(ctx context.Context, keyRef string) (kms.Key, error) {
	if err := l.checkKey("DescribeKey", keyRef); err != nil {
		return kms.Key{}, err
	}
	return l.describe(ctx, "DescribeKey", keyRef, getters, l.retry)
}

// DescribeKeyInclude is DescribeKey with the extras include asks for, as a
// listing with that Include fills them (kms.Describe calls it): labels and
// rotation come with every key, Yandex Cloud has no key policy, and
// IncludeAccess lists the key's access bindings (a refused read leaves the
// reason in Key.DetailErr; the key is returned). An invalid include is
// refused with kms.ErrInvalidArgument before any request.
func (l *Lister) DescribeKeyInclude(ctx context.Context, keyRef string, include kms.Include) (kms.Key, error) {
	if err := (kms.ListOptions{Include: include}).Validate(kms.ProviderYandex, "DescribeKey", MaxPageSize); err != nil {
		return kms.Key{}, err
	}
	k, err := l.DescribeKey(ctx, keyRef)
	if err != nil || include == 0 {
		return k, err
	}
	opts := kms.ListOptions{Detail: kms.DetailFull, Include: include}
	return hydrate.One(ctx, k, opts, l.steps(), l.hydrateConfig(l.scopeOf("DescribeKey", keyRef))), nil
}

// describe tries gets in turn; see DescribeKey. op is the operation a key
// that none of them knows is reported for.
func (l *Lister) describe(ctx context.Context, op, keyID string, gets []kindGet, r pagination.Retry) (kms.Key, error) {
	var lastErr, denied error
	for _, g := range gets {
		var k kms.Key
		req := l.request(g.op)
		req.Retry = r
		err := req.Do(ctx, func(ctx context.Context) error {
			var err error
			k, err = await(ctx, func(ctx context.Context) (kms.Key, error) { return g.get(l, ctx, keyID) })
			return mapError(ctx, g.op, err)
		})
		switch {
		case err == nil:
			return k, nil
		case errors.Is(err, kms.ErrPermissionDenied):
			denied = err
		case !isNotFound(err):
			return kms.Key{}, err
		}
		lastErr = err
	}
	if denied != nil {
		return kms.Key{}, denied
	}
	native := lastErr
	var ke *kms.Error
	if errors.As(lastErr, &ke) {
		native = ke.Err // one "kms:" prefix per message
	}
	return kms.Key{}, kms.NewError(kms.ProviderYandex, op, kms.CodeNotFound,
		fmt.Errorf("no symmetric, asymmetric encryption or asymmetric signature key %s: %w", keyID, native))
}

// ListKeyVersions lists the versions of key keyRef. For a symmetric key it
// pages SymmetricKey.ListVersions through pagination.ByPageToken (page size
// 0..1000, 0: 100): every version with its status (ACTIVE,
// SCHEDULED_FOR_DESTRUCTION with DestroyAt, DESTROYED), primary flag,
// algorithm and protection (hosted_by_hsm). An asymmetric key has no
// versions in the API: when ListVersions answers NOT_FOUND or
// PERMISSION_DENIED, the key is looked up as an asymmetric key and, if
// found, listed as one implicit version (see implicitVersion); otherwise the
// listing fails with ListVersions' own answer when it was PERMISSION_DENIED,
// and kms.ErrNotFound when every lookup answered NOT_FOUND.
//
// The cloud cannot filter or describe versions: a Filter, a Detail other
// than DetailBasic or any Include is refused with kms.ErrInvalidArgument
// naming it, before any request.
func (l *Lister) ListKeyVersions(ctx context.Context, keyRef string, opts kms.ListOptions) *pagination.Iterator[kms.KeyVersion] {
	const op = "ListKeyVersions"
	if err := l.checkKey(op, keyRef); err != nil {
		return pagination.Err[kms.KeyVersion](err)
	}
	if l.optErr != nil {
		return pagination.Err[kms.KeyVersion](l.optErr)
	}
	if err := opts.ValidateVersions(kms.ProviderYandex, op, MaxPageSize); err != nil {
		return pagination.Err[kms.KeyVersion](err)
	}
	o := l.pageOptions(OpListVersions, l.scopeOf(keyRef, OpListVersions), opts.Cursor, opts.PageSize)
	o.MaxItems, o.WrapErr = opts.MaxItems, wrapEngine(op)
	return pagination.ByPageToken(ctx, func(ctx context.Context, token string, size int) ([]kms.KeyVersion, string, error) {
		return l.fetchVersions(ctx, keyRef, token, size)
	}, o)
}

// fetchVersions is one ListVersions request, and for the first page of a
// key ListVersions does not know, the asymmetric lookups (sent once each
// under the limiter; the engine retries the whole fetch).
func (l *Lister) fetchVersions(ctx context.Context, keyID, token string, size int) ([]kms.KeyVersion, string, error) {
	pg, err := await(ctx, func(ctx context.Context) (page[kms.KeyVersion], error) {
		resp, err := l.sdk.KMS().SymmetricKey().ListVersions(ctx,
			&kmspb.ListSymmetricKeyVersionsRequest{KeyId: keyID, PageSize: int64(size), PageToken: token})
		if err != nil {
			return page[kms.KeyVersion]{}, err
		}
		return page[kms.KeyVersion]{convert(ctx, resp.KeyVersions, fromVersion), resp.NextPageToken}, nil
	})
	if err = checkAnswer(ctx, OpListVersions, pg.next, err); err == nil {
		return pg.items, pg.next, nil
	}
	if token != "" || !(isNotFound(err) || errors.Is(err, kms.ErrPermissionDenied)) {
		return nil, "", err
	}
	listErr := err
	k, err := l.describe(ctx, OpListVersions, keyID, getters[1:], pagination.Retry{MaxAttempts: 1})
	switch {
	case err == nil:
	case isNotFound(err) && errors.Is(listErr, kms.ErrPermissionDenied):
		return nil, "", listErr // a symmetric key the caller may not list
	default:
		return nil, "", err
	}
	return []kms.KeyVersion{implicitVersion(k)}, "", nil
}

// checkKey rejects a bad key reference before any request: what every
// adapter checks (kms.CheckKeyRef: empty, invalid UTF-8, too long, an ARN
// of another cloud), then the shape of Yandex Cloud IDs (checkID).
func (l *Lister) checkKey(op, keyRef string) error {
	if l.optErr != nil {
		return l.optErr
	}
	if err := kms.CheckKeyRef(kms.ProviderYandex, op, keyRef, MaxKeyIDLen); err != nil {
		return err
	}
	return checkID(op, "keyRef", keyRef, MaxKeyIDLen)
}
