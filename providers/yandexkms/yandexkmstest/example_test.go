package yandexkmstest_test

import (
	"context"
	"fmt"

	kmspb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1"
	ycsdk "github.com/yandex-cloud/go-sdk"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/providers/yandexkms"
	"github.com/multikms/multikms/providers/yandexkms/yandexkmstest"
)

// A user's integration test: start the server with the keys the code under
// test should find, reach it through the real SDK, and check what the code
// makes of it. Here the code under test is a listing through yandexkms.
func Example() {
	srv, err := yandexkmstest.Start(yandexkmstest.WithSymmetricKeys(
		&kmspb.SymmetricKey{Id: "abjpayments000000001", FolderId: "b1gshop0000000000001", Name: "payments",
			Status: kmspb.SymmetricKey_ACTIVE, DefaultAlgorithm: kmspb.SymmetricAlgorithm_AES_256},
		&kmspb.SymmetricKey{Id: "abjbackups0000000001", FolderId: "b1gshop0000000000001", Name: "backups",
			Status: kmspb.SymmetricKey_INACTIVE, DefaultAlgorithm: kmspb.SymmetricAlgorithm_AES_256_HSM},
	))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	ctx := context.Background()
	sdk, err := ycsdk.Build(ctx, srv.SDKConfig())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sdk.Shutdown(ctx)

	l := yandexkms.New(sdk, "b1gshop0000000000001")
	for k, err := range l.ListKeys(ctx, kms.ListOptions{}).All() {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(k.ID, k.Name, k.State, k.Protection)
	}
	fmt.Println("List requests:", srv.Requests(yandexkmstest.MethodSymmetricList))
	// Output:
	// abjpayments000000001 payments Enabled Software
	// abjbackups0000000001 backups Disabled HSM
	// List requests: 1
}
