package yandexkmstest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	kmspb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1"
	rmpb "github.com/yandex-cloud/go-genproto/yandex/cloud/resourcemanager/v1"
	ycsdk "github.com/yandex-cloud/go-sdk"
	"google.golang.org/grpc/codes"

	emu "github.com/multikms/multikms/providers/yandexkms/yandexkmstest"
)

// startRM runs a KMS server, a ResourceManager beside it and an SDK
// pointed at the ResourceManager, all stopped at cleanup.
func startRM(t *testing.T, kmsOpts []emu.Option, opts ...emu.ResourceOption) (*emu.ResourceManager, *ycsdk.SDK) {
	t.Helper()
	srv, err := emu.Start(kmsOpts...)
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	rm, err := emu.StartResourceManager(srv, opts...)
	require.NoError(t, err)
	t.Cleanup(rm.Close)
	sdk, err := ycsdk.Build(context.Background(), rm.SDKConfig())
	require.NoError(t, err)
	t.Cleanup(func() { _ = sdk.Shutdown(context.Background()) })
	return rm, sdk
}

// folderIDs pages FolderService.List of cloud through the SDK with pageSize.
func folderIDs(t *testing.T, sdk *ycsdk.SDK, cloud string, pageSize int64) (ids []string, pages int) {
	t.Helper()
	req := &rmpb.ListFoldersRequest{CloudId: cloud, PageSize: pageSize}
	for {
		resp, err := sdk.ResourceManager().Folder().List(context.Background(), req)
		require.NoError(t, err)
		pages++
		for _, f := range resp.Folders {
			ids = append(ids, f.Id)
			assert.Equal(t, cloud, f.CloudId)
		}
		if resp.NextPageToken == "" {
			return ids, pages
		}
		assert.LessOrEqual(t, len(resp.NextPageToken), emu.MaxResourcePageToken)
		req.PageToken = resp.NextPageToken
	}
}

func TestFolderListPagesInIDOrder(t *testing.T) {
	rm, sdk := startRM(t, nil, emu.WithGeneratedCloud("org1", "cloud1", 7), emu.WithCloud("org1", "cloud2", "zzz"))
	ids, pages := folderIDs(t, sdk, "cloud1", 3)
	require.Len(t, ids, 7)
	assert.Equal(t, 3, pages)
	for i, id := range ids {
		assert.Equal(t, emu.FolderID(i), id)
	}
	assert.Equal(t, int64(3), rm.Requests(emu.MethodFolderList))

	// The default page size is 100; 0 asks for it.
	rm2, sdk2 := startRM(t, nil, emu.WithGeneratedCloud("", "c", 250))
	ids, pages = folderIDs(t, sdk2, "c", 0)
	assert.Len(t, ids, 250)
	assert.Equal(t, 3, pages)
	assert.Equal(t, int64(3), rm2.Requests(emu.MethodFolderList))
}

func TestFolderListKeysetSurvivesChanges(t *testing.T) {
	rm, sdk := startRM(t, nil, emu.WithCloud("", "c", "f1", "f2", "f3", "f4"))
	ctx := context.Background()
	resp, err := sdk.ResourceManager().Folder().List(ctx, &rmpb.ListFoldersRequest{CloudId: "c", PageSize: 2})
	require.NoError(t, err)
	require.Len(t, resp.Folders, 2)
	rm.RemoveFolder("f1")
	rm.AddFolder("c", "f0")
	rm.AddFolder("c", "f5")
	resp, err = sdk.ResourceManager().Folder().List(ctx, &rmpb.ListFoldersRequest{CloudId: "c", PageSize: 10, PageToken: resp.NextPageToken})
	require.NoError(t, err)
	var ids []string
	for _, f := range resp.Folders {
		ids = append(ids, f.Id)
	}
	assert.Equal(t, []string{"f3", "f4", "f5"}, ids, "after f2, whatever changed before it")
}

