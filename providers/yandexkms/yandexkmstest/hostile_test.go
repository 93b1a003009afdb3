package yandexkmstest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	kmspb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1"
	aepb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1/asymmetricencryption"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	emu "github.com/multikms/multikms/providers/yandexkms/yandexkmstest"
)

func TestServedPageSize(t *testing.T) {
	_, sdk := start(t, emu.DefaultToken, emu.WithGeneratedSymmetric(1, 12), emu.WithServedPageSize(5))
	resp, err := sdk.KMS().SymmetricKey().List(context.Background(), &kmspb.ListSymmetricKeysRequest{FolderId: emu.FolderID(0), PageSize: 2})
	require.NoError(t, err)
	assert.Len(t, resp.Keys, 5, "more than asked")
	assert.NotEmpty(t, resp.NextPageToken)
	resp, err = sdk.KMS().SymmetricKey().List(context.Background(), &kmspb.ListSymmetricKeysRequest{FolderId: emu.FolderID(0), PageSize: 1001})
	assert.Equal(t, codes.InvalidArgument, status.Code(err), "the request is still validated")
	assert.Nil(t, resp)
}

func TestNextTokenSize(t *testing.T) {
	_, sdk := start(t, emu.DefaultToken, emu.WithGenerated(1, 6), emu.WithNextTokenSize(300))
	ctx := context.Background()
	resp, err := sdk.KMS().SymmetricKey().List(ctx, &kmspb.ListSymmetricKeysRequest{FolderId: emu.FolderID(0), PageSize: 1})
	require.NoError(t, err)
	assert.Len(t, resp.NextPageToken, 300)
	_, err = sdk.KMS().SymmetricKey().List(ctx, &kmspb.ListSymmetricKeysRequest{FolderId: emu.FolderID(0), PageToken: resp.NextPageToken})
	assert.Equal(t, codes.InvalidArgument, status.Code(err), "never accepted back")
	last, err := sdk.KMS().SymmetricKey().List(ctx, &kmspb.ListSymmetricKeysRequest{FolderId: emu.FolderID(0)})
	require.NoError(t, err)
	assert.Empty(t, last.NextPageToken, "the last page has none")

	_, big := start(t, emu.DefaultToken, emu.WithGenerated(1, 6), emu.WithNextTokenSize(10<<20))
	_, err = big.KMS().SymmetricKey().List(ctx, &kmspb.ListSymmetricKeysRequest{FolderId: emu.FolderID(0), PageSize: 1})
	assert.Equal(t, codes.ResourceExhausted, status.Code(err), "beyond what the gRPC client takes")
}

func TestIDSuffix(t *testing.T) {
	srv, sdk := start(t, emu.DefaultToken, emu.WithGenerated(1, 6), emu.WithIDSuffix("\x00"))
	ctx := context.Background()
	resp, err := sdk.KMSAsymmetricEncryption().AsymmetricEncryptionKey().List(ctx,
		&aepb.ListAsymmetricEncryptionKeysRequest{FolderId: emu.FolderID(0)})
	require.NoError(t, err)
	require.Len(t, resp.Keys, 2)
	assert.Equal(t, emu.KeyID(0, 1)+"\x00", resp.Keys[0].Id)
	assert.Equal(t, emu.KeyID(0, 1), srv.EncryptionKeys(emu.FolderID(0))[0].Id, "the seeded key is unchanged")

	_, bad := start(t, emu.DefaultToken, emu.WithGenerated(1, 6), emu.WithIDSuffix("\xff\xfe"))
	_, err = bad.KMS().SymmetricKey().List(ctx, &kmspb.ListSymmetricKeysRequest{FolderId: emu.FolderID(0)})
	assert.Equal(t, codes.Internal, status.Code(err))
	assert.True(t, strings.Contains(status.Convert(err).Message(), "invalid UTF-8"), "%v", err)
	k, err := bad.KMS().SymmetricKey().Get(ctx, &kmspb.GetSymmetricKeyRequest{KeyId: emu.KeyID(0, 0)})
	require.NoError(t, err, "only List answers carry the suffix")
	assert.Equal(t, emu.KeyID(0, 0), k.Id)
}
