package alibabakms_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
	"github.com/multikms/multikms/providers/alibabakms"
	emu "github.com/multikms/multikms/providers/alibabakms/alibabakmstest"
)

// fleetKeys are n plain keys of region r, in list order, each with two versions.
func fleetKeys(r string, n int) []emu.Key {
	keys := make([]emu.Key, n)
	for i := range keys {
		created := time.Date(2025, 1, 1+i, 0, 0, 0, 0, time.UTC)
		id := fmt.Sprintf("key-%s-%04d", r, i)
		keys[i] = emu.Key{ID: id, State: "Enabled", Spec: "Aliyun_AES_256",
			Usage: "ENCRYPT/DECRYPT", Protection: "SOFTWARE", Origin: "Aliyun_KMS", Creator: emu.DefaultAccount,
			CreatorType: "User", CreatedAt: created, AutomaticRotation: "Disabled",
			Versions: []emu.Version{{ID: id + "-v1", CreatedAt: created}, {ID: id + "-v2", CreatedAt: created.Add(time.Hour)}}}
	}
	return keys
}

// TestFleetConcurrentConformance runs kmstest's fleet cases on a
// discovered fleet listed concurrently: four regions with their own keys
// and counts. A test's resume rounds make fresh Fleets (other processes)
// over the one Cloud of the test: the regions' cursors are bound to the
// endpoint.
func TestFleetConcurrentConformance(t *testing.T) {
	sizes := map[string]int{"ap-northeast-1": 4, "cn-beijing": 7, "cn-hangzhou": 3, "eu-central-1": 5}
	names := []string{"ap-northeast-1", "cn-beijing", "cn-hangzhou", "eu-central-1"} // scope order
	var mu sync.Mutex
	clouds := map[*testing.T]*emu.Cloud{}
	kmstest.RunFleetConformance(t, kmstest.FleetHarness{
		Setup: func(t *testing.T, failScope int) kmstest.FleetFixture {
			mu.Lock()
			c := clouds[t]
			if c == nil {
				var opts []emu.CloudOption
				for r, n := range sizes {
					opts = append(opts, emu.WithCloudRegion(r, emu.WithKeys(fleetKeys(r, n)...), emu.WithReadQuota(1e6, 1e6)))
				}
				c = emu.NewCloud(opts...)
				clouds[t] = c
				t.Cleanup(c.Close)
			}
			mu.Unlock()
			f := cloudFleet(t, c, alibabakms.Discovery{Regions: every})
			fx := kmstest.FleetFixture{Lister: f, MaxPageSize: alibabakms.MaxPageSize, PerScope: 2, PerKey: 2}
			for i, r := range names {
				var keys []kms.Key
				for _, k := range fleetKeys(r, sizes[r]) {
					keys = append(keys, kms.Key{ID: k.ID})
				}
				s := c.Region(r)
				fx.Scopes = append(fx.Scopes, kmstest.FleetScope{Name: "alibaba/" + r, Keys: keys, Requests: s.Requests})
				if i == failScope {
					c.FailRegion(r, 1, 1) // its second request fails for good, then it mends
				}
			}
			return fx
		},
		LeakOptions: leakOptions,
	})
}
