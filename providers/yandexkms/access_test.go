package yandexkms_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/yandex-cloud/go-genproto/yandex/cloud/access"
	kmspb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
	"github.com/multikms/multikms/providers/yandexkms"
	emu "github.com/multikms/multikms/providers/yandexkms/yandexkmstest"
)

// accessRequests counts the ListAccessBindings requests of the three kinds.
func accessRequests(srv *emu.Server) [3]int64 {
	return [3]int64{srv.Requests(emu.MethodSymmetricAccess), srv.Requests(emu.MethodEncryptionAccess), srv.Requests(emu.MethodSignatureAccess)}
}

// TestRotationCases: rotation comes with the List answer for every kind,
// at no request: a symmetric key with a period is Enabled (next rotation
// = rotated_at + period), without one Disabled, a zero period Disabled;
// asymmetric keys cannot rotate (Unsupported).
func TestRotationCases(t *testing.T) {
	rotated := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	sym := func(id string, period *durationpb.Duration) *kmspb.SymmetricKey {
		return &kmspb.SymmetricKey{Id: id, FolderId: "b1grotation", Status: kmspb.SymmetricKey_ACTIVE,
			RotatedAt: timestamppb.New(rotated), RotationPeriod: period}
	}
	srv, sdk := setup(t, emu.WithSymmetricKeys(sym("abjyearly", durationpb.New(365*24*time.Hour)), sym("abjnever", nil),
		sym("abjzero", durationpb.New(0))), emu.WithGenerated(1, 3))
	l := yandexkms.New(sdk, "b1grotation", yandexkms.WithFolders(emu.FolderID(0)))
	keys := collect(t, l.ListKeys(context.Background(), kms.ListOptions{Detail: kms.DetailFull, Include: kms.IncludeRotation}))
	got := map[string]kms.RotationStatus{}
	for _, k := range keys {
		got[k.ID] = k.AutomaticRotation
	}
	assert.Equal(t, map[string]kms.RotationStatus{
		"abjyearly": kms.RotationEnabled, "abjnever": kms.RotationDisabled, "abjzero": kms.RotationDisabled,
		emu.KeyID(0, 0): kms.RotationEnabled, emu.KeyID(0, 1): kms.RotationUnsupported, emu.KeyID(0, 2): kms.RotationUnsupported,
	}, got)
	assert.Equal(t, rotated.Add(365*24*time.Hour), keys[0].NextRotationAt)
	assert.True(t, keys[1].NextRotationAt.IsZero())
	assert.Equal(t, int64(6), srv.TotalRequests(), "the List calls only: three kinds in two folders")
}

// TestAccessBindings: IncludeAccess fills every key's Access from its own
// kind's ListAccessBindings, one request per key (a key of 2500 bindings
// pages by token: three requests of 1000), mapped subject, type and role;
// no such request without IncludeAccess.
func TestAccessBindings(t *testing.T) {
	var many []*access.AccessBinding
	for i := range 2500 {
		many = append(many, emu.Binding("kms.keys.encrypter", "userAccount", fmt.Sprintf("aje%017d", i)))
	}
	srv, sdk := setup(t, emu.WithGenerated(1, 6), emu.WithAccessBindings(emu.KeyID(0, 3), many...))
	l := yandexkms.New(sdk, emu.FolderID(0), unpaced())
	ctx := context.Background()

	collect(t, l.ListKeys(ctx, kms.ListOptions{Include: kms.IncludeTags | kms.IncludeRotation}))
	assert.Equal(t, [3]int64{}, accessRequests(srv), "not asked: no request")

	keys := collect(t, l.ListKeys(ctx, kms.ListOptions{Include: kms.IncludeAccess}))
	require.Len(t, keys, 6)
	assert.Equal(t, [3]int64{2 + 2, 2, 2}, accessRequests(srv), "a request per key of its kind, two more for 2500 bindings")
	byID := map[string]kms.Key{}
	for _, k := range keys {
		byID[k.ID] = k
		assert.NoError(t, k.DetailErr)
		assert.Equal(t, kms.DetailFull, k.Detail, "List answers are complete")
	}
	assert.Len(t, byID[emu.KeyID(0, 3)].Access, 2500)
	assert.Equal(t, fmt.Sprintf("aje%017d", 2499), byID[emu.KeyID(0, 3)].Access[2499].Principal, "every page, in order")
	assert.Empty(t, byID[emu.KeyID(0, 0)].Access, "generated key 0 has none")
	assert.Equal(t, []kms.Access{{Principal: "aje00000000000000001", PrincipalType: "serviceAccount",
		Actions: []string{"kms.keys.encrypterDecrypter"}, Source: "binding"}}, byID[emu.KeyID(0, 1)].Access)
	assert.Equal(t, []kms.Access{
		{Principal: "aje00000000000000005", PrincipalType: "serviceAccount", Actions: []string{"kms.keys.encrypterDecrypter"}, Source: "binding"},
		{Principal: "allAuthenticatedUsers", PrincipalType: "system", Actions: []string{"kms.viewer"}, Source: "binding"},
	}, byID[emu.KeyID(0, 5)].Access)
	assert.True(t, byID[emu.KeyID(0, 5)].OpenToAnyone(), "system:allAuthenticatedUsers")
	assert.False(t, byID[emu.KeyID(0, 1)].OpenToAnyone())
}

