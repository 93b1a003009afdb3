package yandexkms_test

import (
	"sync"
	"testing"

	kmspb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1"
	ycsdk "github.com/yandex-cloud/go-sdk"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
	"github.com/multikms/multikms/providers/yandexkms"
	emu "github.com/multikms/multikms/providers/yandexkms/yandexkmstest"
)

// TestFleetConcurrentConformance runs kmstest's fleet cases on a
// discovered fleet listed concurrently: four folders of 7 keys. A test's
// resume rounds make fresh Fleets (other processes) over the one server
// of the test: page tokens are the server's own.
func TestFleetConcurrentConformance(t *testing.T) {
	const folders, perFolder = 4, 7
	var mu sync.Mutex
	type cloud struct {
		rm  *emu.ResourceManager
		sdk *ycsdk.SDK
	}
	clouds := map[*testing.T]cloud{}
	kmstest.RunFleetConformance(t, kmstest.FleetHarness{
		Setup: func(t *testing.T, failScope int) kmstest.FleetFixture {
			mu.Lock()
			c, ok := clouds[t]
			if !ok {
				// The first key listed gets a second version, for the suite's
				// version cursor.
				extra := emu.WithVersions(emu.KeyID(0, 0), &kmspb.SymmetricKeyVersion{Id: "abjextraversion00001", KeyId: emu.KeyID(0, 0),
					Status: kmspb.SymmetricKeyVersion_ACTIVE})
				rm, sdk := setupCloud(t, []emu.Option{emu.WithGenerated(folders, perFolder), extra}, emu.WithGeneratedCloud("", testCloud, folders))
				warm(t, sdk)
				c = cloud{rm, sdk}
				clouds[t] = c
			}
			mu.Unlock()
			f := discoverCloud(t, c.sdk, testCloud)
			fx := kmstest.FleetFixture{Lister: f, MaxPageSize: yandexkms.MaxPageSize, PerScope: 6}
			for i := range folders {
				folder := emu.FolderID(i)
				var keys []kms.Key
				for kind := range 3 { // symmetric, then asymmetric encryption, then signature
					for j := kind; j < perFolder; j += 3 {
						keys = append(keys, kms.Key{ID: emu.KeyID(i, j)})
					}
				}
				fx.Scopes = append(fx.Scopes, kmstest.FleetScope{Name: "yandex/" + testCloud + "/" + folder, Keys: keys,
					Requests: func() int { return int(c.rm.FolderRequests(folder)) }})
				if i == failScope {
					c.rm.FailFolder(folder, 1, 1) // its second request fails for good, then it mends
				}
			}
			return fx
		},
	})
}
