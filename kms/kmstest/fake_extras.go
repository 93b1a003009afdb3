package kmstest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/multikms/multikms/internal/hydrate"
	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

// The operations of the Fake's extras, one request per key each (CallsTo).
const (
	OpTags     = "ListTags"          // IncludeTags: Key.Labels
	OpRotation = "GetRotationStatus" // IncludeRotation: AutomaticRotation, RotationPeriod, NextRotationAt
	OpPolicy   = "GetKeyPolicy"      // IncludePolicy: Key.Policy
	OpAccess   = "ListAccess"        // IncludeAccess: Key.Access
)

// AllExtras is every Include bit, the extras the Fake honours.
const AllExtras = kms.IncludeTags | kms.IncludeRotation | kms.IncludePolicy | kms.IncludeAccess

// MaxKeyRefLen is the longest key reference the Fake accepts, in
// characters (AWS documents 2048 for a key ID, ARN or alias).
const MaxKeyRefLen = 2048

// withoutExtras returns the seeded key as a describe returns it: without
// what the extras fetch.
func withoutExtras(k kms.Key) kms.Key {
	k.Labels, k.Policy, k.Access = nil, "", nil
	k.AutomaticRotation, k.RotationPeriod, k.NextRotationAt = kms.RotationUnknown, 0, time.Time{}
	return k
}

// steps are the Fake's hydration steps: a DescribeKey request per key and
// one request per extra, each reading the seeded key.
func (f *Fake) steps() hydrate.Steps {
	extra := func(inc kms.Include, op string, fill func(dst *kms.Key, seed kms.Key)) hydrate.Extra {
		return hydrate.Extra{Include: inc, Op: op, Fetch: func(ctx context.Context, k *kms.Key) error {
			if err := f.request(ctx, op); err != nil {
				return err
			}
			if f.denied[k.ID].Has(inc) {
				return kms.NewError(f.provider, op, kms.CodePermissionDenied, fmt.Errorf("access to %s of key %q denied (injected)", op, k.ID))
			}
			seed, err := f.find(op, k.ID)
			if err == nil {
				fill(k, seed)
			}
			return err
		}}
	}
	rotation := extra(kms.IncludeRotation, OpRotation, func(k *kms.Key, s kms.Key) {
		k.AutomaticRotation, k.RotationPeriod, k.NextRotationAt = s.AutomaticRotation, s.RotationPeriod, s.NextRotationAt
	})
	rotation.Applies = func(k *kms.Key) bool {
		if i, ok := f.byID[k.ID]; ok && f.keys[i].AutomaticRotation == kms.RotationUnsupported {
			k.AutomaticRotation = kms.RotationUnsupported // known without a request
			return false
		}
		return true
	}
	return hydrate.Steps{
		DescribeOp: "DescribeKey",
		Describe: func(ctx context.Context, k kms.Key) (kms.Key, error) {
			if err := f.request(ctx, "DescribeKey"); err != nil {
				return kms.Key{}, err
			}
			d, err := f.find("DescribeKey", k.ID)
			return withoutExtras(d), err
		},
		Extras: []hydrate.Extra{
			extra(kms.IncludeTags, OpTags, func(k *kms.Key, s kms.Key) { k.Labels = cloneLabels(s.Labels) }),
			rotation,
			extra(kms.IncludePolicy, OpPolicy, func(k *kms.Key, s kms.Key) { k.Policy = s.Policy }),
			extra(kms.IncludeAccess, OpAccess, func(k *kms.Key, s kms.Key) { k.Access = slices.Clone(s.Access) }),
		},
	}
}

func cloneLabels(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// DescribeKey returns the seeded key whose ID, ARN or one of whose aliases is
// keyRef, at DetailFull with its aliases and without the extras (see
// DescribeKeyInclude), or an ErrNotFound error. keyRef is checked with
// kms.CheckKeyRef (MaxKeyRefLen) before any request.
func (f *Fake) DescribeKey(ctx context.Context, keyRef string) (kms.Key, error) {
	return f.DescribeKeyInclude(ctx, keyRef, 0)
}

// DescribeKeyInclude is DescribeKey with the extras include asks for, one
// request each, as a listing fills them; a denied extra keeps the key, with
// the reason in DetailErr.
func (f *Fake) DescribeKeyInclude(ctx context.Context, keyRef string, include kms.Include) (kms.Key, error) {
	const op = "DescribeKey"
	if err := kms.CheckKeyRef(f.provider, op, keyRef, MaxKeyRefLen); err != nil {
		return kms.Key{}, err
	}
	if err := (kms.ListOptions{Include: include}).Validate(f.provider, op, f.maxPage); err != nil {
		return kms.Key{}, err
	}
	var k kms.Key
	err := f.call(ctx, op, func(ctx context.Context) error {
		if err := f.request(ctx, op); err != nil {
			return err
		}
		var err error
		k, err = f.find(op, keyRef)
		return err
	})
	if err != nil {
		return kms.Key{}, err
	}
	opts := kms.ListOptions{Detail: kms.DetailFull, Include: include}
	return hydrate.One(ctx, withoutExtras(k), opts, f.steps(), hydrate.Config{}), nil
}

// call runs one request with the Fake's retry policy and limiter; a
// failure that is not already a *kms.Error (an injected one) becomes one.
func (f *Fake) call(ctx context.Context, op string, fn func(ctx context.Context) error) error {
	err := pagination.Call(ctx, f.retry, f.limiter, fn)
	if err != nil && ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return ctx.Err()
	}
	return kms.WrapEngineError(f.provider, op, err)
}
