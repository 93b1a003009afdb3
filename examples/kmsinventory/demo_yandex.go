package main

import (
	"context"
	"strings"

	ycsdk "github.com/yandex-cloud/go-sdk"

	"github.com/multikms/multikms/providers/yandexkms"
	"github.com/multikms/multikms/providers/yandexkms/yandexkmstest"
)

// startDemoYandex starts yandexkmstest.StartDemoCloud, an organization of
// two clouds and three active folders (a folder pending deletion left out),
// and discovers it as yandexkms://?organization=<id> would: a
// yandexkms.Fleet of one scope per folder, through one real go-sdk SDK over
// gRPC on loopback.
func startDemoYandex(ctx context.Context, k demoKnobs) (demoCloud, error) {
	rm, err := yandexkmstest.StartDemoCloud()
	if err != nil {
		return demoCloud{}, err
	}
	for name := range k.deny { // "yandex/<cloud>/<folder>"
		if p := strings.Split(name, "/"); len(p) == 3 && p[0] == "yandex" {
			rm.DenyFolder(p[2])
		}
	}
	sdk, err := ycsdk.Build(ctx, rm.SDKConfig())
	if err != nil {
		rm.Close()
		return demoCloud{}, err
	}
	stop := func() {
		_ = sdk.Shutdown(context.Background())
		rm.Close()
	}
	f, err := yandexkms.Discover(ctx, sdk, yandexkms.Discovery{OrganizationID: yandexkmstest.DemoOrganizationID})
	if err != nil {
		stop()
		return demoCloud{}, err
	}
	var names []string
	for _, s := range f.Scopes() {
		names = append(names, "yandex/"+s)
	}
	return demoCloud{
		listers:  []demoLister{{names: names, lister: f}},
		requests: func() int { return int(rm.KMS().TotalRequests()) },
		stop:     stop,
	}, nil
}
