package yandexkms_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	kmspb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1"
	aepb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1/asymmetricencryption"
	aspb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1/asymmetricsignature"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
	"github.com/multikms/multikms/pagination"
	"github.com/multikms/multikms/providers/yandexkms"
	emu "github.com/multikms/multikms/providers/yandexkms/yandexkmstest"
)

// collect drains it, failing t on an error.
func collect[T any](t *testing.T, it *pagination.Iterator[T]) []T {
	t.Helper()
	out, err := kmstest.Collect(it)
	require.NoError(t, err)
	return out
}

// demoLister is a Lister of the emulator's demo folder.
func demoLister(t *testing.T, opts ...yandexkms.Option) (*emu.Server, *yandexkms.Lister) {
	t.Helper()
	srv, sdk := setup(t, emu.WithDemoKeys())
	return srv, yandexkms.New(sdk, emu.DemoFolderID, opts...)
}

func TestMapsEveryField(t *testing.T) {
	_, l := demoLister(t)
	keys := collect(t, l.ListKeys(context.Background(), kms.ListOptions{}))
	require.Len(t, keys, 4)
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }

	pay := keys[0]
	var native *kmspb.SymmetricKey
	require.True(t, pay.As(&native))
	assert.Equal(t, "payments", native.Name)
	want := kms.Key{
		Provider: kms.ProviderYandex, ID: "abjdemo0payments00001", FolderID: emu.DemoFolderID,
		Name: "payments", Description: "card data envelope key", Kind: kms.KindSymmetric,
		State: kms.StateEnabled, NativeState: "ACTIVE", Usage: kms.UsageEncryptDecrypt, Spec: "AES_256",
		Protection: kms.ProtectionSoftware, Enabled: true, CreatedAt: at("2025-02-01T09:00:00Z"),
		RotatedAt: at("2026-02-01T09:00:00Z"), RotationPeriod: 365 * 24 * time.Hour, AutomaticRotation: kms.RotationEnabled,
		NextRotationAt: at("2027-02-01T09:00:00Z"), PrimaryVersion: "abjdemo0payments0v002",
		Labels: map[string]string{"env": "prod"}, DeletionProtection: true, Detail: kms.DetailFull,
	}.WithNative(native)
	assert.Equal(t, want, pay)

	backups := keys[1]
	assert.Equal(t, kms.StateDisabled, backups.State)
	assert.False(t, backups.Enabled)
	assert.Equal(t, kms.ProtectionHSM, backups.Protection)
	assert.Equal(t, "hosted_by_hsm", backups.NativeProtection)
	assert.Equal(t, kms.RotationDisabled, backups.AutomaticRotation)
	assert.True(t, backups.NextRotationAt.IsZero())

	var enc *aepb.AsymmetricEncryptionKey
	assert.Equal(t, kms.KindAsymmetricEncryption, keys[2].Kind)
	assert.True(t, keys[2].As(&enc))
	assert.Equal(t, "RSA_3072_ENC_OAEP_SHA_256", keys[2].Spec)
	var sig *aspb.AsymmetricSignatureKey
	assert.Equal(t, kms.KindAsymmetricSignature, keys[3].Kind)
	assert.True(t, keys[3].As(&sig))
	assert.Equal(t, kms.UsageSignVerify, keys[3].Usage)
	assert.True(t, keys[3].DeletionProtection)
	assert.Equal(t, "release-signing", keys[3].Name)
}

