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

func TestOpenRefusesBadURLs(t *testing.T) {
	for _, u := range []string{
		"yandexkms://",
		"yandexkms://user@b1gfolder",
		"yandexkms://b1gfolder/path",
		"yandexkms://b1gfolder:443",
		"yandexkms://b1gfolder?plaintext=maybe",
		"yandexkms://b1gfolder?endpoint=a&endpoint=b",
		"yandexkms://b1gfolder?endpoint=",
		"yandexkms://b1gfolder?region=ru-central1",
	} {
		_, err := kms.Open(context.Background(), u)
		assert.ErrorIs(t, err, kms.ErrInvalidArgument, u)
	}
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
