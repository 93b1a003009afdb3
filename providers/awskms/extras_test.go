package awskms_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	kmssdk "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
	"github.com/multikms/multikms/pagination"
	"github.com/multikms/multikms/providers/awskms"
	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

const allExtras = kms.IncludeTags | kms.IncludeRotation | kms.IncludePolicy | kms.IncludeAccess

const day = 24 * time.Hour

// TestRotationOfEveryKind: GetKeyRotationStatus is asked only of the keys
// that can answer; AWS-managed keys are Enabled yearly and the keys that
// cannot rotate Unsupported, both without a call; a refused read leaves
// RotationUnknown with the reason in DetailErr.
func TestRotationOfEveryKind(t *testing.T) {
	base := awskmstest.GenerateKey(0) // symmetric, AWS_KMS, customer-managed
	key := func(i int, edit func(k *awskmstest.Key)) awskmstest.Key {
		k := awskmstest.GenerateKey(i)
		k.Spec, k.Usage, k.Origin, k.Manager, k.State, k.CustomKeyStoreID = base.Spec, base.Usage, base.Origin, base.Manager, "Enabled", ""
		k.Materials, k.Aliases = base.Materials, nil
		edit(&k)
		return k
	}
	tests := []struct {
		name   string
		key    awskmstest.Key
		want   kms.RotationStatus
		period time.Duration
		call   bool // GetKeyRotationStatus is sent
		denied bool
	}{
		{"customer symmetric, on", key(1, func(k *awskmstest.Key) { k.RotationEnabled = true }), kms.RotationEnabled, 365 * day, true, false},
		{"customer symmetric, on, 90 days", key(2, func(k *awskmstest.Key) { k.RotationEnabled, k.RotationPeriodDays = true, 90 }), kms.RotationEnabled, 90 * day, true, false},
		{"customer symmetric, off", key(3, func(k *awskmstest.Key) { k.RotationEnabled = false }), kms.RotationDisabled, 0, true, false},
		{"customer symmetric, pending deletion", key(4, func(k *awskmstest.Key) { k.RotationEnabled, k.State = true, "PendingDeletion" }), kms.RotationDisabled, 0, true, false},
		{"customer symmetric, read denied", key(5, func(k *awskmstest.Key) { k.DenyRotation = true }), kms.RotationUnknown, 0, true, true},
		{"AWS-managed", key(6, func(k *awskmstest.Key) { k.Manager = "AWS" }), kms.RotationEnabled, 365 * day, false, false},
		{"asymmetric", key(7, func(k *awskmstest.Key) { k.Spec, k.Usage = "RSA_2048", "SIGN_VERIFY" }), kms.RotationUnsupported, 0, false, false},
		{"HMAC", key(8, func(k *awskmstest.Key) { k.Spec, k.Usage = "HMAC_256", "GENERATE_VERIFY_MAC" }), kms.RotationUnsupported, 0, false, false},
		{"imported material", key(9, func(k *awskmstest.Key) { k.Origin = "EXTERNAL" }), kms.RotationUnsupported, 0, false, false},
		{"CloudHSM key store", key(10, func(k *awskmstest.Key) { k.Origin, k.CustomKeyStoreID = "AWS_CLOUDHSM", "cks-1234567890abcdef0" }), kms.RotationUnsupported, 0, false, false},
		{"external key store", key(11, func(k *awskmstest.Key) { k.Origin, k.CustomKeyStoreID = "EXTERNAL_KEY_STORE", "cks-1234567890abcdef1" }), kms.RotationUnsupported, 0, false, false},
	}
	var keys []awskmstest.Key
	calls := 0
	for _, tc := range tests {
		keys = append(keys, tc.key)
		if tc.call {
			calls++
		}
	}
	s, client := setup(t, awskmstest.WithKeys(keys...))
	l := awskms.New(client)
	for _, detail := range []kms.Detail{kms.DetailBasic, kms.DetailFull} {
		s.ResetCounts()
		got, err := kmstest.Collect(l.ListKeys(context.Background(), kms.ListOptions{Detail: detail, Include: kms.IncludeRotation}))
		require.NoError(t, err)
		require.Len(t, got, len(tests))
		for i, tc := range tests {
			k := got[i]
			assert.Equal(t, tc.want, k.AutomaticRotation, tc.name)
			assert.Equal(t, tc.period, k.RotationPeriod, tc.name)
			assert.Equal(t, detail, k.Detail, tc.name)
			if tc.denied {
				assert.ErrorIs(t, k.DetailErr, kms.ErrPermissionDenied, tc.name)
			} else {
				assert.NoError(t, k.DetailErr, tc.name)
			}
			if tc.want == kms.RotationEnabled && tc.call {
				assert.False(t, k.NextRotationAt.IsZero(), "%s: NextRotationDate", tc.name)
				var out kmssdk.GetKeyRotationStatusOutput
				assert.True(t, k.As(&out), "%s: *GetKeyRotationStatusOutput for As", tc.name)
			}
		}
		assert.Equal(t, calls, s.Requests(awskms.OpGetKeyRotationStatus), "only the keys that can answer are asked")
	}
	// DescribeKey, through kms.Describe, the same way.
	for i, tc := range tests {
		s.ResetCounts()
		k, err := kms.Describe(context.Background(), l, keys[i].ID, kms.IncludeRotation)
		require.NoError(t, err)
		assert.Equal(t, tc.want, k.AutomaticRotation, tc.name)
		assert.Equal(t, map[bool]int{true: 1}[tc.call], s.Requests(awskms.OpGetKeyRotationStatus), tc.name)
	}
}

