package yandexkmstest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/yandex-cloud/go-genproto/yandex/cloud/access"
	"google.golang.org/grpc/codes"

	emu "github.com/multikms/multikms/providers/yandexkms/yandexkmstest"
)

func TestListAccessBindingsPages(t *testing.T) {
	var many []*access.AccessBinding
	for i := range 7 {
		many = append(many, emu.Binding("kms.viewer", "userAccount", fmt.Sprintf("aje%017d", i)))
	}
	srv, sdk := start(t, emu.DefaultToken, emu.WithGenerated(1, 3), emu.WithAccessBindings(emu.KeyID(0, 0), many...))
	ctx := context.Background()
	var got []string
	req := &access.ListAccessBindingsRequest{ResourceId: emu.KeyID(0, 0), PageSize: 3}
	for {
		resp, err := sdk.KMS().SymmetricKey().ListAccessBindings(ctx, req)
		require.NoError(t, err)
		assert.LessOrEqual(t, len(resp.AccessBindings), 3)
		for _, b := range resp.AccessBindings {
			got = append(got, b.Subject.Id)
		}
		if resp.NextPageToken == "" {
			break
		}
		assert.LessOrEqual(t, len(resp.NextPageToken), emu.MaxPageToken)
		req.PageToken = resp.NextPageToken
	}
	require.Len(t, got, 7)
	assert.Equal(t, "aje00000000000000006", got[6])
	assert.Equal(t, int64(3), srv.Requests(emu.MethodSymmetricAccess))

	// Generated key 2 (a signature key) has two bindings.
	resp, err := sdk.KMSAsymmetricSignature().AsymmetricSignatureKey().ListAccessBindings(ctx,
		&access.ListAccessBindingsRequest{ResourceId: emu.KeyID(0, 2)})
	require.NoError(t, err)
	require.Len(t, resp.AccessBindings, 2)
	assert.Equal(t, "kms.keys.encrypterDecrypter", resp.AccessBindings[0].RoleId)
	assert.Equal(t, "serviceAccount", resp.AccessBindings[0].Subject.Type)
	assert.Equal(t, int64(1), srv.Requests(emu.MethodSignatureAccess))
}

func TestListAccessBindingsErrors(t *testing.T) {
	srv, sdk := start(t, emu.DefaultToken, emu.WithGenerated(1, 3), emu.WithDeniedAccessBindings(emu.KeyID(0, 1)))
	ctx := context.Background()
	sym, enc := sdk.KMS().SymmetricKey(), sdk.KMSAsymmetricEncryption().AsymmetricEncryptionKey()
	for what, tc := range map[string]struct {
		err  error
		want codes.Code
	}{
		"another kind's key": {func() error {
			_, err := sym.ListAccessBindings(ctx, &access.ListAccessBindingsRequest{ResourceId: emu.KeyID(0, 1)})
			return err
		}(), codes.NotFound},
		"denied": {func() error {
			_, err := enc.ListAccessBindings(ctx, &access.ListAccessBindingsRequest{ResourceId: emu.KeyID(0, 1)})
			return err
		}(), codes.PermissionDenied},
		"no resource": {func() error {
			_, err := sym.ListAccessBindings(ctx, &access.ListAccessBindingsRequest{})
			return err
		}(), codes.InvalidArgument},
		"long resource": {func() error {
			_, err := sym.ListAccessBindings(ctx, &access.ListAccessBindingsRequest{ResourceId: strings.Repeat("a", 51)})
			return err
		}(), codes.InvalidArgument},
		"page size 1001": {func() error {
			_, err := sym.ListAccessBindings(ctx, &access.ListAccessBindingsRequest{ResourceId: emu.KeyID(0, 0), PageSize: 1001})
			return err
		}(), codes.InvalidArgument},
		"foreign token": {func() error {
			_, err := sym.ListAccessBindings(ctx, &access.ListAccessBindingsRequest{ResourceId: emu.KeyID(0, 0), PageToken: "forged"})
			return err
		}(), codes.InvalidArgument},
	} {
		assert.Equal(t, tc.want, code(tc.err), what)
	}
	assert.Equal(t, int64(5), srv.Requests(emu.MethodSymmetricAccess))
	_, err := emu.Start(emu.WithAccessBindings("abjnosuchkey", emu.Binding("r", "system", "allUsers")))
	assert.Error(t, err, "bindings of a key the server does not hold")
}
