package alibabakms_test

import (
	"context"
	"errors"
	"fmt"
	"os"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
	"github.com/multikms/multikms/providers/alibabakms"
	"github.com/multikms/multikms/providers/alibabakms/alibabakmstest"
)

// exampleServer starts a test server with the demo keys.
func exampleServer() *alibabakmstest.Server {
	return alibabakmstest.New(alibabakmstest.WithKeys(alibabakmstest.DemoKeys(alibabakmstest.DefaultAccount)...))
}

// Open a Lister from a URL: the region and endpoint come from it, the
// credentials from the SDK's chain (here the environment).
func Example_open() {
	srv := exampleServer()
	defer srv.Close()
	id, secret := srv.AccessKey()
	os.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", id)
	os.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", secret)
	defer os.Unsetenv("ALIBABA_CLOUD_ACCESS_KEY_ID")
	defer os.Unsetenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET")

	lister, err := kms.Open(context.Background(), "alibabakms://?region="+srv.Region()+"&endpoint="+srv.URL()+"&rate=20")
	if err != nil {
		panic(err)
	}
	defer lister.Close()
	keys, err := pagination.Collect(lister.ListKeys(context.Background(), kms.ListOptions{
		Filter: kms.Filter{States: []kms.KeyState{kms.StateDisabled}},
	}))
	if err != nil {
		panic(err)
	}
	for _, k := range keys {
		fmt.Println(k.ID, k.Region)
	}
	// Output:
	// key-hzz630494460003 cn-hangzhou
	// key-hzz630494460010 cn-hangzhou
}

// New wraps the caller's own SDK client.
func ExampleNew() {
	srv := exampleServer()
	defer srv.Close()
	client, err := srv.Client() // an *alikms.Client, as alikms.NewClientWithOptions makes
	if err != nil {
		panic(err)
	}
	lister := alibabakms.New(client, alibabakms.WithConcurrency(6))
	defer lister.Close() // the client stays usable
	it := lister.ListKeys(context.Background(), kms.ListOptions{PageSize: 5, MaxItems: 3})
	for k, err := range it.All() {
		if err != nil {
			panic(err)
		}
		fmt.Println(k.ID)
	}
	// Output:
	// key-hzz630494460001
	// key-hzz630494460002
	// key-hzz630494460003
}

func ExampleLister_DescribeKey() {
	srv := exampleServer()
	defer srv.Close()
	client, _ := srv.Client()
	lister := alibabakms.New(client)
	defer lister.Close()
	k, err := lister.DescribeKey(context.Background(), "alias/app-data")
	if err != nil {
		panic(err)
	}
	fmt.Println(k.ID, k.State, k.Spec, k.AutomaticRotation, k.RotationPeriod)
	fmt.Println(k.Aliases)
	// Output:
	// key-hzz630494460001 Enabled Aliyun_AES_256 Enabled 8760h0m0s
	// [alias/app-data alias/app-data-backup]
}

func ExampleLister_ListKeyVersions() {
	srv := exampleServer()
	defer srv.Close()
	client, _ := srv.Client()
	lister := alibabakms.New(client)
	defer lister.Close()
	versions, err := pagination.Collect(lister.ListKeyVersions(context.Background(), "key-hzz630494460002", kms.ListOptions{}))
	if err != nil {
		panic(err)
	}
	for _, v := range versions {
		fmt.Println(v.ID, v.Primary, v.CreatedAt.Format("2006-01-02"))
	}
	// Output:
	// key-hzz630494460002-v1 false 2024-03-01
	// key-hzz630494460002-v2 false 2024-03-02
	// key-hzz630494460002-v3 true 2024-03-03
}

// The native error stays reachable with errors.As: here the SDK's
// ServerError of a key that does not exist.
func Example_nativeError() {
	srv := exampleServer()
	defer srv.Close()
	client, _ := srv.Client()
	lister := alibabakms.New(client)
	defer lister.Close()
	_, err := lister.DescribeKey(context.Background(), "alias/no-such-key")
	var se *sdkerrors.ServerError
	if errors.As(err, &se) {
		fmt.Println(se.HttpStatus(), se.ErrorCode())
	}
	fmt.Println(errors.Is(err, kms.ErrNotFound))
	// Output:
	// 404 Forbidden.KeyNotFound
	// true
}
