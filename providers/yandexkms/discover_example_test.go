package yandexkms_test

import (
	"context"
	"fmt"
	"slices"
	"strings"

	ycsdk "github.com/yandex-cloud/go-sdk"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
	"github.com/multikms/multikms/providers/yandexkms"
	"github.com/multikms/multikms/providers/yandexkms/yandexkmstest"
)

// Discover lists every active folder of every cloud of an organization,
// here the demo organization of yandexkmstest; its keys carry their folder
// and cloud. Each cloud is a scope of its own too, of no keys.
func ExampleDiscover() {
	ctx := context.Background()
	rm, err := yandexkmstest.StartDemoCloud()
	if err != nil {
		panic(err)
	}
	defer rm.Close()
	sdk, err := ycsdk.Build(ctx, rm.SDKConfig())
	if err != nil {
		panic(err)
	}
	defer func() { _ = sdk.Shutdown(ctx) }()

	fleet, err := yandexkms.Discover(ctx, sdk, yandexkms.Discovery{OrganizationID: yandexkmstest.DemoOrganizationID})
	if err != nil {
		panic(err)
	}
	fmt.Println(strings.Join(fleet.Scopes(), "\n"))
	keys, err := pagination.Collect(fleet.ListKeys(ctx, kms.ListOptions{}))
	if err != nil {
		panic(err)
	}
	slices.SortFunc(keys, func(a, b kms.Key) int { return strings.Compare(a.ID, b.ID) }) // scopes interleave
	for _, k := range keys {
		fmt.Println(k.CloudID, k.FolderID, k.Name)
	}
	// Output:
	// b1gdemo0cloud0dev001
	// b1gdemo0cloud0dev001/b1gdemo0kms0folder03
	// b1gdemo0cloud0prod01
	// b1gdemo0cloud0prod01/b1gdemo0kms0folder01
	// b1gdemo0cloud0prod01/b1gdemo0kms0folder02
	// b1gdemo0cloud0prod01 b1gdemo0kms0folder01 backups
	// b1gdemo0cloud0dev001 b1gdemo0kms0folder03 dev-scratch
	// b1gdemo0cloud0prod01 b1gdemo0kms0folder01 documents
	// b1gdemo0cloud0prod01 b1gdemo0kms0folder01 payments
	// b1gdemo0cloud0prod01 b1gdemo0kms0folder01 release-signing
	// b1gdemo0cloud0prod01 b1gdemo0kms0folder02 staging-payments
}
