package awskms

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmssdk "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/multikms/multikms/internal/hydrate"
	"github.com/multikms/multikms/kms"
)

// AWS documents that AWS-managed keys rotate every year.
const awsManagedRotation = 365 * 24 * time.Hour

const grantPageSize = 100 // ListGrants: Limit 1..100

// extras are the per-key extras include asks for, in order: tags, rotation,
// then the policy and access. IncludeAccess needs the key policy too, so
// with it one extra fetches the policy once for both.
func (l *Lister) extras(include kms.Include) []hydrate.Extra {
	out := []hydrate.Extra{l.tagsExtra(), l.rotationExtra()}
	switch {
	case include.Has(kms.IncludeAccess):
		out = append(out, l.accessExtra(include.Has(kms.IncludePolicy)))
	case include.Has(kms.IncludePolicy):
		out = append(out, hydrate.Extra{Include: kms.IncludePolicy, Op: OpGetKeyPolicy, Fetch: func(ctx context.Context, k *kms.Key) error {
			policy, err := l.getKeyPolicy(ctx, k.ID)
			k.Policy = policy
			return err
		}})
	}
	return out
}

// rotationExtra reads GetKeyRotationStatus of the keys that can answer.
func (l *Lister) rotationExtra() hydrate.Extra {
	return hydrate.Extra{Include: kms.IncludeRotation, Op: OpGetKeyRotationStatus, Applies: canAnswerRotation,
		Fetch: func(ctx context.Context, k *kms.Key) error {
			var out *kmssdk.GetKeyRotationStatusOutput
			err := l.request(OpGetKeyRotationStatus).Do(ctx, func(ctx context.Context) error {
				var c call
				var err error
				out, err = l.client.GetKeyRotationStatus(ctx, &kmssdk.GetKeyRotationStatusInput{KeyId: aws.String(k.ID)}, c.options)
				if err != nil {
					return c.fail(ctx, OpGetKeyRotationStatus, err)
				}
				return nil
			})
			var unsupported *types.UnsupportedOperationException
			switch {
			case errors.As(err, &unsupported):
				k.AutomaticRotation = kms.RotationUnsupported // the key's answer, not a failure
				return nil
			case err != nil:
				return err // RotationUnknown stays, never Disabled
			}
			setRotation(k, out)
			return nil
		}}
}

// canAnswerRotation reports whether GetKeyRotationStatus can answer for k
// (a customer-managed symmetric key of AWS_KMS origin outside a custom key
// store) and fills, without a call, what is known of the others:
// AWS-managed keys rotate yearly, the rest cannot rotate automatically.
func canAnswerRotation(k *kms.Key) bool {
	switch {
	case k.Manager == string(types.KeyManagerTypeAws):
		k.AutomaticRotation, k.RotationPeriod = kms.RotationEnabled, awsManagedRotation
		return false
	case k.Manager == string(types.KeyManagerTypeCustomer) && k.Spec == string(types.KeySpecSymmetricDefault) &&
		k.Origin == string(types.OriginTypeAwsKms) && k.KeyStore == "":
		return true
	case k.Manager == "":
		return false // not described: nothing known
	}
	k.AutomaticRotation = kms.RotationUnsupported
	return false
}

func setRotation(k *kms.Key, out *kmssdk.GetKeyRotationStatusOutput) {
	k.AddNative(out)
	if !out.KeyRotationEnabled {
		k.AutomaticRotation = kms.RotationDisabled
		return
	}
	k.AutomaticRotation = kms.RotationEnabled
	if d := aws.ToInt32(out.RotationPeriodInDays); d > 0 {
		k.RotationPeriod = time.Duration(d) * 24 * time.Hour
	}
	k.NextRotationAt = aws.ToTime(out.NextRotationDate)
	if t := aws.ToTime(out.OnDemandRotationStartDate); !t.IsZero() {
		k.RotatedAt = t
	}
}

// getKeyPolicy reads the key policy "default", the only one AWS has.
func (l *Lister) getKeyPolicy(ctx context.Context, keyID string) (string, error) {
	var policy string
	err := l.request(OpGetKeyPolicy).Do(ctx, func(ctx context.Context) error {
		var c call
		out, err := l.client.GetKeyPolicy(ctx, &kmssdk.GetKeyPolicyInput{KeyId: aws.String(keyID), PolicyName: aws.String("default")}, c.options)
		if err != nil {
			return c.fail(ctx, OpGetKeyPolicy, err)
		}
		policy = aws.ToString(out.Policy)
		return nil
	})
	return policy, err
}

// accessExtra fills Access from the Allow statements of the key policy and
// the key's grants (ListGrants), and Policy too when keepPolicy. A failed
// read keeps what the other gave; each error is joined.
func (l *Lister) accessExtra(keepPolicy bool) hydrate.Extra {
	return hydrate.Extra{Include: kms.IncludeAccess, Op: OpListGrants, Fetch: func(ctx context.Context, k *kms.Key) error {
		var errs []error
		policy, err := l.getKeyPolicy(ctx, k.ID)
		if keepPolicy {
			k.Policy = policy
		}
		if err == nil {
			var access []kms.Access
			access, err = policyAccess(policy)
			k.Access = append(k.Access, access...)
			if err != nil {
				err = fail(OpGetKeyPolicy, kms.CodeUnknown, err)
			}
		}
		errs = append(errs, err)
		grants, err := l.listGrants(ctx, k.ID)
		if err == nil {
			k.Access = append(k.Access, grantAccess(grants)...)
			k.AddNative(grants)
		}
		return errors.Join(append(errs, err)...)
	}}
}

// listGrants lists every grant of one key (ListGrants, 100 a page).
func (l *Lister) listGrants(ctx context.Context, keyID string) ([]types.GrantListEntry, error) {
	return drain(ctx, l, OpListGrants, OpListGrants+"/"+keyID, grantPageSize,
		func(ctx context.Context, marker string, limit int) ([]types.GrantListEntry, string, bool, error) {
			out, err := page(ctx, OpListGrants, marker, limit, func(m *string, n *int32, c *call) (*kmssdk.ListGrantsOutput, error) {
				return l.client.ListGrants(ctx, &kmssdk.ListGrantsInput{KeyId: aws.String(keyID), Marker: m, Limit: n}, c.options)
			})
			if err != nil {
				return nil, "", false, err
			}
			next, err := nextMarker(OpListGrants, out.NextMarker, out.Truncated)
			return out.Grants, next, out.Truncated, err
		})
}

// grantAccess is one Access per grant: its grantee, its operations,
// Conditional when it has encryption-context constraints.
func grantAccess(grants []types.GrantListEntry) []kms.Access {
	out := make([]kms.Access, 0, len(grants))
	for _, g := range grants {
		a := kms.Access{Principal: aws.ToString(g.GranteePrincipal), PrincipalType: "Grantee", Source: kms.AccessFromGrant}
		for _, op := range g.Operations {
			a.Actions = append(a.Actions, string(op))
		}
		if c := g.Constraints; c != nil && (len(c.EncryptionContextSubset) > 0 || len(c.EncryptionContextEquals) > 0) {
			a.Conditional = true
		}
		out = append(out, a)
	}
	return out
}
