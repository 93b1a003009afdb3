package yandexkmstest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	kmspb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1"
	aepb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1/asymmetricencryption"
	aspb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1/asymmetricsignature"
	ycsdk "github.com/yandex-cloud/go-sdk"
	"go.uber.org/goleak"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	emu "github.com/multikms/multikms/providers/yandexkms/yandexkmstest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// start runs a server and an SDK pointed at it, both stopped at cleanup.
func start(t *testing.T, token string, opts ...emu.Option) (*emu.Server, *ycsdk.SDK) {
	t.Helper()
	srv, err := emu.Start(opts...)
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	sdk, err := ycsdk.Build(context.Background(), ycsdk.Config{
		Credentials: ycsdk.NewIAMTokenCredentials(token),
		Endpoint:    srv.Addr(),
		Plaintext:   true,
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = sdk.Shutdown(context.Background()) })
	return srv, sdk
}

func code(err error) codes.Code { return status.Code(err) }

func TestListPagesThroughAllKinds(t *testing.T) {
	srv, sdk := start(t, emu.DefaultToken, emu.WithGenerated(2, 30))
	ctx := context.Background()

	var ids []string
	req := &kmspb.ListSymmetricKeysRequest{FolderId: emu.FolderID(1), PageSize: 3}
	for {
		resp, err := sdk.KMS().SymmetricKey().List(ctx, req)
		require.NoError(t, err)
		assert.LessOrEqual(t, len(resp.Keys), 3)
		for _, k := range resp.Keys {
			ids = append(ids, k.Id)
			assert.Equal(t, emu.FolderID(1), k.FolderId)
		}
		if resp.NextPageToken == "" {
			break
		}
		assert.LessOrEqual(t, len(resp.NextPageToken), emu.MaxPageToken)
		req.PageToken = resp.NextPageToken
	}
	require.Len(t, ids, 10)
	assert.Equal(t, emu.KeyID(1, 0), ids[0])
	assert.Equal(t, int64(4), srv.Requests(emu.MethodSymmetricList))

	enc, err := sdk.KMSAsymmetricEncryption().AsymmetricEncryptionKey().List(ctx,
		&aepb.ListAsymmetricEncryptionKeysRequest{FolderId: emu.FolderID(0)})
	require.NoError(t, err)
	assert.Len(t, enc.Keys, 10)
	assert.Empty(t, enc.NextPageToken)
	sig, err := sdk.KMSAsymmetricSignature().AsymmetricSignatureKey().List(ctx,
		&aspb.ListAsymmetricSignatureKeysRequest{FolderId: emu.FolderID(0), PageSize: 1000})
	require.NoError(t, err)
	assert.Len(t, sig.Keys, 10)
	assert.Equal(t, int64(6), srv.TotalRequests())

	none, err := sdk.KMS().SymmetricKey().List(ctx, &kmspb.ListSymmetricKeysRequest{FolderId: "b1gunknown"})
	require.NoError(t, err)
	assert.Empty(t, none.Keys)
}

func TestDefaultPageSizeIs100(t *testing.T) {
	_, sdk := start(t, emu.DefaultToken, emu.WithGenerated(1, 330))
	resp, err := sdk.KMS().SymmetricKey().List(context.Background(), &kmspb.ListSymmetricKeysRequest{FolderId: emu.FolderID(0)})
	require.NoError(t, err)
	assert.Len(t, resp.Keys, 100)
	assert.NotEmpty(t, resp.NextPageToken)
}

