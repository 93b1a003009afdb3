package awskms_test

import (
	"context"
	"errors"
	"go/parser"
	"go/token"
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

func TestOpenRefusesBadURLsNamingTheParameter(t *testing.T) {
	isolateAWSConfig(t)
	s := awskmstest.New()
	t.Cleanup(s.Close)
	ep := "&endpoint=" + url.QueryEscape(s.URL())
	tests := []struct{ url, param string }{
		{"awskms://eu-west-1" + "?region=eu-west-1", "url"},
		{"awskms://user:secret-password@/?region=eu-west-1" + ep, "url"},
		{"awskms:///path?region=eu-west-1", "url"},
		{"awskms://?region=eu-west-1#frag", "url"},
		{"awskms://?regoin=eu-west-1" + ep, "regoin"},
		{"awskms://?region=" + ep, "region"},
		{"awskms://?region=eu-west-1&region=eu-west-2" + ep, "region"},
		{"awskms://?region=eu%20west" + ep, "region"},
		{"awskms://?region=eu-west-1&endpoint=ftp%3A%2F%2Fhost", "endpoint"},
		{"awskms://?region=eu-west-1&endpoint=" + url.QueryEscape("https://user:secret-password@host"), "endpoint"},
		{"awskms://?region=eu-west-1&endpoint=" + url.QueryEscape("https://host:secret-password"), "endpoint"},
		{"awskms://?region=eu-west-1&endpoint=" + url.QueryEscape("http://kms.eu-west-1.amazonaws.com"), "endpoint"},
		{"awskms://?region=eu-west-1&endpoint=kms.eu-west-1.amazonaws.com", "endpoint"},
		{"awskms://?region=eu-west-1&rate=NaN" + ep, "rate"},
		{"awskms://?region=eu-west-1&rate=Inf" + ep, "rate"},
		{"awskms://?region=eu-west-1&rate=0" + ep, "rate"},
		{"awskms://?region=eu-west-1&rate=-3" + ep, "rate"},
		{"awskms://?region=eu-west-1&rate=1e9" + ep, "rate"},
		{"awskms://?region=eu-west-1&profile=" + ep, "profile"},
		{"awskms://?endpoint=" + url.QueryEscape(s.URL()), "region"}, // no Region anywhere
		{"awskms:", "region"},
	}
	for _, tc := range tests {
		l, err := kms.Open(context.Background(), tc.url)
		if l != nil {
			t.Errorf("%s: Open returned a non-nil Lister (%T) with its error", tc.url, l)
		}
		var ke *kms.Error
		if !errors.Is(err, kms.ErrInvalidArgument) || !errors.As(err, &ke) || ke.Provider != kms.ProviderAWS {
			t.Errorf("%s: got %v, want an aws ErrInvalidArgument", tc.url, err)
			continue
		}
		if !strings.Contains(err.Error(), "parameter "+tc.param+":") || strings.Contains(err.Error(), "secret-password") {
			t.Errorf("%s: %v does not name %s, or repeats a secret", tc.url, err, tc.param)
		}
	}
	if n := s.TotalRequests(); n != 0 {
		t.Fatalf("%d requests reached the server, want none", n)
	}
}

func TestOpenOfAMissingProfileIsANilLister(t *testing.T) {
	isolateAWSConfig(t)
	l, err := kms.Open(context.Background(), "awskms://?profile=nosuchprofile")
	if l != nil || !errors.Is(err, kms.ErrInvalidArgument) {
		t.Fatalf("got %v (Lister %T), want a nil Lister and ErrInvalidArgument", err, l)
	}
	d, err := awskms.NewFromConfig(context.Background(), awskms.WithProfile("nosuchprofile"))
	if d != nil || !errors.Is(err, kms.ErrInvalidArgument) {
		t.Fatalf("NewFromConfig: got %v, want a nil *Lister and ErrInvalidArgument", err)
	}
}

func TestOpenRateCapsEveryOperation(t *testing.T) {
	isolateAWSConfig(t)
	l, err := kms.Open(context.Background(), "awskms://?region=eu-west-1&rate=40")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for op := range awskms.DefaultQuotas {
		if got := l.(*awskms.Lister).Limiter(op).Limit(); got != 40 {
			t.Errorf("%s: pace %v, want 40", op, got)
		}
	}
}

// TestPackageDocListsTheURLParameters: go doc shows every parameter, with
// an example URL, and the convention table.
func TestPackageDocListsTheURLParameters(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "doc.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		t.Fatal(err)
	}
	text := f.Doc.Text()
	for _, p := range []string{"region", "endpoint", "profile", "rate"} {
		if !strings.Contains(text, "  - "+p+": ") || !strings.Contains(text, p+"=") {
			t.Errorf("the package doc does not list %s with an example URL", p)
		}
	}
	for _, row := range []string{"New", "NewFromConfig", "Close", "WithRateLimit", "WithConcurrency", "WithPrefetch",
		"WithRetry", "WithObserver", "URL parameters", "DescribeKey content", "key references", "credentials errors"} {
		if !strings.Contains(text, "| "+row+" ") {
			t.Errorf("the convention table has no row %q", row)
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
