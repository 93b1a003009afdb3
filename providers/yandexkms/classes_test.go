package yandexkms_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	ycsdk "github.com/yandex-cloud/go-sdk"
	"google.golang.org/grpc/codes"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
	"github.com/multikms/multikms/providers/yandexkms"
	emu "github.com/multikms/multikms/providers/yandexkms/yandexkmstest"
)

// assertKMSError checks err is a *kms.Error of the Yandex adapter with op.
func assertKMSError(t *testing.T, what string, err error, op string) {
	t.Helper()
	var kerr *kms.Error
	require.ErrorAs(t, err, &kerr, what)
	assert.Equal(t, kms.ProviderYandex, kerr.Provider, what)
	assert.Equal(t, op, kerr.Op, what)
}

// TestCursorErrorsAreKMSErrors: a refused cursor is a *kms.Error with the
// provider and the operation, like every other error.
func TestCursorErrorsAreKMSErrors(t *testing.T) {
	srv, l := demoLister(t)
	ctx := context.Background()
	it := l.ListKeys(ctx, kms.ListOptions{PageSize: 1})
	for range it.All() {
		break
	}
	keysCursor := it.Cursor()
	for what, err := range map[string]error{
		"garbage":           firstErr(l.ListKeys(ctx, kms.ListOptions{Cursor: "garbage!"})),
		"versions garbage":  firstErr(l.ListKeyVersions(ctx, "abjdemo0payments00001", kms.ListOptions{Cursor: "AAAA"})),
		"another listing's": firstErr(l.ListKeyVersions(ctx, "abjdemo0payments00001", kms.ListOptions{Cursor: keysCursor})),
		"another filter's": firstErr(l.ListKeys(ctx, kms.ListOptions{Cursor: keysCursor,
			Filter: kms.Filter{States: []kms.KeyState{kms.StateEnabled}}})),
	} {
		assert.ErrorIs(t, err, kms.ErrInvalidCursor, what)
		op := "ListKeys"
		if what == "versions garbage" || what == "another listing's" {
			op = "ListKeyVersions"
		}
		assertKMSError(t, what, err, op)
	}
	srv.ResetCounts()

	// Detail and Include are not part of the cursor's scope.
	rest := collect(t, l.ListKeys(ctx, kms.ListOptions{Cursor: keysCursor, Detail: kms.DetailFull, Include: kms.IncludeTags}))
	assert.Len(t, rest, 3)
}

// TestUnsupportedIsNotRetried: UNIMPLEMENTED is ErrUnsupported at once,
// under the default retry policy.
func TestUnsupportedIsNotRetried(t *testing.T) {
	srv, l := demoLister(t)
	srv.FailNext(codes.Unimplemented, 5)
	err := firstErr(l.ListKeys(context.Background(), kms.ListOptions{}))
	assert.ErrorIs(t, err, kms.ErrUnsupported)
	assert.Equal(t, int64(1), srv.Requests(emu.MethodSymmetricList))
	assert.False(t, pagination.IsRetryable(err))
}

// TestMissingCredentials: with nothing in the environment the instance
// metadata service is asked; when it cannot be reached (here a closed
// port), every call is ErrUnauthenticated.
func TestMissingCredentials(t *testing.T) {
	srv, err := emu.Start(emu.WithDemoKeys())
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	for _, name := range []string{yandexkms.EnvIAMToken, yandexkms.EnvToken, yandexkms.EnvOAuthToken, yandexkms.EnvServiceAccountKey} {
		t.Setenv(name, "")
	}
	t.Setenv(ycsdk.InstanceMetadataOverrideEnvVar, closedPort(t))
	l, err := yandexkms.NewFromConfig(context.Background(), emu.DemoFolderID, yandexkms.WithEndpoint(srv.URL()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close() })
	err = firstErr(l.ListKeys(context.Background(), kms.ListOptions{}))
	assert.ErrorIs(t, err, kms.ErrUnauthenticated)
	assertKMSError(t, "ListKeys", err, yandexkms.OpListSymmetric)
	_, err = l.DescribeKey(context.Background(), "abjdemo0payments00001")
	assert.ErrorIs(t, err, kms.ErrUnauthenticated)
	assert.Zero(t, srv.TotalRequests(), "no KMS request without a token")
}
