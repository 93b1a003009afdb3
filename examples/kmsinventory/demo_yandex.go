package main

import (
	"context"

	ycsdk "github.com/yandex-cloud/go-sdk"

	"github.com/multikms/multikms/providers/yandexkms"
	"github.com/multikms/multikms/providers/yandexkms/yandexkmstest"
)

// demoYandexFolders is the number of generated folders of the Yandex Cloud
// part of the demo fleet, besides yandexkmstest.DemoFolderID (its demo keys of
// the three kinds); each holds demoYandexKeys generated keys.
const (
	demoYandexFolders = 2
	demoYandexKeys    = 3
)

// startDemoYandex starts the Yandex Cloud test server (gRPC on loopback,
// one server for every folder, as the cloud has one API endpoint) and a
// yandexkms Lister per folder over one real go-sdk SDK.
func startDemoYandex(ctx context.Context, _ demoKnobs) (demoCloud, error) {
	srv, err := yandexkmstest.Start(yandexkmstest.WithDemoKeys(),
		yandexkmstest.WithGenerated(demoYandexFolders, demoYandexKeys))
	if err != nil {
		return demoCloud{}, err
	}
	sdk, err := ycsdk.Build(ctx, srv.SDKConfig())
	if err != nil {
		srv.Close()
		return demoCloud{}, err
	}
	c := demoCloud{
		requests: func() int { return int(srv.TotalRequests()) },
		stop: func() {
			_ = sdk.Shutdown(context.Background())
			srv.Close()
		},
	}
	folders := []string{yandexkmstest.DemoFolderID}
	for i := range demoYandexFolders {
		folders = append(folders, yandexkmstest.FolderID(i))
	}
	for _, f := range folders {
		c.scopes = append(c.scopes, demoScope{name: "yandex/" + f, lister: yandexkms.New(sdk, f)})
	}
	return c, nil
}
