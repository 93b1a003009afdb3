package yandexkms_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	ycsdk "github.com/yandex-cloud/go-sdk"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/prototext"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
	"github.com/multikms/multikms/providers/yandexkms"
	emu "github.com/multikms/multikms/providers/yandexkms/yandexkmstest"
)

// Planted secrets: none may appear in any error, event or cursor.
const (
	plantedIAM   = "t1.PLANTED-IAM-SECRET"
	plantedOAuth = "y0_PLANTED-OAUTH-SECRET"
	plantedFile  = "PLANTED-FILE-SECRET"
)

// scanErr fails t if any error of err's Unwrap chain (joined errors
// included), its formatted forms or its gRPC status holds a secret.
func scanErr(t *testing.T, what string, err error, secrets []string) {
	t.Helper()
	if err == nil {
		return
	}
	texts := []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)}
	if st, ok := status.FromError(err); ok {
		texts = append(texts, prototext.Format(st.Proto()))
	}
	for _, text := range texts {
		for _, s := range secrets {
			assert.NotContains(t, text, s, what)
		}
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		scanErr(t, what, u.Unwrap(), secrets)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			scanErr(t, what, e, secrets)
		}
	}
}

// scanCursor fails t if a cursor, as it is or decoded, holds a secret.
func scanCursor(t *testing.T, what, cursor string, secrets []string) {
	t.Helper()
	decoded, _ := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(cursor, "c2"))
	for _, s := range secrets {
		assert.NotContains(t, cursor, s, what)
		assert.NotContains(t, string(decoded), s, what)
	}
}

// serviceAccountKey writes a working authorized key file and returns its
// path and the secret parts of it (the private key's lines).
func serviceAccountKey(t *testing.T) (string, []string) {
	t.Helper()
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	pemKey := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)}))
	body, err := json.Marshal(map[string]string{"id": "ajekeyid", "service_account_id": "ajesa", "private_key": pemKey})
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "sa.json")
	require.NoError(t, os.WriteFile(path, body, 0o600))
	return path, strings.Split(pemKey, "\n")[1:4]
}

