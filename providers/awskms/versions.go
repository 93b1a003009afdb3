package awskms

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmssdk "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

// ListKeyVersions lists the key materials of one key with ListKeyRotations
// and IncludeKeyMaterial ALL_KEY_MATERIAL, so the first material, every
// rotated one and imported material pending rotation all appear, oldest
// first; the CURRENT one is Primary. keyRef is a key ID or key ARN, or an
// alias (name or ARN), which costs one DescribeKey to resolve. A key that
// does not rotate (asymmetric, HMAC, custom key store) fails with
// kms.ErrUnsupported. Each version keeps *types.RotationsListEntry for As.
// A Filter, DetailFull or an Include, which a version listing cannot
// honour, is refused with kms.ErrInvalidArgument naming it.
func (l *Lister) ListKeyVersions(ctx context.Context, keyRef string, opts kms.ListOptions) *pagination.Iterator[kms.KeyVersion] {
	if l.optErr != nil {
		return pagination.Err[kms.KeyVersion](l.optErr)
	}
	if err := opts.ValidateVersions(kms.ProviderAWS, OpListKeyRotations, MaxPageSize); err != nil {
		return pagination.Err[kms.KeyVersion](err)
	}
	kind, err := checkKeyRef(OpListKeyRotations, keyRef)
	if err != nil {
		return pagination.Err[kms.KeyVersion](err)
	}
	r := &keyResolver{l: l, ref: keyRef, alias: kind == refAlias || kind == refAliasARN}
	fetch := func(ctx context.Context, marker string, limit int) ([]kms.KeyVersion, string, bool, error) {
		keyID, err := r.keyID(ctx)
		if err != nil {
			return nil, "", false, err
		}
		out, err := page(ctx, OpListKeyRotations, marker, limit, func(m *string, n *int32, c *call) (*kmssdk.ListKeyRotationsOutput, error) {
			return l.client.ListKeyRotations(ctx, &kmssdk.ListKeyRotationsInput{
				KeyId: aws.String(keyID), IncludeKeyMaterial: types.IncludeKeyMaterialAllKeyMaterial, Marker: m, Limit: n,
			}, c.options)
		})
		if err != nil {
			return nil, "", false, err
		}
		next, err := nextMarker(OpListKeyRotations, out.NextMarker, out.Truncated)
		if err != nil {
			return nil, "", false, err
		}
		versions := pagination.PageBuffer[kms.KeyVersion](ctx, len(out.Rotations))
		for i := range out.Rotations {
			versions[i] = fromRotation(&out.Rotations[i])
		}
		return versions, next, out.Truncated, nil
	}
	return pagination.ByMarker(ctx, fetch, l.pageOptions(OpListKeyRotations, OpListKeyRotations+"/"+keyRef, opts))
}

// keyResolver turns an alias into its key ID once per listing (DescribeKey);
// a key ID or ARN is used as it is.
type keyResolver struct {
	l     *Lister
	ref   string
	alias bool

	mu sync.Mutex
	id string
}

func (r *keyResolver) keyID(ctx context.Context) (string, error) {
	if !r.alias {
		return r.ref, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.id == "" {
		// One attempt: the page fetch this runs in is retried already.
		req := r.l.request(OpDescribeKey)
		req.Retry = pagination.Retry{MaxAttempts: 1}
		md, err := r.l.describe(ctx, r.ref, req)
		if err != nil {
			return "", err
		}
		r.id = aws.ToString(md.KeyId)
	}
	return r.id, nil
}
