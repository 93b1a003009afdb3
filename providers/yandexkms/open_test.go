package yandexkms_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	ycsdk "github.com/yandex-cloud/go-sdk"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
	"github.com/multikms/multikms/providers/yandexkms"
	emu "github.com/multikms/multikms/providers/yandexkms/yandexkmstest"
)

// open opens rawURL with the emulator's token in the environment and
// closes the Lister at cleanup.
func open(t *testing.T, srv *emu.Server, rawURL string) kms.Lister {
	t.Helper()
	t.Setenv(yandexkms.EnvIAMToken, srv.Token())
	l, err := kms.Open(context.Background(), rawURL)
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close() })
	return l
}

func TestConformanceThroughOpen(t *testing.T) {
	kmstest.RunConformance(t, kmstest.Harness{Setup: func(t *testing.T) kmstest.Fixture {
		srv, err := emu.Start(emu.WithGenerated(2, 8))
		require.NoError(t, err)
		t.Cleanup(srv.Close)
		l := open(t, srv, "yandexkms://"+emu.FolderID(0)+"?folder="+emu.FolderID(1)+
			"&endpoint="+url.QueryEscape(srv.URL()))
		warm(t, l.(*yandexkms.Lister).SDK())
		return fixture(srv, l, emu.FolderID(0), emu.FolderID(1))
	}})
}

// TestOpenRefusesBadURLs: every malformed yandexkms:// URL is refused by
// kms.Open naming what is wrong, before any request and without quoting
// any value (values here hold "SECRET").
func TestOpenRefusesBadURLs(t *testing.T) {
	srv, err := emu.Start(emu.WithDemoKeys())
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	t.Setenv(yandexkms.EnvIAMToken, srv.Token())
	ep := url.QueryEscape(srv.URL())
	for u, param := range map[string]string{
		"yandexkms://":                                                "url",
		"yandexkms://?folder=b1gfolder":                               "url",
		"yandexkms://user:SECRET@b1gfolder":                           "url",
		"yandexkms://b1gfolder/path":                                  "url",
		"yandexkms://b1gfolder:443":                                   "url",
		"yandexkms://b1gfolder#SECRET":                                "url",
		"yandexkms://B1GFOLDER":                                       "folder ID",
		"yandexkms://b1gfolder?plaintext=true":                        "plaintext",
		"yandexkms://b1gfolder?region=ru-central1":                    "region",
		"yandexkms://b1gfolder?bogus=SECRET":                          "bogus",
		"yandexkms://b1gfolder?endpoint=" + ep + "&endpoint=" + ep:    "endpoint",
		"yandexkms://b1gfolder?endpoint=":                             "endpoint",
		"yandexkms://b1gfolder?endpoint=127.0.0.1:1":                  "endpoint",
		"yandexkms://b1gfolder?endpoint=http://api.cloud.yandex.net":  "endpoint",
		"yandexkms://b1gfolder?endpoint=https://u:SECRET@127.0.0.1:1": "endpoint",
		"yandexkms://b1gfolder?endpoint=https://127.0.0.1:SECRET":     "endpoint",
		"yandexkms://b1gfolder?folder=":                               "folder",
		"yandexkms://b1gfolder?folder=SECRET":                         "folder",
		"yandexkms://b1gfolder?rate=SECRET":                           "rate",
		"yandexkms://b1gfolder?rate=NaN":                              "rate",
		"yandexkms://b1gfolder?rate=Inf":                              "rate",
		"yandexkms://b1gfolder?rate=0":                                "rate",
		"yandexkms://b1gfolder?rate=1&rate=2":                         "rate",
		"yandexkms://b1gfolder?rate=%zz":                              "url",
	} {
		l, err := kms.Open(context.Background(), u)
		assert.True(t, l == nil, "%s: a nil Lister", u)
		require.ErrorIs(t, err, kms.ErrInvalidArgument, u)
		assert.Contains(t, err.Error(), param, u)
		assert.NotContains(t, err.Error(), "SECRET", u)
		assert.Equal(t, 1, strings.Count(err.Error(), "kms: "), u)
	}
	assert.Zero(t, srv.TotalRequests())
	assert.Zero(t, srv.Requests(emu.MethodEndpointList))
}

// TestOpenParameters: endpoint, folder (repeated) and rate reach the
// Lister.
func TestOpenParameters(t *testing.T) {
	srv, err := emu.Start(emu.WithGenerated(3, 3))
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	l := open(t, srv, "yandexkms://"+emu.FolderID(0)+"?folder="+emu.FolderID(1)+"&folder="+emu.FolderID(2)+
		"&rate=50&endpoint="+url.QueryEscape(srv.URL()))
	yl := l.(*yandexkms.Lister)
	assert.Equal(t, []string{emu.FolderID(0), emu.FolderID(1), emu.FolderID(2)}, yl.Folders())
	assert.Equal(t, 50.0, yl.Limiter().Limit())
	keys, err := kmstest.Collect(l.ListKeys(context.Background(), kms.ListOptions{}))
	require.NoError(t, err)
	assert.Len(t, keys, 9)
}

