package awskms_test

import (
	"fmt"
	"testing"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
	"github.com/multikms/multikms/providers/awskms"
	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

// TestFleetRunFleetConformance runs the fleet cases on a discovered fleet
// of an organization: two accounts, every enabled Region (four scopes of
// four keys). One Cloud per subtest, so that the fresh Fleets of a resume
// chain reach the same endpoint (a scope's cursor is bound to it).
func TestFleetRunFleetConformance(t *testing.T) {
	clouds := map[*testing.T]*awskmstest.Cloud{}
	kmstest.RunFleetConformance(t, kmstest.FleetHarness{
		LeakOptions: httpLeaks,
		Setup: func(t *testing.T, failScope int) kmstest.FleetFixture {
			type scope struct{ account, region string }
			scopes := []scope{{mgmt, "eu-west-1"}, {mgmt, "us-east-1"}, {member1, "ap-south-1"}, {member1, "eu-west-1"}}
			c := clouds[t]
			if c == nil {
				// The first key of the first scope has two versions (the
				// suite lists them one at a time).
				first := func(region string, keys []awskmstest.Key) {
					if region == "eu-west-1" {
						keys[0], keys[1] = keys[1], keys[0]
					}
				}
				mgmtAccount := awskmstest.CloudAccount{ID: mgmt, Regions: []string{"us-east-1", "eu-west-1"}, Keys: 4, Edit: first}
				if failScope >= 0 {
					// Scope failScope's second request is denied, once: it
					// fails for good (not retried), then mends.
					sc := scopes[failScope]
					if sc.account != mgmt {
						t.Fatalf("this fixture fails a scope of %s only, asked %d", mgmt, failScope)
					}
					mgmtAccount.RegionOptions = map[string][]awskmstest.Option{sc.region: {
						awskmstest.WithFault(awskmstest.Fault{Every: 2, Count: 1, Type: "AccessDeniedException"})}}
				}
				c = cloud(t, awskmstest.WithCloudAccounts(mgmtAccount,
					awskmstest.CloudAccount{ID: member1, Regions: []string{"ap-south-1", "eu-west-1"}, Keys: 4}))
				clouds[t] = c
			}
			f := fleet(t, c, awskms.WithOrganization("*"), awskms.WithRegions("*"), awskms.WithPrefetch(0))
			fx := kmstest.FleetFixture{Lister: f, MaxPageSize: awskms.MaxPageSize, PerScope: 2, PerKey: 1}
			for _, sc := range scopes {
				s := c.Server(sc.account, sc.region)
				fs := kmstest.FleetScope{Name: fmt.Sprintf("aws/%s/%s", sc.account, sc.region), Requests: s.TotalRequests}
				for _, k := range s.Keys() {
					fs.Keys = append(fs.Keys, kms.Key{ID: k.ID})
				}
				fx.Scopes = append(fx.Scopes, fs)
			}
			return fx
		},
	})
}
