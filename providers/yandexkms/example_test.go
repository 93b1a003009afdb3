package yandexkms_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"

	ycsdk "github.com/yandex-cloud/go-sdk"
	"google.golang.org/grpc/status"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
	"github.com/multikms/multikms/providers/yandexkms"
	"github.com/multikms/multikms/providers/yandexkms/yandexkmstest"
)

// demo starts a test server holding yandexkmstest's demo keys; stop it
// with the returned function.
func demo() (*yandexkmstest.Server, func()) {
	srv, err := yandexkmstest.Start(yandexkmstest.WithDemoKeys())
	if err != nil {
		panic(err)
	}
	return srv, srv.Close
}

// kms.Open with a yandexkms:// URL: the folder is the host; credentials
// come from the environment (here the test server's IAM token in
// YC_IAM_TOKEN), never from the URL. A real folder needs no endpoint.
func Example_open() {
	srv, stop := demo()
	defer stop()
	os.Setenv(yandexkms.EnvIAMToken, srv.Token())
	defer os.Unsetenv(yandexkms.EnvIAMToken)

	ctx := context.Background()
	l, err := kms.Open(ctx, "yandexkms://"+yandexkmstest.DemoFolderID+"?endpoint="+url.QueryEscape(srv.URL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer l.Close()
	for k, err := range l.ListKeys(ctx, kms.ListOptions{}).All() {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(k.Name, k.Kind, k.State, k.AutomaticRotation)
	}
	// Output:
	// payments Symmetric Enabled Enabled
	// backups Symmetric Disabled Disabled
	// documents AsymmetricEncryption Enabled Unsupported
	// release-signing AsymmetricSignature Enabled Unsupported
}

// New over your own SDK; the Lister leaves it to you to shut down.
func ExampleNew() {
	srv, stop := demo()
	defer stop()
	ctx := context.Background()
	sdk, err := ycsdk.Build(ctx, srv.SDKConfig()) // for the cloud: ycsdk.Config{Credentials: ...}
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sdk.Shutdown(ctx)

	l := yandexkms.New(sdk, yandexkmstest.DemoFolderID)
	keys, err := pagination.Collect(l.ListKeys(ctx, kms.ListOptions{Filter: kms.Filter{Usages: []kms.KeyUsage{kms.UsageSignVerify}}}))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, k := range keys {
		fmt.Println(k.ID, k.Name, k.Spec)
	}
	// Output:
	// abjdemo0releases00001 release-signing ECDSA_NIST_P256_SHA_256
}

func ExampleLister_DescribeKey() {
	srv, stop := demo()
	defer stop()
	ctx := context.Background()
	sdk, err := ycsdk.Build(ctx, srv.SDKConfig())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sdk.Shutdown(ctx)

	k, err := yandexkms.New(sdk, yandexkmstest.DemoFolderID).DescribeKey(ctx, "abjdemo0payments00001")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(k.Name, k.Detail, k.Labels["env"], k.RotationPeriod, k.NextRotationAt.Format("2006-01-02"))
	// Output:
	// payments full prod 8760h0m0s 2027-02-01
}

func ExampleLister_ListKeyVersions() {
	srv, stop := demo()
	defer stop()
	ctx := context.Background()
	sdk, err := ycsdk.Build(ctx, srv.SDKConfig())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sdk.Shutdown(ctx)

	l := yandexkms.New(sdk, yandexkmstest.DemoFolderID)
	for v, err := range l.ListKeyVersions(ctx, "abjdemo0payments00001", kms.ListOptions{}).All() {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(v.ID, v.State, v.Primary)
	}
	// Output:
	// abjdemo0payments0v001 PendingDeletion false
	// abjdemo0payments0v002 Enabled true
}

// Every error is a *kms.Error of a portable class; errors.As (or
// status.FromError) reaches the native gRPC status under it.
func Example_nativeError() {
	srv, stop := demo()
	defer stop()
	ctx := context.Background()
	sdk, err := ycsdk.Build(ctx, srv.SDKConfig())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sdk.Shutdown(ctx)

	_, err = yandexkms.New(sdk, yandexkmstest.DemoFolderID).DescribeKey(ctx, "abjnosuchkey00000001")
	var kerr *kms.Error
	if errors.As(err, &kerr) {
		fmt.Println(kerr.Provider, kerr.Op, errors.Is(err, kms.ErrNotFound))
	}
	var native interface{ GRPCStatus() *status.Status }
	if errors.As(err, &native) {
		fmt.Println(native.GRPCStatus().Code())
	}
	// Output:
	// yandex DescribeKey true
	// NotFound
}
