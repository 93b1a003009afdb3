package yandexkms_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	rmpb "github.com/yandex-cloud/go-genproto/yandex/cloud/resourcemanager/v1"
	ycsdk "github.com/yandex-cloud/go-sdk"
	"google.golang.org/grpc/codes"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
	"github.com/multikms/multikms/pagination"
	"github.com/multikms/multikms/providers/yandexkms"
	emu "github.com/multikms/multikms/providers/yandexkms/yandexkmstest"
)

const (
	testOrg    = "bpf00000000000000001"
	testCloud  = "b1gcloud000000000001"
	testCloud2 = "b1gcloud000000000002"
)

// setupCloud starts a KMS server with kmsOpts, a ResourceManager beside it
// with rmOpts and an SDK over the ResourceManager, all stopped at cleanup.
func setupCloud(t testing.TB, kmsOpts []emu.Option, rmOpts ...emu.ResourceOption) (*emu.ResourceManager, *ycsdk.SDK) {
	t.Helper()
	srv, err := emu.Start(kmsOpts...)
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	rm, err := emu.StartResourceManager(srv, rmOpts...)
	require.NoError(t, err)
	t.Cleanup(rm.Close)
	sdk, err := ycsdk.Build(context.Background(), rm.SDKConfig())
	require.NoError(t, err)
	t.Cleanup(func() { _ = sdk.Shutdown(context.Background()) })
	return rm, sdk
}

func discoverCloud(t testing.TB, sdk *ycsdk.SDK, cloud string, opts ...yandexkms.Option) *yandexkms.Fleet {
	t.Helper()
	f, err := yandexkms.Discover(context.Background(), sdk, yandexkms.Discovery{CloudID: cloud}, append([]yandexkms.Option{unpaced()}, opts...)...)
	require.NoError(t, err)
	return f
}

// discoverOrg discovers the folders of testOrg's clouds.
func discoverOrg(t testing.TB, sdk *ycsdk.SDK) *yandexkms.Fleet {
	t.Helper()
	f, err := yandexkms.Discover(context.Background(), sdk, yandexkms.Discovery{OrganizationID: testOrg}, unpaced())
	require.NoError(t, err)
	return f
}

// withCloud sets Key.CloudID on the fixture's keys.
func withCloud(fx kmstest.Fixture, cloud string) kmstest.Fixture {
	for i := range fx.Keys {
		fx.Keys[i].CloudID = cloud
	}
	return fx
}

func TestFleetConformance(t *testing.T) {
	kmstest.RunConformance(t, kmstest.Harness{
		Setup: func(t *testing.T) kmstest.Fixture {
			rm, sdk := setupCloud(t, []emu.Option{emu.WithGenerated(3, 6)}, emu.WithGeneratedCloud(testOrg, testCloud, 3))
			warm(t, sdk)
			// One folder at a time: the suite checks list order, and scopes
			// come out in scope order then. No page fetched ahead: the
			// suite counts requests right after breaking out of a listing,
			// and a prefetched page still on the wire would be counted.
			f := discoverCloud(t, sdk, testCloud, yandexkms.WithConcurrency(1), yandexkms.WithPrefetch(0))
			return withCloud(fixture(rm.KMS(), f, emu.FolderID(0), emu.FolderID(1), emu.FolderID(2)), testCloud)
		},
	})
}

func TestFleetDiscoversActiveFoldersByPages(t *testing.T) {
	const n = 1201 // two pages of DiscoveryPageSize
	rm, sdk := setupCloud(t, nil, emu.WithGeneratedCloud("", testCloud, n),
		emu.WithFolder(&rmpb.Folder{Id: "b1gzzdeleting", CloudId: testCloud, Status: rmpb.Folder_DELETING}),
		emu.WithFolder(&rmpb.Folder{Id: "b1gzzpending", CloudId: testCloud, Status: rmpb.Folder_PENDING_DELETION}))
	f := discoverCloud(t, sdk, testCloud)
	folders := f.Folders()
	require.Len(t, folders, n)
	assert.True(t, slices.IsSorted(folders))
	assert.NotContains(t, folders, "b1gzzdeleting")
	assert.NotContains(t, folders, "b1gzzpending")
	assert.Equal(t, int64(2), rm.Requests(emu.MethodFolderList))
	assert.Equal(t, testCloud+"/"+emu.FolderID(0), f.Scopes()[0])
	assert.Zero(t, rm.KMS().TotalRequests(), "discovery lists no keys")
}

