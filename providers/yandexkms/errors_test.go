package yandexkms_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
	"github.com/multikms/multikms/pagination"
	"github.com/multikms/multikms/providers/yandexkms"
	emu "github.com/multikms/multikms/providers/yandexkms/yandexkmstest"
)

// firstErr returns the error a listing ends with.
func firstErr[T any](it *pagination.Iterator[T]) error {
	for _, err := range it.All() {
		if err != nil {
			return err
		}
	}
	return nil
}

func TestErrorMapping(t *testing.T) {
	// One listing at a time: no request of a listing that failed may reach
	// the emulator late and take the failure meant for the next subtest.
	srv, l := demoLister(t, yandexkms.WithRetry(pagination.Retry{MaxAttempts: 1}), yandexkms.WithConcurrency(1))
	ctx := context.Background()
	calls := map[string]func() error{
		"ListKeys": func() error { return firstErr(l.ListKeys(ctx, kms.ListOptions{})) },
		"DescribeKey": func() error {
			_, err := l.DescribeKey(ctx, "abjdemo0payments00001")
			return err
		},
		"ListKeyVersions": func() error {
			return firstErr(l.ListKeyVersions(ctx, "abjdemo0payments00001", kms.ListOptions{}))
		},
	}
	for _, tc := range []struct {
		code      codes.Code
		want      error
		retryable bool
	}{
		{codes.NotFound, kms.ErrNotFound, false},
		{codes.InvalidArgument, kms.ErrInvalidArgument, false},
		{codes.PermissionDenied, kms.ErrPermissionDenied, false},
		{codes.Unauthenticated, kms.ErrUnauthenticated, false},
		{codes.ResourceExhausted, kms.ErrThrottled, true},
		{codes.Unavailable, kms.ErrUnavailable, true},
		{codes.DeadlineExceeded, kms.ErrUnavailable, true},
		{codes.Internal, kms.ErrUnavailable, true},
		{codes.Canceled, kms.ErrUnavailable, true}, // not the caller's: its context is alive
		{codes.Unimplemented, kms.ErrUnsupported, false},
	} {
		for name, call := range calls {
			t.Run(tc.code.String()+"/"+name, func(t *testing.T) {
				if tc.code == codes.NotFound && name == "DescribeKey" {
					srv.FailNext(tc.code, 3) // DescribeKey goes on to the other kinds
				} else {
					srv.FailNext(tc.code, 1)
				}
				err := call()
				require.Error(t, err)
				assert.ErrorIs(t, err, tc.want)
				assert.Equal(t, tc.retryable, pagination.IsRetryable(err))
				assert.Equal(t, tc.code == codes.ResourceExhausted, pagination.IsThrottled(err))
				st, ok := status.FromError(err)
				require.True(t, ok, "status reachable")
				assert.Equal(t, tc.code, st.Code())
				var kerr *kms.Error
				require.ErrorAs(t, err, &kerr)
				assert.Equal(t, kms.ProviderYandex, kerr.Provider)
			})
		}
	}
}

func TestUnauthenticatedNeverShowsTheToken(t *testing.T) {
	srv, err := emu.Start(emu.WithDemoKeys(), emu.WithToken("the-right-token"))
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	t.Setenv(yandexkms.EnvIAMToken, "t1.secret-iam-token")
	l, err := yandexkms.NewFromConfig(context.Background(), emu.DemoFolderID, yandexkms.WithEndpoint(srv.URL()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close() })
	err = firstErr(l.ListKeys(context.Background(), kms.ListOptions{}))
	assert.ErrorIs(t, err, kms.ErrUnauthenticated)
	assert.NotContains(t, err.Error(), "secret-iam-token")
}

