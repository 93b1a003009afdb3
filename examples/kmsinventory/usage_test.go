package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/multikms/multikms/providers/alibabakms/alibabakmstest"
	"github.com/multikms/multikms/providers/awskms/awskmstest"
	"github.com/multikms/multikms/providers/yandexkms/yandexkmstest"
)

// testClouds are one test server of each cloud and kms.Open URLs for them,
// with the credentials the adapters' standard chains read set in the
// environment for the test.
type testClouds struct {
	aws     *awskmstest.Server
	alibaba *alibabakmstest.Server
	yandex  *yandexkmstest.Server
	urls    []string
}

func startTestClouds(t *testing.T) *testClouds {
	t.Helper()
	c := &testClouds{aws: awskmstest.New(awskmstest.WithGeneratedKeys(3))}
	t.Cleanup(c.aws.Close)
	c.alibaba = alibabakmstest.New(alibabakmstest.WithKeys(alibabakmstest.DemoKeys(alibabakmstest.DefaultAccount)[:3]...))
	t.Cleanup(c.alibaba.Close)
	var err error
	if c.yandex, err = yandexkmstest.Start(yandexkmstest.WithDemoKeys()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.yandex.Close)
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(home, "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(home, "none"))
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEMULATOR")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "emulator-secret")
	id, secret := c.alibaba.AccessKey()
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", id)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", secret)
	t.Setenv("YC_IAM_TOKEN", c.yandex.Token())
	c.urls = []string{
		"awskms://?region=" + c.aws.Region() + "&endpoint=" + c.aws.URL(),
		"alibabakms://?region=" + c.alibaba.Region() + "&endpoint=" + c.alibaba.URL(),
		"yandexkms://" + yandexkmstest.DemoFolderID + "?endpoint=" + c.yandex.URL(),
	}
	return c
}

func (c *testClouds) requests() int {
	return c.aws.TotalRequests() + c.alibaba.Requests() + int(c.yandex.TotalRequests())
}

// TestURLs lists real kms.Open URLs (one per cloud, on test servers) as
// one fleet.
func TestURLs(t *testing.T) {
	c := startTestClouds(t)
	r := runArgs(t, context.Background(), append([]string{"-o", "json"}, c.urls...)...)
	if r.code != exitDone {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	perProvider := map[string]int{}
	for _, k := range decodeKeys(t, r.stdout) {
		perProvider[string(k.Provider)]++
	}
	if perProvider["aws"] != 3 || perProvider["alibaba"] != 3 || perProvider["yandex"] == 0 {
		t.Errorf("keys per provider %v, want 3 aws, 3 alibaba and the yandex demo keys", perProvider)
	}
	if strings.Contains(r.stderr, "demo") {
		t.Errorf("a run on URLs speaks of the demo fleet: %s", r.stderr)
	}
}

// TestBadUsage checks that bad flags and URLs exit 2 with a message naming
// them, and send no request, to the URLs' servers or the demo fleet's.
func TestBadUsage(t *testing.T) {
	c := startTestClouds(t)
	junk := filepath.Join(t.TempDir(), "junk")
	if err := os.WriteFile(junk, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	good := c.urls
	cases := []struct {
		name  string
		args  []string
		names string // what the message must name
	}{
		{"format", []string{"-o", "xml"}, "-o"},
		{"detail", []string{"-detail", "most"}, "-detail"},
		{"include", []string{"-include", "tags,secrets"}, "-include"},
		{"filter field", []string{"-filter", "hue=red"}, "-filter"},
		{"filter value", []string{"-filter", "state=Sleeping"}, "-filter"},
		{"max", []string{"-max", "-1"}, "-max"},
		{"unknown flag", []string{"-verbose"}, "-verbose"},
		{"flag after URL", []string{good[0], "-o", "csv"}, "flags go first"},
		{"resume file", []string{"-resume", junk}, "-resume"},
		{"resume directory", []string{"-resume", filepath.Join(junk, "x", "cursor")}, "-resume"},
		{"unknown parameter", []string{good[0] + "&colour=red"}, "URL 1"},
		{"unknown scheme", []string{good[1], "gcpkms://project"}, "URL 2"},
		{"bad endpoint", []string{good[0], good[1], "yandexkms://b1g?endpoint=ftp://x"}, "URL 3"},
	}
	for _, tc := range cases {
		for _, urls := range [][]string{nil, good} {
			demo := false
			withHooks(t, func() { hooks.demoStarted = func(*demoFleet) { demo = true } })
			args := append(append([]string{}, tc.args...), urls...)
			r := runArgs(t, context.Background(), args...)
			if r.code != exitUsage {
				t.Errorf("%s %q: exit %d, want %d\n%s", tc.name, args, r.code, exitUsage, r.stderr)
			}
			if !strings.Contains(r.stderr, tc.names) {
				t.Errorf("%s: the message does not name %q: %s", tc.name, tc.names, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("%s: stdout %q", tc.name, r.stdout)
			}
			if n := c.requests(); n != 0 || demo {
				t.Errorf("%s %q: %d requests sent, demo fleet started: %v", tc.name, args, n, demo)
			}
			if strings.Contains(r.stderr, "colour=red") || strings.Contains(r.stderr, c.aws.URL()) {
				t.Errorf("%s: the message echoes the URL: %s", tc.name, r.stderr)
			}
		}
	}
}

// TestHelp prints the usage on stderr and exits 0.
func TestHelp(t *testing.T) {
	r := runArgs(t, context.Background(), "-h")
	if r.code != exitDone || !strings.Contains(r.stderr, "Usage: kmsinventory") || !strings.Contains(r.stderr, "-resume FILE") || r.stdout != "" {
		t.Errorf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

// TestOpenFailureExits1 checks that a URL the adapter cannot open for
// another reason than its shape (no credentials anywhere) exits 1, naming
// the URL, with no request sent.
func TestOpenFailureExits1(t *testing.T) {
	c := startTestClouds(t)
	for _, k := range []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY"} {
		t.Setenv(k, "")
	}
	t.Setenv("ALIBABA_CLOUD_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	r := runArgs(t, context.Background(), c.urls[0], c.urls[1])
	if r.code != exitFailed || !strings.Contains(r.stderr, "URL 2 (alibabakms://") || r.stdout != "" {
		t.Errorf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if n := c.requests(); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// TestSummaryWithJSON checks that with -o json the summary goes to stderr,
// leaving stdout JSON lines only.
func TestSummaryWithJSON(t *testing.T) {
	r := runArgs(t, context.Background(), "-o", "json", "-summary")
	if r.code != exitDone {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if len(decodeKeys(t, r.stdout)) == 0 || strings.Contains(r.stdout, "need attention") {
		t.Errorf("stdout is not JSON lines only: %q", r.stdout)
	}
	if !strings.Contains(r.stderr, "PROVIDER  SCOPE") || !strings.Contains(r.stderr, "need attention") {
		t.Errorf("no summary on stderr: %s", r.stderr)
	}
}
