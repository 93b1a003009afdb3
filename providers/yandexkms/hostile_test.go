package yandexkms_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/status"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
	"github.com/multikms/multikms/providers/yandexkms"
	emu "github.com/multikms/multikms/providers/yandexkms/yandexkmstest"
)

// fastRetry retries at once, for tests that count attempts.
var fastRetry = pagination.Retry{BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}

// assertBadAnswer checks the error of a listing whose server answered what
// the client cannot take: ErrUnavailable, a *kms.Error of the List call,
// sent once (never retried: the same answer would come again).
func assertBadAnswer(t *testing.T, srv *emu.Server, err error) {
	t.Helper()
	assert.ErrorIs(t, err, kms.ErrUnavailable)
	var kerr *kms.Error
	require.ErrorAs(t, err, &kerr)
	assert.Equal(t, kms.ProviderYandex, kerr.Provider)
	assert.Equal(t, yandexkms.OpListSymmetric, kerr.Op)
	assert.Equal(t, int64(1), srv.Requests(emu.MethodSymmetricList), "not retried")
	assert.Less(t, len(err.Error()), 1000, "the answer is not quoted")
}

// TestHugePageIsListed: a server that answers pages of 1500 keys (the API
// allows 1000) is still listed exactly, every key once.
func TestHugePageIsListed(t *testing.T) {
	srv, sdk := setup(t, emu.WithGeneratedSymmetric(1, 3200), emu.WithServedPageSize(1500))
	keys := collect(t, yandexkms.New(sdk, emu.FolderID(0), unpaced()).ListKeys(context.Background(), kms.ListOptions{}))
	require.Len(t, keys, 3200)
	seen := map[string]bool{}
	for i, k := range keys {
		assert.Equal(t, srv.SymmetricKeys(emu.FolderID(0))[i].Id, k.ID)
		assert.False(t, seen[k.ID], "repeated %s", k.ID)
		seen[k.ID] = true
	}
	assert.Equal(t, int64(3), srv.Requests(emu.MethodSymmetricList))
}

// TestPageLargerThanTheClientTakes: an answer beyond gRPC's 4 MiB is
// refused by the client, bounded: classified and not retried.
func TestPageLargerThanTheClientTakes(t *testing.T) {
	// 5000 keys of IDs over a kilobyte long in one answer: over 5 MB.
	srv, sdk := setup(t, emu.WithGeneratedSymmetric(1, 5000), emu.WithServedPageSize(5000),
		emu.WithIDSuffix(strings.Repeat("a", 1000)))
	err := firstErr(yandexkms.New(sdk, emu.FolderID(0)).ListKeys(context.Background(), kms.ListOptions{}))
	assertBadAnswer(t, srv, err)
}

func TestTenMegabyteNextToken(t *testing.T) {
	srv, sdk := setup(t, emu.WithGenerated(1, 30), emu.WithNextTokenSize(10<<20))
	l := yandexkms.New(sdk, emu.FolderID(0))
	it := l.ListKeys(context.Background(), kms.ListOptions{PageSize: 2})
	err := firstErr(it)
	assertBadAnswer(t, srv, err) // gRPC refuses it from its length prefix: memory stays bounded
	assert.Less(t, len(it.Cursor()), 200, "nothing of the answer goes into the cursor")
}

// TestOverlongNextToken: a next token the client can decode but the API
// does not allow (101 characters) would go into the cursor: refused.
func TestOverlongNextToken(t *testing.T) {
	srv, sdk := setup(t, emu.WithGenerated(1, 30), emu.WithNextTokenSize(yandexkms.MaxPageToken+1))
	it := yandexkms.New(sdk, emu.FolderID(0)).ListKeys(context.Background(), kms.ListOptions{PageSize: 2})
	err := firstErr(it)
	assertBadAnswer(t, srv, err)
	assert.NotContains(t, err.Error(), strings.Repeat("t", yandexkms.MaxPageToken))

	// At the limit, the token is taken (and the server refuses it back).
	srv2, sdk2 := setup(t, emu.WithGenerated(1, 30), emu.WithNextTokenSize(yandexkms.MaxPageToken))
	err = firstErr(yandexkms.New(sdk2, emu.FolderID(0), yandexkms.WithRetry(fastRetry)).ListKeys(context.Background(), kms.ListOptions{PageSize: 2}))
	assert.ErrorIs(t, err, kms.ErrInvalidArgument, "the server's own verdict on its token")
	assert.Equal(t, int64(2), srv2.Requests(emu.MethodSymmetricList))
}

// TestInvalidUTF8InIDs: IDs the client cannot decode end the listing with a
// classified error whose native gRPC status is reachable.
func TestInvalidUTF8InIDs(t *testing.T) {
	srv, sdk := setup(t, emu.WithGenerated(1, 6), emu.WithIDSuffix("\xff"))
	err := firstErr(yandexkms.New(sdk, emu.FolderID(0)).ListKeys(context.Background(), kms.ListOptions{}))
	assertBadAnswer(t, srv, err)
	st, ok := status.FromError(err)
	require.True(t, ok)
	assert.Contains(t, st.Message(), "unmarshal")
}

// TestNULInIDs: IDs with a NUL byte are valid UTF-8: the listing hands them
// out as the server gave them, every key once; such an ID cannot name a
// key, so DescribeKey refuses it before any request.
func TestNULInIDs(t *testing.T) {
	srv, sdk := setup(t, emu.WithGenerated(1, 6), emu.WithIDSuffix("\x00"))
	l := yandexkms.New(sdk, emu.FolderID(0))
	keys := collect(t, l.ListKeys(context.Background(), kms.ListOptions{PageSize: 1}))
	require.Len(t, keys, 6)
	for i, j := range []int{0, 3, 1, 4, 2, 5} { // symmetric, encryption, signature keys
		assert.Equal(t, emu.KeyID(0, j)+"\x00", keys[i].ID)
	}
	srv.ResetCounts()
	_, err := l.DescribeKey(context.Background(), keys[0].ID)
	assert.ErrorIs(t, err, kms.ErrInvalidArgument)
	assert.Zero(t, srv.TotalRequests())
}

// TestSlowAnswers: answers slower than the caller's deadline end every call
// with the context's error, on every call.
func TestSlowAnswers(t *testing.T) {
	_, sdk := setup(t, emu.WithGenerated(1, 6), emu.WithLatency(time.Hour))
	callsWithDeadline(t, yandexkms.New(sdk, emu.FolderID(0)))
}