func TestFolderStatusesAndDenials(t *testing.T) {
	rm, sdk := startRM(t, []emu.Option{emu.WithGenerated(2, 3)},
		emu.WithGeneratedCloud("", "c", 2), emu.WithCloud("", "d", "x"))
	ctx := context.Background()
	rm.SetFolderStatus(emu.FolderID(1), rmpb.Folder_PENDING_DELETION)
	resp, err := sdk.ResourceManager().Folder().List(ctx, &rmpb.ListFoldersRequest{CloudId: "c"})
	require.NoError(t, err)
	require.Len(t, resp.Folders, 2)
	assert.Equal(t, rmpb.Folder_ACTIVE, resp.Folders[0].Status)
	assert.Equal(t, rmpb.Folder_PENDING_DELETION, resp.Folders[1].Status)

	rm.DenyCloud("d")
	_, err = sdk.ResourceManager().Folder().List(ctx, &rmpb.ListFoldersRequest{CloudId: "d"})
	assert.Equal(t, codes.PermissionDenied, code(err))
	_, err = sdk.ResourceManager().Folder().List(ctx, &rmpb.ListFoldersRequest{CloudId: "nosuchcloud"})
	assert.Equal(t, codes.PermissionDenied, code(err))

	// KMS through the ResourceManager: the Server's keys and counts, and a denied folder.
	keys, err := sdk.KMS().SymmetricKey().List(ctx, &kmspb.ListSymmetricKeysRequest{FolderId: emu.FolderID(0)})
	require.NoError(t, err)
	assert.Len(t, keys.Keys, 1)
	rm.DenyFolder(emu.FolderID(0))
	_, err = sdk.KMS().SymmetricKey().List(ctx, &kmspb.ListSymmetricKeysRequest{FolderId: emu.FolderID(0)})
	assert.Equal(t, codes.PermissionDenied, code(err))
	_, err = sdk.KMS().SymmetricKey().List(ctx, &kmspb.ListSymmetricKeysRequest{FolderId: emu.FolderID(1)})
	assert.NoError(t, err)
	assert.Equal(t, int64(3), rm.KMS().Requests(emu.MethodSymmetricList))
}

func TestCloudListByOrganization(t *testing.T) {
	rm, sdk := startRM(t, nil, emu.WithCloud("org1", "b", "f1"), emu.WithCloud("org1", "a"), emu.WithCloud("org2", "c"))
	ctx := context.Background()
	resp, err := sdk.ResourceManager().Cloud().List(ctx, &rmpb.ListCloudsRequest{OrganizationId: "org1", PageSize: 1})
	require.NoError(t, err)
	require.Len(t, resp.Clouds, 1)
	assert.Equal(t, "a", resp.Clouds[0].Id)
	resp, err = sdk.ResourceManager().Cloud().List(ctx, &rmpb.ListCloudsRequest{OrganizationId: "org1", PageSize: 1, PageToken: resp.NextPageToken})
	require.NoError(t, err)
	require.Len(t, resp.Clouds, 1)
	assert.Equal(t, "b", resp.Clouds[0].Id)
	assert.Empty(t, resp.NextPageToken)
	all, err := sdk.ResourceManager().Cloud().List(ctx, &rmpb.ListCloudsRequest{})
	require.NoError(t, err)
	assert.Len(t, all.Clouds, 3)
	assert.Equal(t, int64(3), rm.Requests(emu.MethodCloudList))
}