func TestPolicyAndAccess(t *testing.T) {
	keys := awskmstest.GenerateKeys(11)
	keys[1].Policy = `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"},
		{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:role/a","arn:aws:iam::444455556666:root"],"Service":"logs.amazonaws.com"},
		 "Action":["kms:Encrypt","kms:GenerateDataKey*"],"Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"logs.us-east-1.amazonaws.com"}}},
		{"Effect":"Deny","Principal":"*","Action":"kms:ScheduleKeyDeletion","Resource":"*"}]}`
	s, client := setup(t, awskmstest.WithKeys(keys...))
	l := awskms.New(client)
	got, err := kmstest.Collect(l.ListKeys(context.Background(), kms.ListOptions{Detail: kms.DetailFull, Include: kms.IncludePolicy | kms.IncludeAccess}))
	require.NoError(t, err)
	assert.Equal(t, len(keys), s.Requests(awskms.OpGetKeyPolicy), "one GetKeyPolicy a key serves both Policy and Access")
	assert.Equal(t, len(keys), s.Requests(awskms.OpListGrants))
	assert.Equal(t, keys[1].Policy, got[1].Policy)
	assert.Equal(t, []kms.Access{
		{Principal: "*", PrincipalType: "AWS", Actions: []string{"kms:Decrypt"}, Source: kms.AccessFromPolicy},
		{Principal: "arn:aws:iam::111122223333:role/a", PrincipalType: "AWS", Actions: []string{"kms:Encrypt", "kms:GenerateDataKey*"}, Source: kms.AccessFromPolicy, Conditional: true},
		{Principal: "arn:aws:iam::444455556666:root", PrincipalType: "AWS", Actions: []string{"kms:Encrypt", "kms:GenerateDataKey*"}, Source: kms.AccessFromPolicy, Conditional: true},
		{Principal: "logs.amazonaws.com", PrincipalType: "Service", Actions: []string{"kms:Encrypt", "kms:GenerateDataKey*"}, Source: kms.AccessFromPolicy, Conditional: true},
	}, got[1].Access)
	assert.True(t, got[1].OpenToAnyone())
	// Key 10: the default policy and two grants, one constrained.
	assert.Equal(t, []kms.Access{
		{Principal: "arn:aws:iam::111122223333:root", PrincipalType: "AWS", Actions: []string{"kms:*"}, Source: kms.AccessFromPolicy},
		{Principal: "arn:aws:iam::111122223333:role/app", PrincipalType: "Grantee", Actions: []string{"Decrypt", "Encrypt", "GenerateDataKey"}, Source: kms.AccessFromGrant},
		{Principal: "arn:aws:iam::444455556666:role/partner", PrincipalType: "Grantee", Actions: []string{"Decrypt"}, Source: kms.AccessFromGrant, Conditional: true},
	}, got[10].Access)
	assert.False(t, got[10].OpenToAnyone())
	// Access alone does not fill Policy.
	k, err := kms.Describe(context.Background(), l, keys[1].ID, kms.IncludeAccess)
	require.NoError(t, err)
	assert.Empty(t, k.Policy)
	assert.Len(t, k.Access, 4)
}