func TestMapsEveryAsymmetricField(t *testing.T) {
	created := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	enc := &aepb.AsymmetricEncryptionKey{Id: "abjenc1", FolderId: "b1gasym", Name: "inbox", Description: "mail keys",
		Labels: map[string]string{"team": "mail"}, CreatedAt: timestamppb.New(created),
		Status: aepb.AsymmetricEncryptionKey_INACTIVE, EncryptionAlgorithm: aepb.AsymmetricEncryptionAlgorithm_RSA_4096_ENC_OAEP_SHA_256}
	sig := &aspb.AsymmetricSignatureKey{Id: "abjsig1", FolderId: "b1gasym", Name: "builds", Description: "release signing",
		Labels: map[string]string{"team": "ci"}, CreatedAt: timestamppb.New(created), DeletionProtection: true,
		Status: aspb.AsymmetricSignatureKey_ACTIVE, SignatureAlgorithm: aspb.AsymmetricSignatureAlgorithm_ECDSA_NIST_P384_SHA_384}
	_, sdk := setup(t, emu.WithAsymmetricEncryptionKeys(enc), emu.WithAsymmetricSignatureKeys(sig))
	keys := collect(t, yandexkms.New(sdk, "b1gasym").ListKeys(context.Background(), kms.ListOptions{}))
	require.Len(t, keys, 2)
	var gotEnc *aepb.AsymmetricEncryptionKey
	var gotSig *aspb.AsymmetricSignatureKey
	require.True(t, keys[0].As(&gotEnc))
	require.True(t, keys[1].As(&gotSig))
	assert.Equal(t, kms.Key{
		Provider: kms.ProviderYandex, ID: "abjenc1", FolderID: "b1gasym", Name: "inbox", Description: "mail keys",
		Kind: kms.KindAsymmetricEncryption, State: kms.StateDisabled, NativeState: "INACTIVE",
		Usage: kms.UsageEncryptDecrypt, Spec: "RSA_4096_ENC_OAEP_SHA_256", Protection: kms.ProtectionSoftware,
		CreatedAt: created, AutomaticRotation: kms.RotationUnsupported, PrimaryVersion: "abjenc1", Labels: map[string]string{"team": "mail"}, Detail: kms.DetailFull,
	}.WithNative(gotEnc), keys[0])
	assert.Equal(t, kms.Key{
		Provider: kms.ProviderYandex, ID: "abjsig1", FolderID: "b1gasym", Name: "builds", Description: "release signing",
		Kind: kms.KindAsymmetricSignature, State: kms.StateEnabled, NativeState: "ACTIVE", Enabled: true,
		Usage: kms.UsageSignVerify, Spec: "ECDSA_NIST_P384_SHA_384", Protection: kms.ProtectionSoftware,
		CreatedAt: created, AutomaticRotation: kms.RotationUnsupported, PrimaryVersion: "abjsig1", Labels: map[string]string{"team": "ci"}, DeletionProtection: true,
		Detail: kms.DetailFull,
	}.WithNative(gotSig), keys[1])
}

func TestDescribeFindsEachKind(t *testing.T) {
	srv, l := demoLister(t)
	ctx := context.Background()
	for id, wantRequests := range map[string]int64{
		"abjdemo0payments00001": 1, // SymmetricKey.Get
		"abjdemo0documents0001": 2, // then AsymmetricEncryptionKey.Get
		"abjdemo0releases00001": 3, // then AsymmetricSignatureKey.Get
	} {
		srv.ResetCounts()
		k, err := l.DescribeKey(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, id, k.ID)
		assert.Equal(t, kms.DetailFull, k.Detail)
		assert.Equal(t, wantRequests, srv.TotalRequests(), id)
	}
	_, err := l.DescribeKey(ctx, "abjnosuchkey")
	assert.ErrorIs(t, err, kms.ErrNotFound)
}

