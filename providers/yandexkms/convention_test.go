package yandexkms_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	ycsdk "github.com/yandex-cloud/go-sdk"
	"go.uber.org/goleak"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
	"github.com/multikms/multikms/providers/yandexkms"
	emu "github.com/multikms/multikms/providers/yandexkms/yandexkmstest"
)

// assertNames checks err is ErrInvalidArgument naming param, with one
// "kms:" prefix.
func assertNames(t *testing.T, err error, param, what string) {
	t.Helper()
	require.ErrorIs(t, err, kms.ErrInvalidArgument, what)
	assert.Contains(t, err.Error(), param, what)
	assert.Equal(t, 1, strings.Count(err.Error(), "kms: "), "%s: %v", what, err)
}

// badOptions are options out of range, each with the parameter its error
// must name.
var badOptions = []struct {
	name, param string
	opt         yandexkms.Option
}{
	{"rate NaN", "RateLimit", yandexkms.WithRateLimit(math.NaN(), 1)},
	{"rate +Inf", "RateLimit", yandexkms.WithRateLimit(math.Inf(1), 1)},
	{"rate 0", "RateLimit", yandexkms.WithRateLimit(0, 1)},
	{"rate -1", "RateLimit", yandexkms.WithRateLimit(-1, 1)},
	{"rate 1e7", "RateLimit", yandexkms.WithRateLimit(1e7, 1)},
	{"burst 0", "RateLimit", yandexkms.WithRateLimit(10, 0)},
	{"nil limiter", "Limiter", yandexkms.WithLimiter(nil)},
	{"concurrency 0", "Concurrency", yandexkms.WithConcurrency(0)},
	{"concurrency 2000", "Concurrency", yandexkms.WithConcurrency(2000)},
	{"prefetch -1", "Prefetch", yandexkms.WithPrefetch(-1)},
	{"prefetch 65", "Prefetch", yandexkms.WithPrefetch(65)},
	{"retry -1", "Retry", yandexkms.WithRetry(pagination.Retry{MaxAttempts: -1})},
	{"retry 101", "Retry", yandexkms.WithRetry(pagination.Retry{MaxAttempts: 101})},
	{"nil option", "Option", nil},
	{"bad folder", "Folders", yandexkms.WithFolders("B1G-UPPER")},
}

// badFolders are folder IDs no folder has.
var badFolders = map[string]string{
	"empty":        "",
	"upper case":   "B1GFOLDER",
	"too long":     strings.Repeat("b", 51),
	"invalid UTF8": "b1g\xff\xfe",
	"AWS ARN":      "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
	"Alibaba ARN":  "acs:kms:cn-hangzhou:1234567890:key/key-hzz62f1cb66fa42qo3dg",
	"space":        "b1g folder",
}

func TestNewRefusesBadOptionsBeforeAnyRequest(t *testing.T) {
	srv, sdk := setup(t, emu.WithDemoKeys())
	for _, tc := range badOptions {
		l := yandexkms.New(sdk, emu.DemoFolderID, tc.opt)
		assertNames(t, firstErr(l.ListKeys(context.Background(), kms.ListOptions{})), tc.param, tc.name)
		_, err := l.DescribeKey(context.Background(), "abjdemo0payments00001")
		assertNames(t, err, tc.param, tc.name)
	}
	for name, f := range badFolders {
		assertNames(t, firstErr(yandexkms.New(sdk, f).ListKeys(context.Background(), kms.ListOptions{})), "folderID", name)
	}
	for _, o := range []yandexkms.Option{yandexkms.WithEndpoint(srv.URL()), yandexkms.WithCredentials(ycsdk.NewIAMTokenCredentials("t1.x")),
		yandexkms.WithSDKConfig(srv.SDKConfig())} {
		assertNames(t, firstErr(yandexkms.New(sdk, emu.DemoFolderID, o).ListKeys(context.Background(), kms.ListOptions{})),
			"NewFromConfig only", "an SDK option given to New")
	}
	assertNames(t, firstErr(yandexkms.New(nil, emu.DemoFolderID).ListKeys(context.Background(), kms.ListOptions{})), "sdk", "nil sdk")
	assert.Zero(t, srv.TotalRequests())
	assert.Zero(t, srv.Requests(emu.MethodEndpointList))
}

