package alibabakmstest_test

import (
	"context"
	"fmt"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
	"github.com/multikms/multikms/providers/alibabakms"
	"github.com/multikms/multikms/providers/alibabakms/alibabakmstest"
)

// A user's integration test: the server holds two keys, the real SDK
// client reaches it over loopback HTTP, and the adapter lists them: one
// ListKeys page, two DescribeKey and one account-wide ListAliases.
func Example() {
	srv := alibabakmstest.New(alibabakmstest.WithKeys(
		alibabakmstest.Key{ID: "key-app-0001", State: "Enabled", Spec: "Aliyun_AES_256", Usage: "ENCRYPT/DECRYPT", Aliases: []string{"alias/app"}},
		alibabakmstest.Key{ID: "key-app-0002", State: "Disabled", Spec: "RSA_2048", Usage: "SIGN/VERIFY"},
	))
	defer srv.Close()
	client, err := srv.Client()
	if err != nil {
		panic(err)
	}
	lister := alibabakms.New(client)
	defer lister.Close()

	keys, err := pagination.Collect(lister.ListKeys(context.Background(), kms.ListOptions{Detail: kms.DetailFull}))
	if err != nil {
		panic(err)
	}
	for _, k := range keys {
		fmt.Println(k.ID, k.State, k.Kind, k.Aliases)
	}
	fmt.Println("requests:", srv.Requests())
	// Output:
	// key-app-0001 Enabled Symmetric [alias/app]
	// key-app-0002 Disabled AsymmetricSignature []
	// requests: 4
}