func TestFleetOrganizationKeysCarryCloud(t *testing.T) {
	rm, sdk := setupCloud(t, []emu.Option{emu.WithGenerated(3, 4)},
		emu.WithCloud(testOrg, testCloud2, emu.FolderID(2)),
		emu.WithCloud(testOrg, testCloud, emu.FolderID(0), emu.FolderID(1)),
		emu.WithCloud("bpfother00000000000", "b1gcloudother0000000", "b1gotherfolder"))
	f := discoverOrg(t, sdk)
	assert.Equal(t, []string{testCloud, testCloud + "/" + emu.FolderID(0), testCloud + "/" + emu.FolderID(1), testCloud2, testCloud2 + "/" + emu.FolderID(2)}, f.Scopes())
	assert.Equal(t, int64(1), rm.Requests(emu.MethodCloudList))
	assert.Equal(t, int64(2), rm.Requests(emu.MethodFolderList))

	keys, err := pagination.Collect(f.ListKeys(context.Background(), kms.ListOptions{}))
	require.NoError(t, err)
	require.Len(t, keys, 12)
	for _, k := range keys {
		want := testCloud
		if k.FolderID == emu.FolderID(2) {
			want = testCloud2
		}
		assert.Equal(t, want, k.CloudID, k.ID)
	}
	k, err := f.DescribeKey(context.Background(), emu.KeyID(2, 1))
	require.NoError(t, err)
	assert.Equal(t, testCloud2, k.CloudID)
}

func TestFleetDeniedCloudIsOneScope(t *testing.T) {
	rm, sdk := setupCloud(t, []emu.Option{emu.WithGenerated(3, 3)},
		emu.WithCloud(testOrg, testCloud, emu.FolderID(0), emu.FolderID(1)),
		emu.WithCloud(testOrg, testCloud2, emu.FolderID(2)))
	rm.DenyCloud(testCloud2)
	f := discoverOrg(t, sdk)
	assert.Equal(t, []string{testCloud, testCloud + "/" + emu.FolderID(0), testCloud + "/" + emu.FolderID(1), testCloud2}, f.Scopes())

	keys, err := pagination.Collect(f.ListKeys(context.Background(), kms.ListOptions{}))
	assert.Len(t, keys, 6, "the other clouds' keys all come out")
	var se *kms.ScopeError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "yandex/"+testCloud2, se.Scope)
	assert.ErrorIs(t, err, kms.ErrPermissionDenied)
	var ke *kms.Error
	require.ErrorAs(t, err, &ke)
	assert.Equal(t, yandexkms.OpListFolders, ke.Op)
}

func TestFleetDeniedFolderIsolatedAndResumed(t *testing.T) {
	rm, sdk := setupCloud(t, []emu.Option{emu.WithGenerated(4, 5)}, emu.WithGeneratedCloud("", testCloud, 4))
	rm.DenyFolder(emu.FolderID(1))
	f := discoverCloud(t, sdk, testCloud)
	it := f.ListKeys(context.Background(), kms.ListOptions{PageSize: 2})
	keys, err := pagination.Collect(it)
	assert.Len(t, keys, 15)
	for _, k := range keys {
		assert.NotEqual(t, emu.FolderID(1), k.FolderID)
	}
	var se *kms.ScopeError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "yandex/"+testCloud+"/"+emu.FolderID(1), se.Scope)
	assert.ErrorIs(t, err, kms.ErrPermissionDenied)
	cursor := it.Cursor()
	require.NotEmpty(t, cursor)

	// Granted again: a fresh Fleet (another process) resumes the failed folder only.
	rm.AllowFolder(emu.FolderID(1))
	rm.ResetCounts()
	again := discoverCloud(t, sdk, testCloud)
	rest, err := pagination.Collect(again.ListKeys(context.Background(), kms.ListOptions{PageSize: 2, Cursor: cursor}))
	require.NoError(t, err)
	require.Len(t, rest, 5)
	for _, k := range rest {
		assert.Equal(t, emu.FolderID(1), k.FolderID)
	}
}

