package yandexkms

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multikms/multikms/kms"
	emu "github.com/multikms/multikms/providers/yandexkms/yandexkmstest"
)

// TestDiscoveryURLs: the discovery forms open a Fleet; bad values are
// refused naming the parameter, before any request (counted on both the
// Resource Manager and KMS).
func TestDiscoveryURLs(t *testing.T) {
	rm, err := emu.StartDemoCloud()
	require.NoError(t, err)
	defer rm.Close()
	t.Setenv(EnvIAMToken, rm.KMS().Token())
	ep := url.QueryEscape(rm.URL())
	open := func(raw string) (kms.Lister, error) {
		u, err := url.Parse(raw)
		require.NoError(t, err)
		require.True(t, isDiscoveryURL(u), raw)
		return openDiscoveryURL(context.Background(), u)
	}

	for _, c := range []struct{ url, param string }{
		{"yandexkms://b1gfolder?cloud=b1gcloud&endpoint=" + ep, "url"},
		{"yandexkms://?cloud=b1gcloud&organization=bpforg&endpoint=" + ep, "organization"},
		{"yandexkms://?cloud=&endpoint=" + ep, "cloud"},
		{"yandexkms://?cloud=B1G&endpoint=" + ep, "cloud"},
		{"yandexkms://?cloud=" + strings.Repeat("b", 51) + "&endpoint=" + ep, "cloud"},
		{"yandexkms://?organization=acs%3Aram%3A%3A1%3Arole%2Fx&endpoint=" + ep, "organization"},
		{"yandexkms://?organization=bpf%FF&endpoint=" + ep, "organization"},
		{"yandexkms://?cloud=a&cloud=b&endpoint=" + ep, "cloud"},
		{"yandexkms://?cloud=b1gcloud&folder=b1gf&endpoint=" + ep, "folder"},
		{"yandexkms://?cloud=b1gcloud&regoin=x&endpoint=" + ep, "regoin"},
		{"yandexkms://?cloud=b1gcloud&rate=0&endpoint=" + ep, "rate"},
		{"yandexkms://?cloud=b1gcloud&rate=fast&endpoint=" + ep, "rate"},
		{"yandexkms://?cloud=b1gcloud&endpoint=ftp%3A%2F%2Fx", "endpoint"},
		{"yandexkms://?cloud=b1gcloud&endpoint=http%3A%2F%2Fexample.com", "endpoint"},
		{"yandexkms://?organization=&endpoint=" + ep, "organization"},
		{"yandexkms://?organization=" + strings.Repeat("b", 51) + "&endpoint=" + ep, "organization"},
		{"yandexkms://?organization=bpforg&organization=bpforg&endpoint=" + ep, "organization"},
		{"yandexkms://?organization=bpforg&folder=b1gf&endpoint=" + ep, "folder"},
		{"yandexkms://?cloud=b1g-cloud&endpoint=" + ep, "cloud"},
		{"yandexkms://?cloud=b1gcloud&rate=-1&endpoint=" + ep, "rate"},
		{"yandexkms://?cloud=b1gcloud&endpoint=" + ep + "&endpoint=" + ep, "endpoint"},
		{"yandexkms:///b1gfolder?cloud=b1gcloud&endpoint=" + ep, "url"},
	} {
		l, err := open(c.url)
		assert.Nil(t, l, c.url)
		var ke *kms.Error
		if assert.ErrorAs(t, err, &ke, c.url) {
			assert.Equal(t, kms.CodeInvalidArgument, ke.Code, c.url)
			assert.Contains(t, ke.Error(), c.param, c.url)
		}
	}
	assert.Zero(t, rm.Requests(emu.MethodFolderList)+rm.Requests(emu.MethodCloudList)+rm.KMS().TotalRequests())

	l, err := open("yandexkms://?organization=" + emu.DemoOrganizationID + "&endpoint=" + ep + "&rate=500")
	require.NoError(t, err)
	f := l.(*Fleet)
	assert.Equal(t, []string{emu.DemoDevCloudID, emu.DemoDevCloudID + "/" + emu.DemoDevFolderID, emu.DemoCloudID, emu.DemoCloudID + "/" + emu.DemoFolderID, emu.DemoCloudID + "/" + emu.DemoStagingFolderID}, f.Scopes())
	assert.InDelta(t, 500, f.Limiter().Limit(), 0.001)
	require.NoError(t, l.Close())

	l, err = open("yandexkms://?cloud=" + emu.DemoCloudID + "&endpoint=" + ep)
	require.NoError(t, err)
	assert.Equal(t, []string{emu.DemoFolderID, emu.DemoStagingFolderID}, l.(*Fleet).Folders())
	require.NoError(t, l.Close())

	// Through kms.Open, the way users reach it.
	l, err = kms.Open(context.Background(), "yandexkms://?cloud="+emu.DemoDevCloudID+"&endpoint="+ep)
	require.NoError(t, err)
	assert.Equal(t, []string{emu.DemoDevFolderID}, l.(*Fleet).Folders())
	require.NoError(t, l.Close())

	// A cloud the credentials cannot see fails Open with its *kms.Error.
	_, err = open("yandexkms://?cloud=b1gnosuchcloud&endpoint=" + ep)
	assert.ErrorIs(t, err, kms.ErrPermissionDenied)
}
