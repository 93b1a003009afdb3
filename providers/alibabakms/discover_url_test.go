package alibabakms

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
	emu "github.com/multikms/multikms/providers/alibabakms/alibabakmstest"
)

// TestDiscoveryURLs: the discovery forms open a Fleet; bad values are
// refused naming the parameter, before any request.
func TestDiscoveryURLs(t *testing.T) {
	c := emu.NewDemoCloud()
	defer c.Close()
	defer c.TrustSTS()()
	id, secret := c.AccessKey()
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", id)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", secret)
	t.Setenv("ALIBABA_CLOUD_REGION_ID", emu.DemoHomeRegion)
	ep, sts := url.QueryEscape(c.URL()), url.QueryEscape(c.STSURL())
	role := url.QueryEscape(emu.DemoRoleARN(c.Account()))
	open := func(raw string) (kms.Lister, error) {
		u, err := url.Parse(raw)
		require.NoError(t, err)
		require.True(t, isDiscoveryURL(u), raw)
		return openDiscoveryURL(context.Background(), u)
	}

	for _, tc := range []struct{ url, param string }{
		{"alibabakms://host?region=*&endpoint=" + ep, "url"},
		{"alibabakms://?region=*,cn-hangzhou&endpoint=" + ep, "region"},
		{"alibabakms://?region=cn-hangzhou,,cn-shanghai&endpoint=" + ep, "region"},
		{"alibabakms://?region=CN,cn-shanghai&endpoint=" + ep, "region"},
		{"alibabakms://?role_arn=" + role + "&endpoint=" + ep, "region"},
		{"alibabakms://?region=*&role_arn=acs%3Aram%3A%3A1%3Arole%2Fx&endpoint=" + ep, "role_arn"},
		{"alibabakms://?region=*&role_arn=" + role + "&role_session_name=a%20b&endpoint=" + ep, "role_session_name"},
		{"alibabakms://?region=*&role_arn=" + role + "&external_id=x&endpoint=" + ep, "external_id"},
		{"alibabakms://?region=*&role_arn=" + role + "&sts_endpoint=http%3A%2F%2F127.0.0.1%3A1&endpoint=" + ep, "sts_endpoint"},
		{"alibabakms://?region=*&sts_endpoint=" + sts + "&endpoint=" + ep, "role_arn"},
		{"alibabakms://?region=*&role_arn=" + role + "&role_arn=" + role + "&endpoint=" + ep, "role_arn"},
		{"alibabakms://?region=*&regoin=x&endpoint=" + ep, "regoin"},
		{"alibabakms://?region=*&rate=0&endpoint=" + ep, "rate"},
		{"alibabakms://?region=*&endpoint=ftp%3A%2F%2Fx", "endpoint"},
		{"alibabakms://?region=*,*&endpoint=" + ep, "region"},
		{"alibabakms://?region=cn-hangzhou,&endpoint=" + ep, "region"},
		{"alibabakms://?region=*&region=cn-hangzhou&endpoint=" + ep, "region"},
		{"alibabakms://?region=*&role_session_name=abc&endpoint=" + ep, "role_arn"},
		{"alibabakms://?region=*&external_id=abcdef&endpoint=" + ep, "role_arn"},
		{"alibabakms://?region=*&role_arn=" + role + "&role_session_name=" + strings.Repeat("s", 65) + "&endpoint=" + ep, "role_session_name"},
		{"alibabakms://?region=*&role_arn=" + role + "&sts_endpoint=ftp%3A%2F%2Fsts.aliyuncs.com&endpoint=" + ep, "sts_endpoint"},
		{"alibabakms://?region=*&role_arn=%FF&endpoint=" + ep, "role_arn"},
		{"alibabakms://?region=*&rate=-1&endpoint=" + ep, "rate"},
		{"alibabakms://?region=*&rate=fast&endpoint=" + ep, "rate"},
		{"alibabakms://?region=*&endpoint=" + ep + "&endpoint=" + ep, "endpoint"},
	} {
		l, err := open(tc.url)
		assert.Nil(t, l, tc.url)
		var ke *kms.Error
		if assert.ErrorAs(t, err, &ke, tc.url) {
			assert.Equal(t, kms.CodeInvalidArgument, ke.Code, tc.url)
			assert.Contains(t, ke.Error(), tc.param, tc.url)
			assert.NotContains(t, ke.Error(), secret, tc.url)
		}
	}
	assert.Zero(t, c.Requests())
	assert.Zero(t, c.Count("DescribeRegions"))

	l, err := open("alibabakms://?region=*&role_arn=" + role + "&sts_endpoint=" + sts + "&endpoint=" + ep + "&rate=500")
	require.NoError(t, err)
	f := l.(*Fleet)
	assert.Equal(t, []string{emu.DemoThirdRegion, emu.DemoHomeRegion, emu.DemoSecondRegion}, f.Regions())
	assert.InDelta(t, 500, f.Region(emu.DemoSecondRegion).Limiter().Limit(), 0.001)
	require.NoError(t, l.Close())

	l, err = open("alibabakms://?region=cn-shanghai,ap-southeast-1&role_arn=" + role + "&sts_endpoint=" + sts + "&endpoint=" + ep)
	require.NoError(t, err)
	assert.Equal(t, []string{emu.DemoThirdRegion, emu.DemoSecondRegion}, l.(*Fleet).Regions())
	require.NoError(t, l.Close())

	// Through kms.Open, the way users reach it.
	l, err = kms.Open(context.Background(), "alibabakms://?region=*&endpoint="+ep)
	require.NoError(t, err)
	assert.Len(t, l.(*Fleet).Regions(), 3)
	keys, err := pagination.Collect(l.ListKeys(context.Background(), kms.ListOptions{}))
	require.Error(t, err, "without the role, the regions refuse the AccessKey")
	assert.Empty(t, keys)
	require.NoError(t, l.Close())

	t.Setenv("ALIBABA_CLOUD_REGION_ID", "")
	_, err = open("alibabakms://?region=*&endpoint=" + ep)
	assert.ErrorIs(t, err, kms.ErrInvalidArgument, "region=* needs a home region")
}
