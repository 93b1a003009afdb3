package yandexkmstest

import (
	"time"

	kmspb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1"
	rmpb "github.com/yandex-cloud/go-genproto/yandex/cloud/resourcemanager/v1"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// The demo organization StartDemoCloud serves: two clouds, prod holding
// DemoFolderID (WithDemoKeys) and DemoStagingFolderID, dev holding
// DemoDevFolderID and DemoDeletedFolderID (PENDING_DELETION, so that
// discovery leaves it out).
const (
	DemoOrganizationID  = "bpfdemo0organization"
	DemoCloudID         = "b1gdemo0cloud0prod01"
	DemoDevCloudID      = "b1gdemo0cloud0dev001"
	DemoStagingFolderID = "b1gdemo0kms0folder02"
	DemoDevFolderID     = "b1gdemo0kms0folder03"
	DemoDeletedFolderID = "b1gdemo0kms0folder04"
)

// WithGeneratedCloud adds cloud cloudID of organization orgID holding the
// ACTIVE folders FolderID(0) .. FolderID(folders-1), the folders
// WithGenerated seeds.
func WithGeneratedCloud(orgID, cloudID string, folders int) ResourceOption {
	ids := make([]string, folders)
	for i := range ids {
		ids[i] = FolderID(i)
	}
	return WithCloud(orgID, cloudID, ids...)
}

// StartDemoCloud starts a Server with WithDemoKeys, a key in each of the
// other demo folders and opts, and a ResourceManager beside it serving the
// demo organization (see DemoOrganizationID); closing the ResourceManager
// closes both. It is the demo fleet of the inventory program (examples/kmsinventory):
// yandexkms://?organization=bpfdemo0organization&endpoint=<URL> lists the
// keys of its three active folders.
func StartDemoCloud(opts ...Option) (*ResourceManager, error) {
	created := timestamppb.New(time.Date(2025, 11, 3, 10, 0, 0, 0, time.UTC))
	key := func(id, folder, name string) *kmspb.SymmetricKey {
		return &kmspb.SymmetricKey{Id: id, FolderId: folder, Name: name, CreatedAt: created,
			Labels: map[string]string{"env": "staging"}, Status: kmspb.SymmetricKey_ACTIVE,
			DefaultAlgorithm: kmspb.SymmetricAlgorithm_AES_256}
	}
	srv, err := Start(append([]Option{WithDemoKeys(), WithSymmetricKeys(
		key("abjdemo0staging000001", DemoStagingFolderID, "staging-payments"),
		key("abjdemo0dev000000001", DemoDevFolderID, "dev-scratch"),
	)}, opts...)...)
	if err != nil {
		return nil, err
	}
	rm, err := StartResourceManager(srv,
		WithCloud(DemoOrganizationID, DemoCloudID, DemoFolderID, DemoStagingFolderID),
		WithCloud(DemoOrganizationID, DemoDevCloudID, DemoDevFolderID),
		WithFolder(&rmpb.Folder{Id: DemoDeletedFolderID, CloudId: DemoDevCloudID, Name: "old", Status: rmpb.Folder_PENDING_DELETION}),
	)
	if err != nil {
		srv.Close()
		return nil, err
	}
	rm.own = true
	return rm, nil
}