// TestDeniedAccessKeepsTheKey: a refused ListAccessBindings leaves that key
// with everything else and the reason in DetailErr (a *kms.Error,
// ErrPermissionDenied), the observer is told, and the listing goes on.
func TestDeniedAccessKeepsTheKey(t *testing.T) {
	var mu sync.Mutex
	var failed []pagination.Event
	obs := yandexkms.WithObserver(func(e pagination.Event) {
		if e.Kind == pagination.EventDetailFailed {
			mu.Lock()
			failed = append(failed, e)
			mu.Unlock()
		}
	})
	srv, sdk := setup(t, emu.WithGenerated(1, 6), emu.WithDeniedAccessBindings(emu.KeyID(0, 4)))
	l := yandexkms.New(sdk, emu.FolderID(0), obs)
	keys := collect(t, l.ListKeys(context.Background(), kms.ListOptions{Include: kms.IncludeAccess | kms.IncludeRotation}))
	require.Len(t, keys, 6)
	for _, k := range keys {
		if k.ID != emu.KeyID(0, 4) {
			assert.NoError(t, k.DetailErr, k.ID)
			continue
		}
		assert.ErrorIs(t, k.DetailErr, kms.ErrPermissionDenied)
		assertKMSError(t, "DetailErr", k.DetailErr, yandexkms.OpAccessEncryption)
		assert.Empty(t, k.Access)
		assert.Equal(t, kms.RotationUnsupported, k.AutomaticRotation, "everything else kept")
		assert.NotEmpty(t, k.Labels)
	}
	assert.Equal(t, int64(2), srv.Requests(emu.MethodEncryptionAccess), "one per encryption key: the denied one not retried")
	mu.Lock()
	require.Len(t, failed, 1)
	assert.Equal(t, yandexkms.OpAccessEncryption, failed[0].Op)
	mu.Unlock()

	k, err := l.DescribeKeyInclude(context.Background(), emu.KeyID(0, 4), kms.IncludeAccess)
	require.NoError(t, err, "the key, with the reason in DetailErr")
	assert.Equal(t, emu.KeyID(0, 4), k.ID)
	assert.ErrorIs(t, k.DetailErr, kms.ErrPermissionDenied)
}

// TestMaxItemsBoundsAccessReads: no access read starts for keys past
// MaxItems.
func TestMaxItemsBoundsAccessReads(t *testing.T) {
	srv, sdk := setup(t, emu.WithGeneratedSymmetric(1, 30))
	l := yandexkms.New(sdk, emu.FolderID(0))
	keys := collect(t, l.ListKeys(context.Background(), kms.ListOptions{MaxItems: 2, Include: kms.IncludeAccess}))
	require.Len(t, keys, 2)
	assert.Equal(t, int64(2), srv.Requests(emu.MethodSymmetricAccess))
}

// TestDescribeKeyInclude: the same extras as a listing's, through
// kms.Describe; an invalid Include is refused before any request.
func TestDescribeKeyInclude(t *testing.T) {
	srv, l := demoLister(t)
	ctx := context.Background()
	k, err := kms.Describe(ctx, l, "abjdemo0releases00001", kms.IncludeAccess)
	require.NoError(t, err)
	assert.Len(t, k.Access, 2)
	assert.True(t, k.OpenToAnyone())
	assert.Equal(t, kms.DetailFull, k.Detail)
	assert.Equal(t, int64(1), srv.Requests(emu.MethodSignatureAccess))

	plain, err := kms.Describe(ctx, l, "abjdemo0releases00001", 0)
	require.NoError(t, err)
	assert.Empty(t, plain.Access, "not asked")

	srv.ResetCounts()
	_, err = l.DescribeKeyInclude(ctx, "abjdemo0releases00001", 1<<10)
	assertNames(t, err, "Include", "an unknown Include bit")
	assert.Zero(t, srv.TotalRequests())
}
