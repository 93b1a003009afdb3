package awskms_test

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
	"github.com/multikms/multikms/providers/awskms"
	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

// isolateAWSConfig points the default chain at fake static credentials and
// no shared files, so only the emulator is reachable.
func isolateAWSConfig(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTESTONLY")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test-secret-not-real")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

func TestOpen(t *testing.T) {
	isolateAWSConfig(t)
	s := awskmstest.New(awskmstest.WithGeneratedKeys(5), awskmstest.WithRegion("eu-west-1"))
	t.Cleanup(s.Close)
	l, err := kms.Open(context.Background(), "awskms://?region=eu-west-1&endpoint="+url.QueryEscape(s.URL()))
	if err != nil {
		t.Fatal(err)
	}
	keys, err := kmstest.Collect(l.ListKeys(context.Background(), kms.ListOptions{}))
	if err != nil || len(keys) != 5 || keys[0].Region != "eu-west-1" {
		t.Fatalf("got %d keys, %v", len(keys), err)
	}
	if pl, ok := l.(kms.ProviderLister); !ok || pl.Provider() != kms.ProviderAWS {
		t.Fatal("Open did not return the AWS lister")
	}
	direct, err := awskms.NewFromConfig(context.Background(), awskms.WithRegion("eu-west-1"), awskms.WithEndpoint(s.URL()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := direct.DescribeKey(context.Background(), keys[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := kms.Open(context.Background(), "awskms://?profile=no-such-profile"); !errors.Is(err, kms.ErrInvalidArgument) {
		t.Fatalf("missing profile: got %v, want ErrInvalidArgument", err)
	}
}

func TestOpenRejectsBadURLs(t *testing.T) {
	isolateAWSConfig(t)
	for _, u := range []string{
		"awskms://eu-west-1",
		"awskms://user:secret-password@/?region=eu-west-1",
		"awskms:///path",
		"awskms://?regoin=eu-west-1",
		"awskms://?region=",
		"awskms://?region=a&region=b",
		"awskms://?endpoint=ftp://host",
		"awskms://?endpoint=" + url.QueryEscape("https://user:pw@host"),
	} {
		_, err := kms.Open(context.Background(), u)
		wantInvalid(t, err, "")
		if strings.Contains(err.Error(), "secret-password") || strings.Contains(err.Error(), "pw@") {
			t.Fatalf("%s: the error repeats a credential: %v", u, err)
		}
	}
}

func TestOpenWithAProfile(t *testing.T) {
	isolateAWSConfig(t)
	dir := t.TempDir()
	config, creds := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	if err := os.WriteFile(config, []byte("[profile audit]\nregion = eu-central-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(creds, []byte("[audit]\naws_access_key_id = AKIDPROFILEONLY\naws_secret_access_key = not-a-real-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", config)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", creds)
	s := awskmstest.New(awskmstest.WithGeneratedKeys(2), awskmstest.WithRegion("eu-central-1"))
	t.Cleanup(s.Close)
	l, err := kms.Open(context.Background(), "awskms://?profile=audit&endpoint="+url.QueryEscape(s.URL()))
	if err != nil {
		t.Fatal(err)
	}
	keys, err := kmstest.Collect(l.ListKeys(context.Background(), kms.ListOptions{}))
	if err != nil || len(keys) != 2 || keys[0].Region != "eu-central-1" {
		t.Fatalf("listing with the profile's region: %d keys, %v", len(keys), err)
	}
}