func TestCredentialsFromEnv(t *testing.T) {
	for _, env := range []string{yandexkms.EnvIAMToken, yandexkms.EnvToken, yandexkms.EnvOAuthToken, yandexkms.EnvServiceAccountKey} {
		t.Setenv(env, "")
	}
	creds, err := yandexkms.CredentialsFromEnv()
	require.NoError(t, err)
	assert.IsType(t, ycsdk.InstanceServiceAccount(), creds, "instance metadata by default")

	t.Setenv(yandexkms.EnvIAMToken, "t1.from-iam-var")
	creds, err = yandexkms.CredentialsFromEnv()
	require.NoError(t, err)
	tok, err := creds.(ycsdk.NonExchangeableCredentials).IAMToken(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "t1.from-iam-var", tok.IamToken)
	t.Setenv(yandexkms.EnvIAMToken, "")

	t.Setenv(yandexkms.EnvOAuthToken, "y0_from-oauth-var")
	creds, err = yandexkms.CredentialsFromEnv()
	require.NoError(t, err)
	assert.Implements(t, (*ycsdk.ExchangeableCredentials)(nil), creds, "an OAuth token is exchanged")
	t.Setenv(yandexkms.EnvOAuthToken, "")

	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)})
	keyJSON, err := json.Marshal(map[string]string{"id": "ajekey", "service_account_id": "ajesa", "private_key": string(pemKey)})
	require.NoError(t, err)
	good := filepath.Join(t.TempDir(), "sa-key.json")
	require.NoError(t, os.WriteFile(good, keyJSON, 0o600))
	t.Setenv(yandexkms.EnvServiceAccountKey, good)
	creds, err = yandexkms.CredentialsFromEnv()
	require.NoError(t, err)
	assert.Implements(t, (*ycsdk.ExchangeableCredentials)(nil), creds, "a service account key is exchanged (signed JWT)")
	t.Setenv(yandexkms.EnvServiceAccountKey, "")

	t.Setenv(yandexkms.EnvToken, "y0_oauth")
	creds, err = yandexkms.CredentialsFromEnv()
	require.NoError(t, err)
	_, exchangeable := creds.(ycsdk.ExchangeableCredentials)
	assert.True(t, exchangeable, "an OAuth token is exchanged")

	t.Setenv(yandexkms.EnvToken, "t1.iam")
	creds, err = yandexkms.CredentialsFromEnv()
	require.NoError(t, err)
	tok, err = creds.(ycsdk.NonExchangeableCredentials).IAMToken(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "t1.iam", tok.IamToken)

	t.Setenv(yandexkms.EnvToken, "")
	bad := filepath.Join(t.TempDir(), "key.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"id":"k","service_account_id":"sa","private_key":"not a PEM secret"}`), 0o600))
	t.Setenv(yandexkms.EnvServiceAccountKey, bad)
	_, err = yandexkms.CredentialsFromEnv()
	assert.ErrorIs(t, err, kms.ErrUnauthenticated)
	assert.NotContains(t, err.Error(), "secret")
}

// TestOpenDiscoveryForms: kms.Open hands yandexkms://?organization= and
// ?cloud= to discovery: the demo organization's three active folders are
// listed; bad discovery URLs are refused naming the parameter, before any
// request.
func TestOpenDiscoveryForms(t *testing.T) {
	rm, err := emu.StartDemoCloud()
	require.NoError(t, err)
	t.Cleanup(rm.Close)
	t.Setenv(yandexkms.EnvIAMToken, emu.DefaultToken)
	l := openURL(t, "yandexkms://?organization="+emu.DemoOrganizationID+"&endpoint="+url.QueryEscape(rm.URL()))
	keys, err := kmstest.Collect(l.ListKeys(context.Background(), kms.ListOptions{}))
	require.NoError(t, err)
	folders := map[string]bool{}
	for _, k := range keys {
		folders[k.FolderID] = true
		assert.NotEmpty(t, k.CloudID, k.ID)
	}
	assert.Len(t, folders, 3)

	for u, param := range map[string]string{
		"yandexkms://?cloud=B1G":                       "cloud",
		"yandexkms://?cloud=b1gcloud&organization=bpf": "organization",
		"yandexkms://?cloud=b1gcloud&folder=b1gfolder": "folder",
		"yandexkms://b1gfolder?cloud=b1gcloud":         "url",
	} {
		l, err := kms.Open(context.Background(), u)
		assert.True(t, l == nil, u)
		require.ErrorIs(t, err, kms.ErrInvalidArgument, u)
		assert.Contains(t, err.Error(), param, u)
	}
}

// openURL opens rawURL and closes the Lister at cleanup.
func openURL(t *testing.T, rawURL string) kms.Lister {
	t.Helper()
	l, err := kms.Open(context.Background(), rawURL)
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close() })
	return l
}
