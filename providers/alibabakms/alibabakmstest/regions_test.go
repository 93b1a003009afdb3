package alibabakmstest_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	alikms "github.com/aliyun/alibaba-cloud-sdk-go/services/kms"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	emu "github.com/multikms/multikms/providers/alibabakms/alibabakmstest"
)

// toCloud sends every request, STS's to sts.aliyuncs.com included, to the Cloud.
type toCloud struct{ target *url.URL }

func (t toCloud) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host, r.Host = t.target.Scheme, t.target.Host, t.target.Host
	return http.DefaultTransport.RoundTrip(r)
}

// cloudClient is a real SDK client of region signed with cred, reaching c.
func cloudClient(t *testing.T, c *emu.Cloud, region string, cred auth.Credential) *alikms.Client {
	t.Helper()
	u, err := url.Parse(c.URL())
	require.NoError(t, err)
	cfg := sdk.NewConfig()
	cfg.Scheme, cfg.AutoRetry, cfg.MaxRetryTime = "HTTP", false, 0
	cfg.Transport = toCloud{u}
	client, err := alikms.NewClientWithOptions(region, cfg, cred)
	require.NoError(t, err)
	client.Domain = u.Host
	t.Cleanup(client.Shutdown)
	return client
}

func serverCode(t *testing.T, err error) string {
	t.Helper()
	var se *sdkerrors.ServerError
	require.ErrorAs(t, err, &se)
	return se.ErrorCode()
}

func TestCloudRoutesRegionsAndDescribesThem(t *testing.T) {
	c := emu.NewCloud(emu.DemoRegions()...)
	defer c.Close()
	id, secret := c.AccessKey()
	cred := credentials.NewAccessKeyCredential(id, secret)

	regions, err := cloudClient(t, c, emu.DemoSecondRegion, cred).DescribeRegions(alikms.CreateDescribeRegionsRequest())
	require.NoError(t, err)
	var got []string
	for _, r := range regions.Regions.Region {
		got = append(got, r.RegionId)
	}
	assert.Equal(t, []string{emu.DemoThirdRegion, emu.DemoHomeRegion, emu.DemoSecondRegion}, got)
	assert.Equal(t, 1, c.Count("DescribeRegions"))
	assert.Equal(t, 1, c.Region(emu.DemoSecondRegion).Count("DescribeRegions"), "checked and counted by the region it was sent to")

	for region, want := range map[string]int{emu.DemoHomeRegion: 14, emu.DemoSecondRegion: 3, emu.DemoThirdRegion: 2} {
		req := alikms.CreateListKeysRequest()
		req.PageSize = "100"
		resp, err := cloudClient(t, c, region, cred).ListKeys(req)
		require.NoError(t, err)
		assert.Equal(t, want, resp.TotalCount, region)
		assert.Equal(t, 1, c.Region(region).Count("ListKeys"), region)
		for _, k := range resp.Keys.Key {
			assert.Contains(t, k.KeyArn, ":"+region+":", region)
		}
	}

	c.DenyRegion(emu.DemoThirdRegion)
	_, err = cloudClient(t, c, emu.DemoThirdRegion, cred).ListKeys(alikms.CreateListKeysRequest())
	assert.Equal(t, "Forbidden.RAM", serverCode(t, err))
	c.BreakRegion(emu.DemoThirdRegion)
	_, err = cloudClient(t, c, emu.DemoThirdRegion, cred).ListKeys(alikms.CreateListKeysRequest())
	require.Error(t, err)
	c.AllowRegion(emu.DemoThirdRegion)
	_, err = cloudClient(t, c, emu.DemoThirdRegion, cred).ListKeys(alikms.CreateListKeysRequest())
	require.NoError(t, err)

	_, err = cloudClient(t, c, "eu-central-1", cred).ListKeys(alikms.CreateListKeysRequest())
	assert.Equal(t, "InvalidRegionId", serverCode(t, err))

	bad := credentials.NewAccessKeyCredential(id, "wrong")
	_, err = cloudClient(t, c, emu.DemoHomeRegion, bad).DescribeRegions(alikms.CreateDescribeRegionsRequest())
	assert.Equal(t, "SignatureDoesNotMatch", serverCode(t, err))
}