func TestValidation(t *testing.T) {
	srv, sdk := start(t, emu.DefaultToken, emu.WithGenerated(2, 9))
	ctx := context.Background()
	other, err := sdk.KMS().SymmetricKey().List(ctx, &kmspb.ListSymmetricKeysRequest{FolderId: emu.FolderID(1), PageSize: 1})
	require.NoError(t, err)
	require.NotEmpty(t, other.NextPageToken)

	for name, req := range map[string]*kmspb.ListSymmetricKeysRequest{
		"missing folder":       {},
		"folder too long":      {FolderId: strings.Repeat("f", 51)},
		"page size negative":   {FolderId: emu.FolderID(0), PageSize: -1},
		"page size too large":  {FolderId: emu.FolderID(0), PageSize: 1001},
		"page token too long":  {FolderId: emu.FolderID(0), PageToken: strings.Repeat("t", 101)},
		"page token unknown":   {FolderId: emu.FolderID(0), PageToken: "bm9wZQ"},
		"other folder's token": {FolderId: emu.FolderID(0), PageToken: other.NextPageToken},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := sdk.KMS().SymmetricKey().List(ctx, req)
			assert.Equal(t, codes.InvalidArgument, code(err), "%v", err)
		})
	}
	_, err = sdk.KMS().SymmetricKey().List(ctx, &kmspb.ListSymmetricKeysRequest{FolderId: strings.Repeat("f", 50), PageSize: 1000})
	assert.NoError(t, err)
	_, err = sdk.KMS().SymmetricKey().ListVersions(ctx, &kmspb.ListSymmetricKeyVersionsRequest{KeyId: emu.KeyID(0, 0), PageSize: 1001})
	assert.Equal(t, codes.InvalidArgument, code(err))
	_, err = sdk.KMS().SymmetricKey().ListVersions(ctx, &kmspb.ListSymmetricKeyVersionsRequest{KeyId: "unknown", PageSize: 1001})
	assert.Equal(t, codes.InvalidArgument, code(err), "the request is checked before the key is looked up")
	_, err = sdk.KMS().SymmetricKey().Get(ctx, &kmspb.GetSymmetricKeyRequest{})
	assert.Equal(t, codes.InvalidArgument, code(err))
	assert.Equal(t, int64(12), srv.TotalRequests())
}

func TestGetAndVersions(t *testing.T) {
	_, sdk := start(t, emu.DefaultToken, emu.WithGenerated(1, 9))
	ctx := context.Background()
	k, err := sdk.KMS().SymmetricKey().Get(ctx, &kmspb.GetSymmetricKeyRequest{KeyId: emu.KeyID(0, 3)})
	require.NoError(t, err)
	assert.Equal(t, "key-0-3", k.Name)

	vs, err := sdk.KMS().SymmetricKey().ListVersions(ctx, &kmspb.ListSymmetricKeyVersionsRequest{KeyId: emu.KeyID(0, 3), PageSize: 1})
	require.NoError(t, err)
	require.Len(t, vs.KeyVersions, 1)
	assert.NotEmpty(t, vs.NextPageToken)

	all, err := sdk.KMS().SymmetricKey().ListVersions(ctx, &kmspb.ListSymmetricKeyVersionsRequest{KeyId: emu.KeyID(0, 6)})
	require.NoError(t, err)
	require.Len(t, all.KeyVersions, 3)
	assert.Equal(t, kmspb.SymmetricKeyVersion_DESTROYED, all.KeyVersions[0].Status)
	assert.Equal(t, kmspb.SymmetricKeyVersion_SCHEDULED_FOR_DESTRUCTION, all.KeyVersions[1].Status)
	assert.NotNil(t, all.KeyVersions[1].DestroyAt)
	assert.True(t, all.KeyVersions[2].Primary)
	k6, err := sdk.KMS().SymmetricKey().Get(ctx, &kmspb.GetSymmetricKeyRequest{KeyId: emu.KeyID(0, 6)})
	require.NoError(t, err)
	assert.Equal(t, all.KeyVersions[2].Id, k6.GetPrimaryVersion().GetId())

	_, err = sdk.KMSAsymmetricEncryption().AsymmetricEncryptionKey().Get(ctx, &aepb.GetAsymmetricEncryptionKeyRequest{KeyId: emu.KeyID(0, 4)})
	assert.NoError(t, err)
	_, err = sdk.KMSAsymmetricSignature().AsymmetricSignatureKey().Get(ctx, &aspb.GetAsymmetricSignatureKeyRequest{KeyId: emu.KeyID(0, 4)})
	assert.Equal(t, codes.NotFound, code(err))
	_, err = sdk.KMS().SymmetricKey().ListVersions(ctx, &kmspb.ListSymmetricKeyVersionsRequest{KeyId: emu.KeyID(0, 4)})
	assert.Equal(t, codes.NotFound, code(err))
}

func TestAuthentication(t *testing.T) {
	srv, sdk := start(t, "wrong-secret", emu.WithGenerated(1, 3))
	_, err := sdk.KMS().SymmetricKey().List(context.Background(), &kmspb.ListSymmetricKeysRequest{FolderId: emu.FolderID(0)})
	assert.Equal(t, codes.Unauthenticated, code(err))
	assert.NotContains(t, err.Error(), "wrong-secret")
	assert.Equal(t, int64(1), srv.Requests(emu.MethodSymmetricList))
}

