package alibabakmstest_test

import (
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	alikms "github.com/aliyun/alibaba-cloud-sdk-go/services/kms"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	emu "github.com/multikms/multikms/providers/alibabakms/alibabakmstest"
)

// describedRegions is what the SDK's DescribeRegions reads through client.
func describedRegions(t *testing.T, client *alikms.Client) []string {
	t.Helper()
	resp, err := client.DescribeRegions(alikms.CreateDescribeRegionsRequest())
	require.NoError(t, err)
	var got []string
	for _, r := range resp.Regions.Region {
		got = append(got, r.RegionId)
	}
	return got
}

// TestCloudAddsAndRemovesRegions: DescribeRegions lists a region added
// and no longer a removed one; the added region serves its own keys, the
// removed one answers as a region the Cloud does not have, counted.
func TestCloudAddsAndRemovesRegions(t *testing.T) {
	c := emu.NewCloud(emu.DemoRegions()...)
	defer c.Close()
	id, secret := c.AccessKey()
	cred := credentials.NewAccessKeyCredential(id, secret)
	home := cloudClient(t, c, emu.DemoHomeRegion, cred)

	added := c.AddRegion("eu-central-1", emu.WithGeneratedKeys(4, 1))
	assert.Same(t, added, c.Region("eu-central-1"))
	c.RemoveRegion(emu.DemoSecondRegion)
	c.RemoveRegion("us-west-1") // not the Cloud's: nothing
	assert.Nil(t, c.Region(emu.DemoSecondRegion))
	want := []string{emu.DemoThirdRegion, emu.DemoHomeRegion, "eu-central-1"}
	assert.Equal(t, want, c.Regions())
	assert.Equal(t, want, describedRegions(t, home))

	resp, err := cloudClient(t, c, "eu-central-1", cred).ListKeys(alikms.CreateListKeysRequest())
	require.NoError(t, err)
	assert.Equal(t, 4, resp.TotalCount)
	for _, k := range resp.Keys.Key {
		assert.Contains(t, k.KeyArn, ":eu-central-1:"+c.Account()+":")
	}
	assert.Equal(t, 1, added.Count("ListKeys"))

	c.ResetCounts()
	_, err = cloudClient(t, c, emu.DemoSecondRegion, cred).ListKeys(alikms.CreateListKeysRequest())
	assert.Equal(t, "InvalidRegionId", serverCode(t, err))
	assert.Equal(t, 1, c.Requests(), "a removed region's request is counted")

	assert.Panics(t, func() { c.AddRegion(emu.DemoHomeRegion) })
	c.AddRegion(emu.DemoSecondRegion) // back, empty: a new Server
	assert.Equal(t, []string{emu.DemoThirdRegion, emu.DemoHomeRegion, emu.DemoSecondRegion, "eu-central-1"}, describedRegions(t, home))
}

// TestCloudAddedRegionTakesTheRole: with roles, an added region accepts
// the assumed role's credentials only, as NewCloud's regions do.
func TestCloudAddedRegionTakesTheRole(t *testing.T) {
	c := emu.NewDemoCloud()
	defer c.Close()
	defer c.TrustSTS()()
	id, secret := c.AccessKey()
	c.AddRegion("eu-central-1", emu.WithGeneratedKeys(2, 1))
	_, err := cloudClient(t, c, "eu-central-1", credentials.NewAccessKeyCredential(id, secret)).ListKeys(alikms.CreateListKeysRequest())
	assert.Equal(t, "InvalidAccessKeyId.NotFound", serverCode(t, err))
	resp, err := cloudClient(t, c, "eu-central-1", roleProvider(t, c, secret, emu.DemoRoleARN(c.Account()), "s1")).ListKeys(alikms.CreateListKeysRequest())
	require.NoError(t, err)
	assert.Equal(t, 2, resp.TotalCount)
}