// TestFleetResumeAcrossFleets: a cursor resumes exactly the folders it was
// made over, in a fresh Fleet (another process) that found the same ones
// (changed folder sets: discover_resume_test.go).
func TestFleetResumeAcrossFleets(t *testing.T) {
	_, sdk := setupCloud(t, []emu.Option{emu.WithGenerated(4, 6)}, emu.WithGeneratedCloud("", testCloud, 3))
	first := discoverCloud(t, sdk, testCloud)
	it := first.ListKeys(context.Background(), kms.ListOptions{PageSize: 2})
	var got []string
	for k, err := range it.All() {
		require.NoError(t, err)
		got = append(got, k.ID)
		if len(got) == 7 {
			break
		}
	}
	cursor := it.Cursor()

	same := discoverCloud(t, sdk, testCloud)
	rest, err := pagination.Collect(same.ListKeys(context.Background(), kms.ListOptions{PageSize: 2, Cursor: cursor}))
	require.NoError(t, err)
	for _, k := range rest {
		got = append(got, k.ID)
	}
	slices.Sort(got)
	var want []string
	for i := range 3 {
		for j := range 6 {
			want = append(want, emu.KeyID(i, j))
		}
	}
	assert.Equal(t, want, got, "every key once over the chain")
}

func TestDiscoverRefusesBadInputBeforeAnyRequest(t *testing.T) {
	rm, sdk := setupCloud(t, nil, emu.WithGeneratedCloud(testOrg, testCloud, 2))
	ctx := context.Background()
	for name, d := range map[string]yandexkms.Discovery{
		"none":          {},
		"both":          {CloudID: testCloud, OrganizationID: testOrg},
		"upper case":    {CloudID: "B1G"},
		"too long":      {OrganizationID: "b1g00000000000000000000000000000000000000000000000000"},
		"an ARN":        {CloudID: "arn:aws:kms:us-east-1:111122223333:key/x"},
		"invalid UTF-8": {CloudID: "b1g\xff"},
	} {
		_, err := yandexkms.Discover(ctx, sdk, d)
		assert.ErrorIs(t, err, kms.ErrInvalidArgument, name)
	}
	_, err := yandexkms.Discover(ctx, sdk, yandexkms.Discovery{CloudID: testCloud}, yandexkms.WithFolders(emu.FolderID(0)))
	assert.ErrorIs(t, err, kms.ErrInvalidArgument)
	_, err = yandexkms.Discover(ctx, sdk, yandexkms.Discovery{CloudID: testCloud}, yandexkms.WithConcurrency(0))
	assert.ErrorIs(t, err, kms.ErrInvalidArgument)
	assert.Zero(t, rm.Requests(emu.MethodFolderList)+rm.Requests(emu.MethodCloudList))

	f := discoverCloud(t, sdk, testCloud)
	rm.ResetCounts()
	_, err = pagination.Collect(f.ListKeys(ctx, kms.ListOptions{PageSize: yandexkms.MaxPageSize + 1}))
	assert.ErrorIs(t, err, kms.ErrInvalidArgument)
	assert.Zero(t, rm.KMS().TotalRequests())
}

