package alibabakmstest

import (
	"fmt"
	"time"
)

// The demo regions of DemoRegions, and the demo role NewDemoCloud makes
// assumable.
const (
	DemoHomeRegion   = "cn-hangzhou"
	DemoSecondRegion = "cn-shanghai"
	DemoThirdRegion  = "ap-southeast-1"
	DemoRoleName     = "kms-inventory"
)

// DemoRoleARN is the ARN of the demo role in account.
func DemoRoleARN(account string) string { return "acs:ram::" + account + ":role/" + DemoRoleName }

// DemoRegions are the demo fleet of the inventory program (examples/kmsinventory), as
// Cloud options: DemoHomeRegion holds DemoKeys, DemoSecondRegion three keys
// and DemoThirdRegion two, each region with its own 50/s quota.
func DemoRegions() []CloudOption {
	return []CloudOption{
		WithCloudRegion(DemoHomeRegion, WithKeys(DemoRegionKeys(DemoHomeRegion)...)),
		WithCloudRegion(DemoSecondRegion, WithKeys(DemoRegionKeys(DemoSecondRegion)...)),
		WithCloudRegion(DemoThirdRegion, WithKeys(DemoRegionKeys(DemoThirdRegion)...)),
	}
}

// DemoRegionKeys returns the keys DemoRegions seeds in region, in list
// order (none for another region).
func DemoRegionKeys(region string) []Key {
	switch region {
	case DemoHomeRegion:
		return DemoKeys(DefaultAccount)
	case DemoSecondRegion:
		return regionKeys("sh", 3)
	case DemoThirdRegion:
		return regionKeys("sg", 2)
	}
	return nil
}

// NewDemoCloud starts a Cloud of DemoRegions (and opts) where
// DemoRoleARN(DefaultAccount) is assumable: alibabakms://?region=*&role_arn=<it>&endpoint=<URL>&sts_endpoint=<URL>
// lists its 19 keys.
func NewDemoCloud(opts ...CloudOption) *Cloud {
	return NewCloud(append(append(DemoRegions(), WithAssumableRoles(DemoRoleARN(DefaultAccount))), opts...)...)
}

// regionKeys makes n plain keys whose IDs carry tag.
func regionKeys(tag string, n int) []Key {
	keys := make([]Key, n)
	for i := range keys {
		keys[i] = Key{
			ID: fmt.Sprintf("key-%s%015d", tag, i+1), Description: fmt.Sprintf("%s key %d", tag, i+1),
			State: "Enabled", Spec: "Aliyun_AES_256", Usage: "ENCRYPT/DECRYPT", Protection: "SOFTWARE",
			Origin: "Aliyun_KMS", Creator: DefaultAccount, CreatorType: "User",
			CreatedAt: time.Date(2025, 5, 1+i, 9, 0, 0, 0, time.UTC), AutomaticRotation: "Disabled",
			Versions: []Version{{ID: fmt.Sprintf("key-%s%015d-v1", tag, i+1), CreatedAt: time.Date(2025, 5, 1+i, 9, 0, 0, 0, time.UTC)}},
		}
	}
	return keys
}
