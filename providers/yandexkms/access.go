package yandexkms

import (
	"context"

	"github.com/yandex-cloud/go-genproto/yandex/cloud/access"

	"github.com/multikms/multikms/internal/hydrate"
	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

// The ListAccessBindings calls of the three key kinds (kms.IncludeAccess).
const (
	OpAccessSymmetric  = "SymmetricKey.ListAccessBindings"
	OpAccessEncryption = "AsymmetricEncryptionKey.ListAccessBindings"
	OpAccessSignature  = "AsymmetricSignatureKey.ListAccessBindings"
)

// AccessSource is the Source of every kms.Access the adapter makes: an
// access binding of the key.
const AccessSource = "binding"

// kindAccess is the ListAccessBindings call of one key kind.
type kindAccess struct {
	kind kms.KeyKind
	op   string
	list func(l *Lister, ctx context.Context, req *access.ListAccessBindingsRequest) (*access.ListAccessBindingsResponse, error)
}

var accessKinds = []kindAccess{
	{kms.KindSymmetric, OpAccessSymmetric, func(l *Lister, ctx context.Context, req *access.ListAccessBindingsRequest) (*access.ListAccessBindingsResponse, error) {
		return l.sdk.KMS().SymmetricKey().ListAccessBindings(ctx, req)
	}},
	{kms.KindAsymmetricEncryption, OpAccessEncryption, func(l *Lister, ctx context.Context, req *access.ListAccessBindingsRequest) (*access.ListAccessBindingsResponse, error) {
		return l.sdk.KMSAsymmetricEncryption().AsymmetricEncryptionKey().ListAccessBindings(ctx, req)
	}},
	{kms.KindAsymmetricSignature, OpAccessSignature, func(l *Lister, ctx context.Context, req *access.ListAccessBindingsRequest) (*access.ListAccessBindingsResponse, error) {
		return l.sdk.KMSAsymmetricSignature().AsymmetricSignatureKey().ListAccessBindings(ctx, req)
	}},
}

// steps are the Lister's per-key steps for internal/hydrate: the List and
// Get answers are complete (no describe), and IncludeAccess lists the
// key's access bindings with its kind's call (one extra per kind, so that a
// key costs only its own kind's requests).
func (l *Lister) steps() hydrate.Steps {
	extras := make([]hydrate.Extra, 0, len(accessKinds))
	for _, a := range accessKinds {
		extras = append(extras, hydrate.Extra{
			Include: kms.IncludeAccess,
			Op:      a.op,
			Applies: func(k *kms.Key) bool { return k.Kind == a.kind },
			Fetch: func(ctx context.Context, k *kms.Key) error {
				acc, err := l.accessOf(ctx, a, k.ID)
				if err == nil {
					k.Access = acc
				}
				return err
			},
		})
	}
	return hydrate.Steps{Extras: extras}
}

// hydrateConfig runs the extras of WithConcurrency keys at once.
func (l *Lister) hydrateConfig(scope string) hydrate.Config {
	return hydrate.Config{Concurrency: l.concurrency, Observer: l.observer, Scope: scope}
}

// hydrateOptions are the options the pipeline gets: the List answers are
// complete, so the keys stay DetailFull whatever was asked.
func hydrateOptions(opts kms.ListOptions) kms.ListOptions {
	opts.Detail = kms.DetailFull
	return opts
}

// accessOf lists every access binding of key keyID with its kind's call,
// page after page of MaxPageSize (a key rarely has more than one), under the
// Lister's limiter and retry policy, and maps each to a kms.Access: the
// subject's ID and type, the role as the one action, Source "binding".
// Yandex Cloud bindings carry no conditions.
func (l *Lister) accessOf(ctx context.Context, a kindAccess, keyID string) ([]kms.Access, error) {
	fetch := func(ctx context.Context, token string, size int) ([]kms.Access, string, error) {
		pg, err := await(ctx, func(ctx context.Context) (page[kms.Access], error) {
			resp, err := a.list(l, ctx, &access.ListAccessBindingsRequest{ResourceId: keyID, PageSize: int64(size), PageToken: token})
			if err != nil {
				return page[kms.Access]{}, err
			}
			out := make([]kms.Access, len(resp.AccessBindings))
			for i, b := range resp.AccessBindings {
				out[i] = fromBinding(b)
			}
			return page[kms.Access]{out, resp.NextPageToken}, nil
		})
		if err = checkAnswer(ctx, a.op, pg.next, err); err != nil {
			return nil, "", err
		}
		return pg.items, pg.next, nil
	}
	o := l.pageOptions(a.op, l.scopeOf(keyID, a.op), "", MaxPageSize)
	o.Prefetch = -1 // collected at once: nothing to overlap
	acc, err := pagination.Collect(pagination.ByPageToken(ctx, fetch, o))
	if err != nil {
		return nil, err
	}
	return acc, nil
}

// fromBinding maps one access binding.
func fromBinding(b *access.AccessBinding) kms.Access {
	return kms.Access{
		Principal:     b.GetSubject().GetId(),
		PrincipalType: b.GetSubject().GetType(),
		Actions:       []string{b.GetRoleId()},
		Source:        AccessSource,
	}
}