func TestResourceManagerRefusesBadRequests(t *testing.T) {
	rm, sdk := startRM(t, nil, emu.WithCloud("o", "c", "f"), emu.WithCloud("o", "d"))
	ctx := context.Background()
	first, err := sdk.ResourceManager().Cloud().List(ctx, &rmpb.ListCloudsRequest{PageSize: 1})
	require.NoError(t, err)
	require.NotEmpty(t, first.NextPageToken)
	for name, call := range map[string]func() error{
		"no cloud_id": func() error {
			_, err := sdk.ResourceManager().Folder().List(ctx, &rmpb.ListFoldersRequest{})
			return err
		},
		"long cloud_id": func() error {
			_, err := sdk.ResourceManager().Folder().List(ctx, &rmpb.ListFoldersRequest{CloudId: strings.Repeat("a", 51)})
			return err
		},
		"page_size 1001": func() error {
			_, err := sdk.ResourceManager().Folder().List(ctx, &rmpb.ListFoldersRequest{CloudId: "c", PageSize: 1001})
			return err
		},
		"negative size": func() error {
			_, err := sdk.ResourceManager().Cloud().List(ctx, &rmpb.ListCloudsRequest{PageSize: -1})
			return err
		},
		"long token": func() error {
			_, err := sdk.ResourceManager().Cloud().List(ctx, &rmpb.ListCloudsRequest{PageToken: strings.Repeat("a", 2001)})
			return err
		},
		"forged token": func() error {
			_, err := sdk.ResourceManager().Folder().List(ctx, &rmpb.ListFoldersRequest{CloudId: "c", PageToken: "Zm9v"})
			return err
		},
		"other's token": func() error {
			_, err := sdk.ResourceManager().Folder().List(ctx, &rmpb.ListFoldersRequest{CloudId: "c", PageToken: first.NextPageToken})
			return err
		},
		"long org": func() error {
			_, err := sdk.ResourceManager().Cloud().List(ctx, &rmpb.ListCloudsRequest{OrganizationId: strings.Repeat("o", 51)})
			return err
		},
		"long filter": func() error {
			_, err := sdk.ResourceManager().Cloud().List(ctx, &rmpb.ListCloudsRequest{Filter: strings.Repeat("f", 1001)})
			return err
		},
	} {
		assert.Equal(t, codes.InvalidArgument, code(call()), name)
	}

	bad, err := ycsdk.Build(ctx, ycsdk.Config{Credentials: ycsdk.NewIAMTokenCredentials("wrong"), Endpoint: rm.Addr(), Plaintext: true, DialContextTimeout: -1})
	require.NoError(t, err)
	defer func() { _ = bad.Shutdown(ctx) }()
	_, err = bad.ResourceManager().Cloud().List(ctx, &rmpb.ListCloudsRequest{})
	assert.Equal(t, codes.Unauthenticated, code(err))

	rm.FailNext(codes.Unavailable, 1)
	_, err = sdk.ResourceManager().Cloud().List(ctx, &rmpb.ListCloudsRequest{})
	assert.Equal(t, codes.Unavailable, code(err))
	_, err = sdk.ResourceManager().Cloud().List(ctx, &rmpb.ListCloudsRequest{})
	assert.NoError(t, err)
}

func TestStartDemoCloud(t *testing.T) {
	rm, err := emu.StartDemoCloud()
	require.NoError(t, err)
	defer rm.Close()
	sdk, err := ycsdk.Build(context.Background(), rm.SDKConfig())
	require.NoError(t, err)
	defer func() { _ = sdk.Shutdown(context.Background()) }()
	clouds, err := sdk.ResourceManager().Cloud().List(context.Background(), &rmpb.ListCloudsRequest{OrganizationId: emu.DemoOrganizationID})
	require.NoError(t, err)
	assert.Len(t, clouds.Clouds, 2)
	ids, _ := folderIDs(t, sdk, emu.DemoDevCloudID, 0)
	assert.Equal(t, []string{emu.DemoDevFolderID, emu.DemoDeletedFolderID}, ids)
	keys, err := sdk.KMS().SymmetricKey().List(context.Background(), &kmspb.ListSymmetricKeysRequest{FolderId: emu.DemoStagingFolderID})
	require.NoError(t, err)
	assert.Len(t, keys.Keys, 1)
}

// TestRemovedFolderIsGoneEverywhere: a removed folder is no longer listed,
// its KMS calls are denied as the cloud denies a folder that does not
// exist, and adding it back serves its keys again.
func TestRemovedFolderIsGoneEverywhere(t *testing.T) {
	rm, sdk := startRM(t, []emu.Option{emu.WithGenerated(2, 3)}, emu.WithGeneratedCloud("", "c", 2))
	ctx := context.Background()
	rm.RemoveFolder(emu.FolderID(1))
	resp, err := sdk.ResourceManager().Folder().List(ctx, &rmpb.ListFoldersRequest{CloudId: "c"})
	require.NoError(t, err)
	require.Len(t, resp.Folders, 1)
	assert.Equal(t, emu.FolderID(0), resp.Folders[0].Id)

	_, err = sdk.KMS().SymmetricKey().List(ctx, &kmspb.ListSymmetricKeysRequest{FolderId: emu.FolderID(1)})
	assert.Equal(t, codes.PermissionDenied, code(err))
	assert.Contains(t, err.Error(), "Permission denied to folder "+emu.FolderID(1))
	assert.Equal(t, int64(1), rm.FolderRequests(emu.FolderID(1)))

	rm.AddFolder("c", emu.FolderID(1))
	keys, err := sdk.KMS().SymmetricKey().List(ctx, &kmspb.ListSymmetricKeysRequest{FolderId: emu.FolderID(1)})
	require.NoError(t, err)
	assert.Len(t, keys.Keys, 1)
}