// TestDeniedForOtherKinds: a cloud that answers PERMISSION_DENIED, not
// NOT_FOUND, for a key of another kind still lets every kind be described
// and listed; a key no kind finds is then reported as denied.
func TestDeniedForOtherKinds(t *testing.T) {
	_, sdk := setup(t, emu.WithDemoKeys(), emu.WithDeniedForUnknownKeys())
	l := yandexkms.New(sdk, emu.DemoFolderID)
	ctx := context.Background()
	for _, id := range []string{"abjdemo0payments00001", "abjdemo0documents0001", "abjdemo0releases00001"} {
		k, err := l.DescribeKey(ctx, id)
		require.NoError(t, err, id)
		assert.Equal(t, id, k.ID)
		vs := collect(t, l.ListKeyVersions(ctx, id, kms.ListOptions{}))
		assert.NotEmpty(t, vs, id)
	}
	_, err := l.DescribeKey(ctx, "abjnosuchkey")
	assert.ErrorIs(t, err, kms.ErrPermissionDenied)
	for _, err := range l.ListKeyVersions(ctx, "abjnosuchkey", kms.ListOptions{}).All() {
		assert.ErrorIs(t, err, kms.ErrPermissionDenied)
	}
}

func TestVersions(t *testing.T) {
	srv, l := demoLister(t)
	ctx := context.Background()
	vs := collect(t, l.ListKeyVersions(ctx, "abjdemo0payments00001", kms.ListOptions{PageSize: 1}))
	require.Len(t, vs, 2)
	assert.Equal(t, kms.VersionPendingDeletion, vs[0].State)
	assert.Equal(t, "SCHEDULED_FOR_DESTRUCTION", vs[0].NativeState)
	assert.False(t, vs[0].DestroyAt.IsZero())
	assert.True(t, vs[1].Primary)
	assert.Equal(t, "AES_256", vs[1].Algorithm)
	var native *kmspb.SymmetricKeyVersion
	assert.True(t, vs[1].As(&native))

	hsm := collect(t, l.ListKeyVersions(ctx, "abjdemo0backups000001", kms.ListOptions{}))
	require.Len(t, hsm, 1)
	assert.Equal(t, kms.ProtectionHSM, hsm[0].Protection)

	for _, id := range []string{"abjdemo0documents0001", "abjdemo0releases00001"} {
		vs := collect(t, l.ListKeyVersions(ctx, id, kms.ListOptions{}))
		require.Len(t, vs, 1, id)
		v := vs[0]
		assert.Equal(t, [4]string{id, id, string(kms.VersionEnabled), "ACTIVE"}, [4]string{v.KeyID, v.ID, string(v.State), v.NativeState})
		assert.True(t, v.Primary)
		assert.Equal(t, kms.ProtectionSoftware, v.Protection)
		assert.NotEmpty(t, v.Algorithm)
		assert.False(t, v.CreatedAt.IsZero())
	}
	var sig *aspb.AsymmetricSignatureKey
	vs = collect(t, l.ListKeyVersions(ctx, "abjdemo0releases00001", kms.ListOptions{}))
	assert.True(t, vs[0].As(&sig))

	srv.ResetCounts()
	for _, err := range l.ListKeyVersions(ctx, "abjnosuchkey", kms.ListOptions{}).All() {
		assert.ErrorIs(t, err, kms.ErrNotFound)
		var kerr *kms.Error
		if assert.ErrorAs(t, err, &kerr) {
			assert.Equal(t, yandexkms.OpListVersions, kerr.Op, "the listing's operation, not DescribeKey")
		}
	}
	assert.Equal(t, int64(3), srv.TotalRequests(), "ListVersions, then the two asymmetric Gets")
}

func TestEmptyPagesWithTokenAreFollowed(t *testing.T) {
	srv, sdk := setup(t, emu.WithGenerated(1, 30), emu.WithEmptyPages())
	l := yandexkms.New(sdk, emu.FolderID(0))
	keys := collect(t, l.ListKeys(context.Background(), kms.ListOptions{PageSize: 4}))
	assert.Len(t, keys, 30)
	// 3 kinds x (3 real pages of 4 + 3 empty ones before them).
	assert.Equal(t, int64(18), srv.TotalRequests())

	prefetching := yandexkms.New(sdk, emu.FolderID(0), yandexkms.WithPrefetch(2))
	assert.Len(t, collect(t, prefetching.ListKeys(context.Background(), kms.ListOptions{PageSize: 4})), 30)
}