func TestEmptyPagesTrapTheSDKIterator(t *testing.T) {
	_, sdk := start(t, emu.DefaultToken, emu.WithGenerated(1, 30), emu.WithEmptyPages())
	ctx := context.Background()
	it := sdk.KMS().SymmetricKey().SymmetricKeyIterator(ctx, &kmspb.ListSymmetricKeysRequest{FolderId: emu.FolderID(0), PageSize: 4})
	got, err := it.TakeAll()
	require.NoError(t, err)
	assert.Empty(t, got, "the SDK iterator stops on the first empty page")

	n, empty := 0, 0
	req := &kmspb.ListSymmetricKeysRequest{FolderId: emu.FolderID(0), PageSize: 4}
	for {
		resp, err := sdk.KMS().SymmetricKey().List(ctx, req)
		require.NoError(t, err)
		n += len(resp.Keys)
		if len(resp.Keys) == 0 {
			empty++
		}
		if resp.NextPageToken == "" {
			break
		}
		req.PageToken = resp.NextPageToken
	}
	assert.Equal(t, 10, n)
	assert.Equal(t, 3, empty)
}

func TestInjectedFailuresAndQuota(t *testing.T) {
	srv, sdk := start(t, emu.DefaultToken, emu.WithGenerated(1, 3), emu.WithUnavailable(1), emu.WithQuota(1e-9, 2))
	ctx := context.Background()
	list := func() error {
		_, err := sdk.KMS().SymmetricKey().List(ctx, &kmspb.ListSymmetricKeysRequest{FolderId: emu.FolderID(0)})
		return err
	}
	assert.Equal(t, codes.Unavailable, code(list()))
	srv.FailNext(codes.PermissionDenied, 1)
	assert.Equal(t, codes.PermissionDenied, code(list()))
	assert.NoError(t, list())
	assert.NoError(t, list())
	assert.Equal(t, codes.ResourceExhausted, code(list()))
	assert.Equal(t, int64(5), srv.Requests(emu.MethodSymmetricList))
	assert.Equal(t, int64(1), srv.Requests(emu.MethodEndpointList))
	srv.ResetCounts()
	assert.Zero(t, srv.TotalRequests())
}

func TestLatencyHonoursDeadline(t *testing.T) {
	_, sdk := start(t, emu.DefaultToken, emu.WithGenerated(1, 3), emu.WithLatency(time.Hour))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := sdk.KMS().SymmetricKey().List(ctx, &kmspb.ListSymmetricKeysRequest{FolderId: emu.FolderID(0)})
	assert.Equal(t, codes.DeadlineExceeded, code(err))
}

func TestDemoKeys(t *testing.T) {
	srv, err := emu.Start(emu.WithDemoKeys())
	require.NoError(t, err)
	defer srv.Close()
	assert.Equal(t, []string{emu.DemoFolderID}, srv.Seeded())
}

func TestSeedErrors(t *testing.T) {
	_, err := emu.Start(emu.WithSymmetricKeys(&kmspb.SymmetricKey{Id: "a", FolderId: "f"}, &kmspb.SymmetricKey{Id: "a", FolderId: "f"}))
	assert.Error(t, err)
	_, err = emu.Start(emu.WithVersions("nope", &kmspb.SymmetricKeyVersion{Id: "v"}))
	assert.Error(t, err)
	_, err = emu.Start(emu.WithAsymmetricSignatureKeys(&aspb.AsymmetricSignatureKey{Id: "a"}))
	assert.Error(t, err)
}

func TestGeneratedSymmetricOnly(t *testing.T) {
	srv, err := emu.Start(emu.WithGeneratedSymmetric(2, 7))
	require.NoError(t, err)
	defer srv.Close()
	assert.Len(t, srv.SymmetricKeys(emu.FolderID(1)), 7)
	assert.Empty(t, srv.EncryptionKeys(emu.FolderID(1)))
	assert.Empty(t, srv.SignatureKeys(emu.FolderID(1)))
	assert.Len(t, srv.Versions(emu.KeyID(1, 2)), 3)
}
