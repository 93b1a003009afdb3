package awskmstest

// The demo organization DemoCloud serves.
const (
	DemoOrganizationID  = "o-demo0org001"
	DemoManagement      = "111122223333" // us-east-1, eu-west-1, ap-northeast-1
	DemoMember          = "444455556666" // eu-west-1 and the opt-in af-south-1
	DemoSuspended       = "777788889999" // SUSPENDED: discovery leaves it out
	DemoDeniedKeyRegion = "eu-west-1"    // where one key of DemoManagement denies DescribeKey
)

// DemoCloud starts the demo fleet of the inventory program (examples/kmsinventory): an
// organization (DemoOrganizationID) of two active accounts over five
// Regions, 20 keys in all of every kind GenerateKeys makes, one of which
// (in DemoManagement's DemoDeniedKeyRegion) denies DescribeKey, and a
// suspended account. DemoManagement has no member role, as a management
// account has none: the fleet lists it with the caller's own credentials
// (Config's, DemoManagement's), the member through
// OrganizationAccountAccessRole. With the Cloud's credentials (Config) as
// the default chain's,
//
//	awskms://?organization=*&region=*&endpoint=<URL>
//
// lists it all. opts are applied after the demo's own; Close stops it.
func DemoCloud(opts ...CloudOption) *Cloud {
	denyOne := func(region string, keys []Key) {
		if region == DemoDeniedKeyRegion {
			keys[1].DenyDescribe = true
		}
	}
	return NewCloud(append([]CloudOption{
		WithOrganizationID(DemoOrganizationID),
		WithCloudAccounts(
			CloudAccount{ID: DemoManagement, Name: "management", Regions: []string{"us-east-1", "eu-west-1", "ap-northeast-1"}, Keys: 4, Edit: denyOne},
			CloudAccount{ID: DemoMember, Name: "workloads", Regions: []string{"eu-west-1", "af-south-1"}, Keys: 4},
			CloudAccount{ID: DemoSuspended, Name: "old", State: "SUSPENDED", Regions: []string{"us-east-1"}, Keys: 1},
		),
	}, opts...)...)
}