func TestSeveralFolders(t *testing.T) {
	folders := []string{emu.FolderID(0), emu.FolderID(1), emu.FolderID(2), emu.FolderID(3)}
	several := func(t *testing.T) (*emu.Server, *yandexkms.Lister) {
		srv, sdk := setup(t, emu.WithGenerated(4, 6))
		warm(t, sdk)
		return srv, yandexkms.New(sdk, folders[0], yandexkms.WithFolders(folders[1:]...), yandexkms.WithConcurrency(5))
	}
	// A fresh server for every case: a request a case cancelled may reach
	// the server after the case, and count in the next.
	kmstest.RunConformance(t, kmstest.Harness{Setup: func(t *testing.T) kmstest.Fixture {
		srv, l := several(t)
		return fixture(srv, l, folders...)
	}})
	_, l := several(t)
	assert.Equal(t, folders, l.Folders())
	keys := collect(t, l.ListKeys(context.Background(), kms.ListOptions{}))
	require.Len(t, keys, 24)
	assert.Equal(t, emu.FolderID(3), keys[23].FolderID)
	assert.Equal(t, kms.KindAsymmetricSignature, keys[23].Kind)
}

// TestMergeOfFolderListers: a kms.Merge of one Lister per folder lists every
// key of every folder once (interleaved across folders, in order within
// each) and describes a key of any folder.
func TestMergeOfFolderListers(t *testing.T) {
	srv, sdk := setup(t, emu.WithGenerated(3, 6))
	var listers []kms.Lister
	folders := []string{emu.FolderID(0), emu.FolderID(1), emu.FolderID(2)}
	for _, f := range folders {
		listers = append(listers, yandexkms.New(sdk, f))
	}
	m := kms.Merge(listers...)
	keys := collect(t, m.ListKeys(context.Background(), kms.ListOptions{PageSize: 2}))
	byFolder := map[string][]string{}
	for _, k := range keys {
		byFolder[k.FolderID] = append(byFolder[k.FolderID], k.ID)
	}
	for _, f := range folders {
		want := fixture(srv, yandexkms.New(sdk, f), f).Keys
		var ids []string
		for _, k := range want {
			ids = append(ids, k.ID)
		}
		assert.Equal(t, ids, byFolder[f], "folder %s: every key once, in its order", f)
	}
	k, err := m.DescribeKey(context.Background(), emu.KeyID(2, 4))
	require.NoError(t, err)
	assert.Equal(t, emu.FolderID(2), k.FolderID)
	require.NoError(t, m.Close())
}

func TestFilterAndMaxItems(t *testing.T) {
	_, l := demoLister(t)
	ctx := context.Background()
	keys := collect(t, l.ListKeys(ctx, kms.ListOptions{Filter: kms.Filter{Usages: []kms.KeyUsage{kms.UsageSignVerify}}}))
	require.Len(t, keys, 1)
	assert.Equal(t, "abjdemo0releases00001", keys[0].ID)
	keys = collect(t, l.ListKeys(ctx, kms.ListOptions{Filter: kms.Filter{Protections: []kms.ProtectionLevel{kms.ProtectionHSM}}}))
	require.Len(t, keys, 1)
	assert.Equal(t, "abjdemo0backups000001", keys[0].ID)
	assert.Len(t, collect(t, l.ListKeys(ctx, kms.ListOptions{MaxItems: 3, PageSize: 1})), 3)
}

func TestContextErrorsPassThrough(t *testing.T) {
	_, sdk := setup(t, emu.WithDemoKeys(), emu.WithLatency(time.Hour))
	l := yandexkms.New(sdk, emu.DemoFolderID)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := l.DescribeKey(ctx, "abjdemo0payments00001")
	assert.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
	var kerr *kms.Error
	assert.False(t, errors.As(err, &kerr))
}
