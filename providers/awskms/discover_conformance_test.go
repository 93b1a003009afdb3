package awskms_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
	"github.com/multikms/multikms/providers/awskms"
	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

// TestFleetConformance runs the suite on a discovered fleet: an
// organization of two accounts, every enabled Region of each (two), four
// keys a scope, each account reached through its member role. One scope at
// a time, so that the list order is the scopes' order.
func TestFleetConformance(t *testing.T) {
	kmstest.RunConformance(t, kmstest.Harness{
		LeakOptions: httpLeaks,
		Setup: func(t *testing.T) kmstest.Fixture {
			withPolicy := func(region string, keys []awskmstest.Key) {
				for i := range keys {
					keys[i].Policy = fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",`+
						`"Principal":{"AWS":"arn:aws:iam::111122223333:role/%s-%d"},"Action":["kms:Decrypt"],"Resource":"*"}]}`, region, i)
				}
			}
			c := cloud(t, awskmstest.WithCloudAccounts(
				awskmstest.CloudAccount{ID: mgmt, Regions: []string{"us-east-1", "eu-west-1"}, Keys: 4, Edit: withPolicy},
				awskmstest.CloudAccount{ID: member1, Regions: []string{"ap-south-1", "eu-west-1"}, Keys: 4, Edit: withPolicy},
			))
			// Count requests as the client sends them: the Cloud counts them
			// on arrival, after a stopped listing's prefetch may have sent one.
			sent := &countingClient{next: c.Config().HTTPClient}
			f := fleet(t, c, awskms.WithOrganization(c.OrganizationID()), awskms.WithRegions("*"), awskms.WithScopeConcurrency(1),
				awskms.WithLoadOptions(config.WithHTTPClient(sent)))
			fx := kmstest.Fixture{
				Lister:        f,
				Versions:      map[string][]kms.KeyVersion{},
				MissingKeyRef: "0d990263-018e-4e65-a703-eff731de951e",
				MaxPageSize:   awskms.MaxPageSize,
				Requests:      func() int { return int(sent.n.Load()) },
				Extras:        kms.IncludeTags | kms.IncludeRotation | kms.IncludePolicy | kms.IncludeAccess,
			}
			for _, a := range []string{mgmt, member1} {
				for _, r := range []string{"ap-south-1", "eu-west-1", "us-east-1"} { // sorted, as the scopes are
					if s := c.Server(a, r); s != nil {
						for _, k := range s.Keys() {
							fx.Keys = append(fx.Keys, want(s, k))
							if len(k.Materials) > 0 {
								fx.Versions[k.ID] = wantVersions(k)
							}
						}
					}
				}
			}
			return fx
		},
	})
}