func TestDiscoverFailures(t *testing.T) {
	rm, sdk := setupCloud(t, nil, emu.WithGeneratedCloud(testOrg, testCloud, 2))
	ctx := context.Background()
	_, err := yandexkms.Discover(ctx, sdk, yandexkms.Discovery{CloudID: "b1gnosuchcloud"}, unpaced())
	assert.ErrorIs(t, err, kms.ErrPermissionDenied)
	var ke *kms.Error
	require.ErrorAs(t, err, &ke)
	assert.Equal(t, yandexkms.OpListFolders, ke.Op)

	// Retried through the engine: one UNAVAILABLE answer costs a retry, not the Fleet.
	rm.ResetCounts()
	rm.FailNext(codes.Unavailable, 1)
	f, err := yandexkms.Discover(ctx, sdk, yandexkms.Discovery{OrganizationID: testOrg}, unpaced(),
		yandexkms.WithRetry(pagination.Retry{BaseDelay: 1, MaxDelay: 1}))
	require.NoError(t, err)
	assert.Len(t, f.Folders(), 2)
	assert.Equal(t, int64(2), rm.Requests(emu.MethodCloudList))

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = yandexkms.Discover(cctx, sdk, yandexkms.Discovery{OrganizationID: testOrg}, unpaced())
	assert.ErrorIs(t, err, context.Canceled)
}

// TestDiscoveryIsObservedAndRetried: discovery calls are engine requests:
// told to the observer with their op and attempt, retried, paced by the
// Lister's limiter.
func TestDiscoveryIsObservedAndRetried(t *testing.T) {
	rm, sdk := setupCloud(t, nil, emu.WithCloud(testOrg, testCloud, emu.FolderID(0)))
	var mu sync.Mutex
	var events []pagination.Event
	obs := func(e pagination.Event) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, e)
	}
	rm.FailNext(codes.Unavailable, 1)
	_, err := yandexkms.Discover(context.Background(), sdk, yandexkms.Discovery{OrganizationID: testOrg}, unpaced(),
		yandexkms.WithObserver(obs), yandexkms.WithRetry(pagination.Retry{BaseDelay: 1, MaxDelay: 1}))
	require.NoError(t, err)
	mu.Lock()
	defer mu.Unlock()
	var requests []string
	for _, e := range events {
		if e.Kind == pagination.EventRequest {
			requests = append(requests, fmt.Sprintf("%s#%d", e.Op, e.Attempt))
			assert.NotContains(t, e.Scope, rm.KMS().Token())
		}
	}
	assert.Equal(t, []string{"CloudService.List#1", "CloudService.List#2", "FolderService.List#1"}, requests)
}

// TestMergeOfFleetsResumesByFleetName: a Fleet is named by what it
// discovered, so that a kms.Merge of two clouds' fleets resumes each by
// name: a cursor made while a folder of one was denied, resumed over a
// Merge of the other alone, lists none of the other's keys again and
// reports the first gone.
func TestMergeOfFleetsResumesByFleetName(t *testing.T) {
	rm, sdk := setupCloud(t, []emu.Option{emu.WithGenerated(3, 3)},
		emu.WithCloud("", testCloud, emu.FolderID(0), emu.FolderID(1)),
		emu.WithCloud("", testCloud2, emu.FolderID(2)))
	rm.DenyFolder(emu.FolderID(1))
	one, two := discoverCloud(t, sdk, testCloud), discoverCloud(t, sdk, testCloud2)
	assert.Equal(t, "cloud/"+testCloud, one.Scope())
	it := kms.Merge(one, two).ListKeys(context.Background(), kms.ListOptions{})
	first, err := pagination.Collect(it)
	require.ErrorIs(t, err, kms.ErrPermissionDenied)
	require.Len(t, first, 6, "folders 0 and 2")

	rest, err := pagination.Collect(kms.Merge(discoverCloud(t, sdk, testCloud2)).ListKeys(context.Background(), kms.ListOptions{Cursor: it.Cursor()}))
	assert.ErrorIs(t, err, pagination.ErrScopeGone, "the first cloud's fleet, with its denied folder, is gone")
	assert.Empty(t, rest, "the second cloud's keys were all listed before")
}