func TestNewFromConfigReturnsANilListerWithItsError(t *testing.T) {
	creds := yandexkms.WithCredentials(ycsdk.NewIAMTokenCredentials("t1.x"))
	for _, tc := range badOptions {
		l, err := yandexkms.NewFromConfig(context.Background(), "b1gfolder", creds, tc.opt)
		assert.Nil(t, l, tc.name)
		assertNames(t, err, tc.param, tc.name)
	}
	for name, f := range badFolders {
		l, err := yandexkms.NewFromConfig(context.Background(), f, creds)
		assert.Nil(t, l, name)
		assertNames(t, err, "folderID", name)
	}
	for name, tc := range map[string]struct {
		opt   yandexkms.Option
		param string
	}{
		"no scheme":           {yandexkms.WithEndpoint("api.cloud.yandex.net:443"), "Endpoint"},
		"public plain text":   {yandexkms.WithEndpoint("http://api.cloud.yandex.net:443"), "Endpoint"},
		"user info":           {yandexkms.WithEndpoint("https://u:p@api.cloud.yandex.net"), "Endpoint"},
		"a path":              {yandexkms.WithEndpoint("https://api.cloud.yandex.net/kms"), "Endpoint"},
		"ftp":                 {yandexkms.WithEndpoint("ftp://127.0.0.1:21"), "Endpoint"},
		"nil credentials":     {yandexkms.WithCredentials(nil), "Credentials"},
		"plain public config": {yandexkms.WithSDKConfig(ycsdk.Config{Endpoint: "api.cloud.yandex.net:443", Plaintext: true}), "SDKConfig.Endpoint"},
		"plain, no endpoint":  {yandexkms.WithSDKConfig(ycsdk.Config{Plaintext: true}), "SDKConfig.Plaintext"},
	} {
		l, err := yandexkms.NewFromConfig(context.Background(), "b1gfolder", creds, tc.opt)
		assert.Nil(t, l, name)
		assertNames(t, err, tc.param, name)
	}

	t.Setenv(yandexkms.EnvIAMToken, "")
	t.Setenv(yandexkms.EnvToken, "")
	t.Setenv(yandexkms.EnvOAuthToken, "")
	t.Setenv(yandexkms.EnvServiceAccountKey, filepath.Join(t.TempDir(), "missing.json"))
	l, err := yandexkms.NewFromConfig(context.Background(), "b1gfolder")
	assert.Nil(t, l)
	assert.ErrorIs(t, err, kms.ErrUnauthenticated, "an unreadable key file")
}

func TestNewFromConfigOptionsReachTheServer(t *testing.T) {
	srv, err := emu.Start(emu.WithDemoKeys(), emu.WithToken("t1.custom"))
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	var events []pagination.Event
	obs := func(e pagination.Event) { events = append(events, e) }
	for name, opts := range map[string][]yandexkms.Option{
		"endpoint and credentials": {yandexkms.WithEndpoint(srv.URL()), yandexkms.WithCredentials(ycsdk.NewIAMTokenCredentials("t1.custom"))},
		"SDK config":               {yandexkms.WithSDKConfig(srv.SDKConfig())},
		"SDK config, then endpoint": {yandexkms.WithSDKConfig(ycsdk.Config{Credentials: ycsdk.NewIAMTokenCredentials("t1.custom")}),
			yandexkms.WithEndpoint(srv.URL())},
	} {
		events = nil
		l, err := yandexkms.NewFromConfig(context.Background(), emu.DemoFolderID,
			append(opts, yandexkms.WithObserver(obs), yandexkms.WithConcurrency(1), yandexkms.WithPrefetch(0))...)
		require.NoError(t, err, name)
		keys := collect(t, l.ListKeys(context.Background(), kms.ListOptions{}))
		assert.Len(t, keys, 4, name)
		_, err = l.DescribeKey(context.Background(), "abjdemo0documents0001")
		require.NoError(t, err, name)
		require.NoError(t, l.Close())
		ops := map[string]int{}
		for _, e := range events {
			if e.Kind == pagination.EventRequest {
				ops[e.Op]++
			}
		}
		assert.Equal(t, map[string]int{yandexkms.OpListSymmetric: 1, yandexkms.OpListEncryption: 1, yandexkms.OpListSignature: 1,
			yandexkms.OpGetSymmetric: 1, yandexkms.OpGetEncryption: 1}, ops, "every request observed (%s)", name)
	}
}

