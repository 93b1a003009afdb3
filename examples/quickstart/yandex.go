package main

import (
	"context"

	ycsdk "github.com/yandex-cloud/go-sdk"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/providers/yandexkms"
	emulator "github.com/multikms/multikms/providers/yandexkms/yandexkmstest"
)

// The Yandex Cloud demo: the in-process test server (yandexkmstest) holding demo keys of
// the three kinds, listed through the real go-sdk by the yandexkms adapter.
func init() {
	demos = append(demos, demo{name: "yandex", start: startYandex})
}

func startYandex(ctx context.Context) (kms.Lister, func(), error) {
	srv, err := emulator.Start(emulator.WithDemoKeys())
	if err != nil {
		return nil, nil, err
	}
	sdk, err := ycsdk.Build(ctx, srv.SDKConfig())
	if err != nil {
		srv.Close()
		return nil, nil, err
	}
	stop := func() {
		_ = sdk.Shutdown(context.Background())
		srv.Close()
	}
	return yandexkms.New(sdk, emulator.DemoFolderID), stop, nil
}