func TestBadInputSendsNothing(t *testing.T) {
	srv, sdk := setup(t, emu.WithDemoKeys())
	ctx := context.Background()
	good := yandexkms.New(sdk, emu.DemoFolderID)
	long := strings.Repeat("x", 51)
	for name, call := range map[string]func() error{
		"PageSize -1":   func() error { return firstErr(good.ListKeys(ctx, kms.ListOptions{PageSize: -1})) },
		"PageSize 1001": func() error { return firstErr(good.ListKeys(ctx, kms.ListOptions{PageSize: 1001})) },
		"MaxItems -1":   func() error { return firstErr(good.ListKeys(ctx, kms.ListOptions{MaxItems: -1})) },
		"bad filter": func() error {
			return firstErr(good.ListKeys(ctx, kms.ListOptions{Filter: kms.Filter{States: []kms.KeyState{"Nope"}}}))
		},
		"empty folder": func() error { return firstErr(yandexkms.New(sdk, "").ListKeys(ctx, kms.ListOptions{})) },
		"long folder":  func() error { return firstErr(yandexkms.New(sdk, long).ListKeys(ctx, kms.ListOptions{})) },
		"bad extra folder": func() error {
			return firstErr(yandexkms.New(sdk, "b1g", yandexkms.WithFolders(" x")).ListKeys(ctx, kms.ListOptions{}))
		},
		"concurrency 0": func() error {
			return firstErr(yandexkms.New(sdk, "b1g", yandexkms.WithConcurrency(0)).ListKeys(ctx, kms.ListOptions{}))
		},
		"prefetch -1": func() error {
			return firstErr(yandexkms.New(sdk, "b1g", yandexkms.WithPrefetch(-1)).ListKeys(ctx, kms.ListOptions{}))
		},
		"describe empty": func() error { _, err := good.DescribeKey(ctx, ""); return err },
		"describe long":  func() error { _, err := good.DescribeKey(ctx, long); return err },
		"versions long":  func() error { return firstErr(good.ListKeyVersions(ctx, long, kms.ListOptions{})) },
		"versions PageSize 1001": func() error {
			return firstErr(good.ListKeyVersions(ctx, "abjdemo0payments00001", kms.ListOptions{PageSize: 1001}))
		},
		"versions on a bad lister": func() error {
			return firstErr(yandexkms.New(sdk, "").ListKeyVersions(ctx, "abjdemo0payments00001", kms.ListOptions{}))
		},
	} {
		t.Run(name, func(t *testing.T) {
			assert.ErrorIs(t, call(), kms.ErrInvalidArgument)
		})
	}
	assert.Zero(t, srv.TotalRequests())
	assert.Zero(t, srv.Requests(emu.MethodEndpointList), "not even endpoint discovery")
}

func TestBadCursorSendsNothing(t *testing.T) {
	srv, l := demoLister(t)
	ctx := context.Background()
	for _, c := range []string{"garbage", "AAAA", strings.Repeat("A", 300)} {
		assert.ErrorIs(t, firstErr(l.ListKeys(ctx, kms.ListOptions{Cursor: c})), kms.ErrInvalidCursor)
		assert.ErrorIs(t, firstErr(l.ListKeyVersions(ctx, "abjdemo0payments00001", kms.ListOptions{Cursor: c})), kms.ErrInvalidCursor)
	}
	assert.Zero(t, srv.TotalRequests())
}

func TestRetriesThrottlingAndUnavailability(t *testing.T) {
	fast := pagination.Retry{BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}
	srv, l := demoLister(t, yandexkms.WithRetry(fast), yandexkms.WithRateLimit(1e6, 1000))
	ctx := context.Background()
	srv.FailNext(codes.ResourceExhausted, 2)
	srv.FailNext(codes.Unavailable, 1)
	keys, err := kmstest.Collect(l.ListKeys(ctx, kms.ListOptions{}))
	require.NoError(t, err)
	assert.Len(t, keys, 4)
	assert.Equal(t, int64(3+3), srv.TotalRequests(), "three lists and three retries")
	assert.Less(t, l.Limiter().Limit(), 1e6, "throttling slowed the limiter")

	srv.ResetCounts()
	srv.FailNext(codes.Unavailable, 10)
	_, err = l.DescribeKey(ctx, "abjdemo0payments00001")
	assert.ErrorIs(t, err, kms.ErrUnavailable)
	assert.Equal(t, int64(5), srv.TotalRequests(), "the engine's default of 5 attempts, the SDK adds none")
}

func TestQuotaUnderTheLimiter(t *testing.T) {
	fast := pagination.Retry{BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxAttempts: 20}
	srv, sdk := setup(t, emu.WithGenerated(8, 9), emu.WithQuota(2000, 4))
	folders := make([]string, 8)
	for i := range folders {
		folders[i] = emu.FolderID(i)
	}
	l := yandexkms.New(sdk, folders[0], yandexkms.WithFolders(folders[1:]...), yandexkms.WithRetry(fast),
		yandexkms.WithConcurrency(24), unpaced())
	keys, err := kmstest.Collect(l.ListKeys(context.Background(), kms.ListOptions{PageSize: 2}))
	require.NoError(t, err)
	assert.Len(t, keys, 72)
	assert.GreaterOrEqual(t, srv.TotalRequests(), int64(8*3*2))
}

func TestErrorsKeepTheirOperation(t *testing.T) {
	srv, l := demoLister(t, yandexkms.WithRetry(pagination.Retry{MaxAttempts: 1}))
	srv.FailNext(codes.PermissionDenied, 1)
	err := firstErr(l.ListKeyVersions(context.Background(), "abjdemo0payments00001", kms.ListOptions{}))
	var kerr *kms.Error
	require.True(t, errors.As(err, &kerr))
	assert.Equal(t, yandexkms.OpListVersions, kerr.Op)
}