func TestCloudRegionsHaveTheirOwnQuota(t *testing.T) {
	c := emu.NewCloud(emu.WithCloudRegion("cn-a", emu.WithReadQuota(1, 2)), emu.WithCloudRegion("cn-b", emu.WithReadQuota(1, 2)))
	defer c.Close()
	id, secret := c.AccessKey()
	cred := credentials.NewAccessKeyCredential(id, secret)
	a, b := cloudClient(t, c, "cn-a", cred), cloudClient(t, c, "cn-b", cred)
	for range 2 {
		_, err := a.ListKeys(alikms.CreateListKeysRequest())
		require.NoError(t, err)
	}
	_, err := a.ListKeys(alikms.CreateListKeysRequest())
	assert.Equal(t, "Rejected.Throttling", serverCode(t, err))
	_, err = b.ListKeys(alikms.CreateListKeysRequest())
	assert.NoError(t, err, "cn-b's quota is its own")
}

// roleProvider is the SDK's own RAM-role credential provider (what a
// credentials.RamRoleArnCredential becomes), with c's STS endpoint.
func roleProvider(t *testing.T, c *emu.Cloud, secret, arn, session string) credentials.CredentialsProvider {
	t.Helper()
	id, _ := c.AccessKey()
	u, err := url.Parse(c.STSURL())
	require.NoError(t, err)
	p, err := credentials.NewRAMRoleARNCredentialsProviderBuilder().
		WithCredentialsProvider(credentials.NewStaticAKCredentialsProvider(id, secret)).
		WithRoleArn(arn).WithRoleSessionName(session).WithStsEndpoint(u.Host).Build()
	require.NoError(t, err)
	return p
}

// TestAssumeRoleThroughTheSDK: the SDK's own RAM-role credential provider
// calls STS AssumeRole over HTTPS, signed with the AccessKey, and signs the
// KMS calls with what it got; the regions accept nothing else.
func TestAssumeRoleThroughTheSDK(t *testing.T) {
	c := emu.NewDemoCloud()
	defer c.Close()
	defer c.TrustSTS()()
	id, secret := c.AccessKey()
	arn := emu.DemoRoleARN(c.Account())

	client := cloudClient(t, c, emu.DemoSecondRegion, roleProvider(t, c, secret, arn, "multikms-test"))
	resp, err := client.ListKeys(alikms.CreateListKeysRequest())
	require.NoError(t, err)
	assert.Equal(t, 3, resp.TotalCount)
	_, err = client.ListKeys(alikms.CreateListKeysRequest())
	require.NoError(t, err)
	assert.Equal(t, 1, c.Count("AssumeRole"), "the SDK caches the session until it nears expiry")

	_, err = cloudClient(t, c, emu.DemoSecondRegion, credentials.NewAccessKeyCredential(id, secret)).ListKeys(alikms.CreateListKeysRequest())
	assert.Equal(t, "InvalidAccessKeyId.NotFound", serverCode(t, err), "with roles, the AccessKey alone is refused by KMS")

	for name, c2 := range map[string]struct{ secret, arn, session, code string }{
		"unknown role":   {secret, "acs:ram::" + c.Account() + ":role/nope", "s1", "EntityNotExist.Role"},
		"wrong secret":   {"wrong", arn, "s1", "SignatureDoesNotMatch"},
		"short session":  {secret, arn, "x", "InvalidParameter.RoleSessionName"},
		"spaced session": {secret, arn, "a b", "InvalidParameter.RoleSessionName"},
	} {
		_, err := cloudClient(t, c, emu.DemoHomeRegion, roleProvider(t, c, c2.secret, c2.arn, c2.session)).ListKeys(alikms.CreateListKeysRequest())
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), c2.code, name)
		assert.NotContains(t, err.Error(), secret, name)
	}
	c.DenyRole(arn)
	_, err = cloudClient(t, c, emu.DemoHomeRegion, roleProvider(t, c, secret, arn, "s2")).ListKeys(alikms.CreateListKeysRequest())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "NoPermission")
}