// TestNoSecretInAnyError plants an IAM token, an OAuth token and key-file
// contents in every way the adapter takes credentials, triggers every error
// it can (refused token, failed exchange, unreadable or invalid key file,
// bad URLs, bad options), and scans the errors through their Unwrap chain,
// the observer's events and the cursors.
func TestNoSecretInAnyError(t *testing.T) {
	srv, err := emu.Start(emu.WithDemoKeys(), emu.WithToken("t1.the-right-token"))
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	keyFile, keySecrets := serviceAccountKey(t)
	secrets := append([]string{plantedIAM, plantedOAuth, plantedFile, "eyJ"}, keySecrets...) // eyJ: a JWT
	var mu sync.Mutex
	var events []pagination.Event
	observe := yandexkms.WithObserver(func(e pagination.Event) { mu.Lock(); events = append(events, e); mu.Unlock() })
	ctx := context.Background()

	calls := func(what string, l kms.Lister) {
		it := l.ListKeys(ctx, kms.ListOptions{PageSize: 1})
		err := firstErr(it)
		assert.ErrorIs(t, err, kms.ErrUnauthenticated, what)
		scanErr(t, what+" ListKeys", err, secrets)
		scanCursor(t, what+" cursor", it.Cursor(), secrets)
		_, err = l.DescribeKey(ctx, "abjdemo0payments00001")
		scanErr(t, what+" DescribeKey", err, secrets)
		err = firstErr(l.ListKeyVersions(ctx, "abjdemo0payments00001", kms.ListOptions{}))
		scanErr(t, what+" ListKeyVersions", err, secrets)
	}
	for what, creds := range map[string]ycsdk.Credentials{
		"IAM token": ycsdk.NewIAMTokenCredentials(plantedIAM),
		"OAuth":     ycsdk.OAuthToken(plantedOAuth),
	} {
		l, err := yandexkms.NewFromConfig(ctx, emu.DemoFolderID, yandexkms.WithEndpoint(srv.URL()),
			yandexkms.WithCredentials(creds), observe, yandexkms.WithRetry(pagination.Retry{MaxAttempts: 1}))
		require.NoError(t, err)
		calls(what, l)
		require.NoError(t, l.Close())
	}

	// Through kms.Open and the environment.
	endpoint := "&endpoint=" + url.QueryEscape(srv.URL())
	for _, env := range []struct{ name, value string }{
		{yandexkms.EnvIAMToken, plantedIAM}, {yandexkms.EnvToken, plantedIAM}, {yandexkms.EnvToken, plantedOAuth},
		{yandexkms.EnvOAuthToken, plantedOAuth}, {yandexkms.EnvServiceAccountKey, keyFile},
	} {
		for _, name := range []string{yandexkms.EnvIAMToken, yandexkms.EnvToken, yandexkms.EnvOAuthToken, yandexkms.EnvServiceAccountKey} {
			t.Setenv(name, "")
		}
		t.Setenv(env.name, env.value)
		l, err := kms.Open(ctx, "yandexkms://"+emu.DemoFolderID+"?rate=1000"+endpoint)
		require.NoError(t, err, env.name)
		calls(env.name, l)
		require.NoError(t, l.Close())
	}

	// Key files that cannot be used.
	for name, body := range map[string]string{
		"not JSON":    plantedFile,
		"bad PEM":     `{"id":"k","service_account_id":"sa","private_key":"` + plantedFile + `"}`,
		"no SA":       `{"id":"k","private_key":"` + plantedFile + `"}`,
		"wrong types": `{"id":1,"private_key":["` + plantedFile + `"]}`,
	} {
		path := filepath.Join(t.TempDir(), "key.json")
		require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
		t.Setenv(yandexkms.EnvServiceAccountKey, path)
		_, err := yandexkms.CredentialsFromEnv()
		assert.ErrorIs(t, err, kms.ErrUnauthenticated, name)
		scanErr(t, "key file "+name, err, secrets)
		l, err := kms.Open(ctx, "yandexkms://"+emu.DemoFolderID)
		assert.True(t, l == nil, name)
		scanErr(t, "Open, key file "+name, err, secrets)
	}

	// Secrets mistyped into URLs and options.
	for _, u := range []string{
		"yandexkms://" + plantedIAM + "@" + emu.DemoFolderID,
		"yandexkms://u:" + plantedIAM + "@" + emu.DemoFolderID,
		"yandexkms://" + emu.DemoFolderID + "?token=" + plantedIAM,
		"yandexkms://" + emu.DemoFolderID + "?endpoint=https://u:" + plantedIAM + "@127.0.0.1:1",
		"yandexkms://" + emu.DemoFolderID + "?endpoint=https://127.0.0.1:" + plantedIAM,
		"yandexkms://" + emu.DemoFolderID + "?folder=" + plantedIAM,
		"yandexkms://" + emu.DemoFolderID + "?rate=" + plantedIAM,
		"yandexkms://" + emu.DemoFolderID + "/" + plantedIAM,
	} {
		_, err := kms.Open(ctx, u)
		assert.Error(t, err, u)
		scanErr(t, "Open", err, secrets)
	}
	_, err = yandexkms.NewFromConfig(ctx, emu.DemoFolderID, yandexkms.WithEndpoint("https://u:"+plantedIAM+"@127.0.0.1:1"))
	scanErr(t, "WithEndpoint", err, secrets)
	_, err = yandexkms.NewFromConfig(ctx, plantedIAM)
	scanErr(t, "folder", err, secrets)

	mu.Lock()
	defer mu.Unlock()
	require.NotEmpty(t, events)
	for _, e := range events {
		scanErr(t, "event "+e.Op, e.Err, secrets)
		assert.NotContains(t, e.Scope, plantedIAM)
	}
}