// TestDeniedExtrasKeepTheKey: every extra denied for one key keeps the key
// with everything else, one error per failed extra joined in DetailErr; the
// other keys are whole.
func TestDeniedExtrasKeepTheKey(t *testing.T) {
	keys := awskmstest.GenerateKeys(6)
	keys[0].DenyRotation, keys[0].DenyPolicy, keys[0].DenyGrants = true, true, true
	keys[4].DenyPolicy = true
	s, client := setup(t, awskmstest.WithKeys(keys...))
	ev := newEvents()
	l := awskms.New(client, awskms.WithObserver(ev.observe))
	got, err := kmstest.Collect(l.ListKeys(context.Background(), kms.ListOptions{Detail: kms.DetailFull, Include: allExtras}))
	require.NoError(t, err)
	require.Len(t, got, 6)
	denied := got[0]
	assert.Equal(t, kms.StateEnabled, denied.State)
	assert.Equal(t, keys[0].Aliases, denied.Aliases)
	assert.Len(t, denied.Labels, 2, "tags still fetched")
	assert.Equal(t, kms.RotationUnknown, denied.AutomaticRotation, "a refused read is unknown, never disabled")
	assert.Empty(t, denied.Policy)
	assert.Empty(t, denied.Access)
	for _, op := range []string{awskms.OpGetKeyRotationStatus, awskms.OpGetKeyPolicy, awskms.OpListGrants} {
		assert.True(t, hasOp(denied.DetailErr, op), "DetailErr holds the %s error: %v", op, denied.DetailErr)
	}
	assert.ErrorIs(t, denied.DetailErr, kms.ErrPermissionDenied)
	partly := got[4]
	assert.Len(t, partly.Access, 0, "key 4 has no grants and its policy was denied")
	assert.True(t, hasOp(partly.DetailErr, awskms.OpGetKeyPolicy))
	assert.False(t, hasOp(partly.DetailErr, awskms.OpListGrants))
	for _, i := range []int{1, 2, 3, 5} {
		assert.NoError(t, got[i].DetailErr, "key %d", i)
		assert.NotEmpty(t, got[i].Policy, "key %d", i)
	}
	assert.Equal(t, 3, ev.kind[pagination.EventDetailFailed], "failed extras told: rotation and access (policy and grants) of key 0, access of key 4")
	assert.Equal(t, 6, s.Requests(awskms.OpListGrants), "retried? no: AccessDenied is not retryable")
}

// hasOp reports whether err holds a *kms.Error of op.
func hasOp(err error, op string) bool {
	var walk func(error) bool
	walk = func(e error) bool {
		var ke *kms.Error
		if errors.As(e, &ke) && ke.Op == op {
			return true
		}
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				if walk(x) {
					return true
				}
			}
		}
		return false
	}
	return err != nil && walk(err)
}

// TestMaxItemsBoundsTheWork: no describe or extra starts for keys past
// MaxItems.
func TestMaxItemsBoundsTheWork(t *testing.T) {
	s, client := setup(t, awskmstest.WithGeneratedKeys(50))
	l := awskms.New(client, awskms.WithPrefetch(0))
	got, err := kmstest.Collect(l.ListKeys(context.Background(), kms.ListOptions{PageSize: 20, MaxItems: 5, Detail: kms.DetailFull, Include: allExtras}))
	require.NoError(t, err)
	require.Len(t, got, 5)
	for _, op := range []string{awskms.OpDescribeKey, awskms.OpListResourceTags, awskms.OpGetKeyPolicy, awskms.OpListGrants} {
		assert.Equal(t, 5, s.Requests(op), op)
	}
	assert.Equal(t, 1, s.Requests(awskms.OpListKeys))
}

// TestGrantsArePaged: a key with 130 grants is listed in two ListGrants
// pages of 100, every grant one Access.
func TestGrantsArePaged(t *testing.T) {
	keys := awskmstest.GenerateKeys(1)
	keys[0].Grants = nil
	for i := range 130 {
		keys[0].Grants = append(keys[0].Grants, awskmstest.Grant{ID: fmt.Sprintf("%064d", i), Operations: []string{"Sign"},
			GranteePrincipal: fmt.Sprintf("arn:aws:iam::111122223333:role/r%d", i)})
	}
	s, client := setup(t, awskmstest.WithKeys(keys...))
	k, err := kms.Describe(context.Background(), awskms.New(client), keys[0].ID, kms.IncludeAccess)
	require.NoError(t, err)
	require.NoError(t, k.DetailErr)
	assert.Len(t, k.Access, 1+130, "the policy's root statement and every grant")
	assert.Equal(t, "arn:aws:iam::111122223333:role/r129", k.Access[130].Principal)
	assert.Equal(t, 2, s.Requests(awskms.OpListGrants))
}