// TestPrefetch: WithPrefetch(0) fetches no page ahead; the default fetches
// one: once the first page of a listing of three is handed out, the second
// is asked for with prefetching (the observer tells of it) and not without.
func TestPrefetch(t *testing.T) {
	srv, sdk := setup(t, emu.WithGeneratedSymmetric(1, 9))
	key := emu.KeyID(0, 2) // three versions
	for _, prefetch := range []bool{false, true} {
		srv.ResetCounts()
		requests := make(chan pagination.Event, 10)
		opts := []yandexkms.Option{yandexkms.WithObserver(func(e pagination.Event) {
			if e.Kind == pagination.EventRequest {
				requests <- e
			}
		})}
		if !prefetch {
			opts = append(opts, yandexkms.WithPrefetch(0))
		}
		l := yandexkms.New(sdk, emu.FolderID(0), opts...)
		for _, err := range l.ListKeyVersions(context.Background(), key, kms.ListOptions{PageSize: 1}).Pages() {
			require.NoError(t, err)
			<-requests // the first page's
			if prefetch {
				<-requests // the second page's, fetched ahead
			} else {
				assert.Empty(t, requests, "no page ahead")
			}
			break
		}
		assert.Equal(t, map[bool]int64{false: 1, true: 2}[prefetch], srv.Requests(emu.MethodSymmetricVersion))
	}
}

// TestClose: a Lister built by NewFromConfig owns its SDK, and Close
// releases its connections (no goroutine left); one over the caller's SDK
// (New) closes nothing: the SDK still works.
func TestClose(t *testing.T) {
	srv, err := emu.Start(emu.WithDemoKeys())
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	leaks := goleak.IgnoreCurrent()
	l, err := yandexkms.NewFromConfig(context.Background(), emu.DemoFolderID,
		yandexkms.WithEndpoint(srv.URL()), yandexkms.WithCredentials(ycsdk.NewIAMTokenCredentials(srv.Token())))
	require.NoError(t, err)
	assert.Len(t, collect(t, l.ListKeys(context.Background(), kms.ListOptions{})), 4)
	require.NoError(t, l.Close())
	require.NoError(t, l.Close(), "twice")
	goleak.VerifyNone(t, leaks)
	assert.Error(t, firstErr(l.ListKeys(context.Background(), kms.ListOptions{})), "closed")

	_, sdk := setup(t, emu.WithDemoKeys())
	mine := yandexkms.New(sdk, emu.DemoFolderID)
	assert.Len(t, collect(t, mine.ListKeys(context.Background(), kms.ListOptions{})), 4)
	require.NoError(t, mine.Close())
	assert.Len(t, collect(t, mine.ListKeys(context.Background(), kms.ListOptions{})), 4, "the caller's SDK is left open")
}

// TestOpenReturnsANilLister: kms.Open's error comes with a nil kms.Lister,
// not a typed nil (an unreadable key file used to give l != nil).
func TestOpenReturnsANilLister(t *testing.T) {
	t.Setenv(yandexkms.EnvIAMToken, "")
	t.Setenv(yandexkms.EnvToken, "")
	t.Setenv(yandexkms.EnvOAuthToken, "")
	bad := filepath.Join(t.TempDir(), "key.json")
	require.NoError(t, os.WriteFile(bad, []byte("not json"), 0o600))
	for _, path := range []string{bad, filepath.Join(t.TempDir(), "missing.json")} {
		t.Setenv(yandexkms.EnvServiceAccountKey, path)
		l, err := kms.Open(context.Background(), "yandexkms://b1gfolder")
		assert.ErrorIs(t, err, kms.ErrUnauthenticated)
		assert.True(t, l == nil, "a nil interface, got %T", l)
	}
	l, err := kms.Open(context.Background(), "yandexkms://b1gfolder?bogus=1")
	assert.Error(t, err)
	assert.True(t, l == nil, "a nil interface, got %T", l)
}
