package alibabakms_test

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	alikms "github.com/aliyun/alibaba-cloud-sdk-go/services/kms"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
	"github.com/multikms/multikms/pagination"
	"github.com/multikms/multikms/providers/alibabakms"
	emu "github.com/multikms/multikms/providers/alibabakms/alibabakmstest"
)

// credEnv are every credential and region variable NewFromConfig reads.
var credEnv = []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_REGION_ID",
	"ALIBABA_CLOUD_SECURITY_TOKEN", "ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY", "ALICLOUD_REGION", "ALICLOUD_REGION_ID",
	"ALICLOUD_SECURITY_TOKEN", "ALICLOUD_ACCESS_KEY_STS_TOKEN", "ALIBABA_CLOUD_CREDENTIALS_FILE", "ALIBABA_CLOUD_PROFILE",
	"ALIBABA_CLOUD_ECS_METADATA"}

// clearEnv empties the credential chain: no variable, no credentials file.
func clearEnv(t *testing.T) {
	for _, n := range credEnv {
		t.Setenv(n, "")
	}
	t.Setenv("HOME", t.TempDir())
}

func setEnv(t *testing.T, s *emu.Server, legacy bool) {
	clearEnv(t)
	id, secret := s.AccessKey()
	names := []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_REGION_ID", "ALIBABA_CLOUD_SECURITY_TOKEN"}
	if legacy {
		names = []string{"ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY", "ALICLOUD_REGION", "ALICLOUD_SECURITY_TOKEN"}
	}
	t.Setenv(names[0], id)
	t.Setenv(names[1], secret)
	t.Setenv(names[2], s.Region())
	if tok := s.SecurityToken(); tok != "" {
		t.Setenv(names[3], tok)
	}
}

func TestOpen(t *testing.T) {
	s := emu.New(emu.WithKeys(emu.DemoKeys(emu.DefaultAccount)...))
	t.Cleanup(s.Close)
	for _, legacy := range []bool{false, true} {
		setEnv(t, s, legacy)
		l, err := kms.Open(bg, "alibabakms://?endpoint=http://"+s.Host()+"&rate=500")
		if err != nil {
			t.Fatal(err)
		}
		if pl, ok := l.(kms.ProviderLister); !ok || pl.Provider() != kms.ProviderAlibaba {
			t.Fatalf("%T is not an Alibaba ProviderLister", l)
		}
		keys, err := kmstest.Collect(l.ListKeys(bg, kms.ListOptions{}))
		if err != nil || len(keys) != 14 || keys[0].Region != s.Region() {
			t.Fatalf("legacy=%v: %d keys, %v", legacy, len(keys), err)
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
	}
	l, err := alibabakms.NewFromConfig(bg, alibabakms.WithRegion(s.Region()), alibabakms.WithEndpoint("http://"+s.Host()))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if _, err := l.DescribeKey(bg, "alias/app-data"); err != nil {
		t.Fatal(err)
	}
}

// TestOpenRejects: every malformed URL is refused by kms.Open naming the
// parameter, with a nil Lister, one "kms: " prefix, no value quoted and no
// request sent.
func TestOpenRejects(t *testing.T) {
	s := emu.New()
	t.Cleanup(s.Close)
	setEnv(t, s, false)
	const secret = "SECRETvalue42"
	cases := map[string]string{
		"alibabakms://?regoin=x&foo=bar":                                                "parameter foo",
		"alibabakms://?region=cn-hangzhou&region=cn-shanghai":                           "parameter region",
		"alibabakms://?region=":                                                         "parameter region",
		"alibabakms://?region=cn-hangzhou&rate=":                                        "parameter rate",
		"alibabakms://user:" + secret + "@?region=cn-hangzhou":                          "parameter url",
		"alibabakms://kms.cn-hangzhou.aliyuncs.com?region=cn-hangzhou":                  "parameter url",
		"alibabakms://?region=cn-hangzhou&endpoint=http://kms.cn-hangzhou.aliyuncs.com": "parameter endpoint",
		"alibabakms://?region=cn-hangzhou&endpoint=host:" + secret:                      "parameter endpoint",
		"alibabakms://?region=cn-hangzhou&endpoint=https://host:" + secret:              "parameter endpoint",
		"alibabakms://?region=cn-hangzhou&endpoint=https://u:" + secret + "@h":          "parameter endpoint",
		"alibabakms://?region=cn-hangzhou&endpoint=ftp://x":                             "parameter endpoint",
		"alibabakms://?region=cn-hangzhou&endpoint=https://host/path":                   "parameter endpoint",
		"alibabakms://?region=cn-hangzhou&rate=-1":                                      "parameter rate",
		"alibabakms://?region=cn-hangzhou&rate=0":                                       "parameter rate",
		"alibabakms://?region=cn-hangzhou&rate=NaN":                                     "parameter rate",
		"alibabakms://?region=cn-hangzhou&rate=Inf":                                     "parameter rate",
		"alibabakms://?region=cn-hangzhou&rate=" + secret:                               "parameter rate",
		"alibabakms://?region=Bad%20" + secret:                                          "parameter region",
		"alibabakms://?region=cn-hangzhou,cn-shanghai&role_arn=" + secret:               "parameter role_arn",
		"alibabakms://?region=*&role_arn=acs:ram::1:role/" + secret:                     "parameter role_arn",
	}
	for u, want := range cases {
		l, err := kms.Open(bg, u)
		var ke *kms.Error
		if l != nil || !errors.Is(err, kms.ErrInvalidArgument) || !errors.As(err, &ke) || !strings.Contains(err.Error(), want) ||
			strings.Contains(err.Error(), secret) || strings.Count(err.Error(), "kms: ") != 1 {
			t.Errorf("%s: %v, %v; want a nil Lister and ErrInvalidArgument naming %q", u, l, err, want)
		}
	}
	t.Setenv("ALIBABA_CLOUD_REGION_ID", "")
	if l, err := kms.Open(bg, "alibabakms://"); l != nil || !errors.Is(err, kms.ErrInvalidArgument) || !strings.Contains(err.Error(), "parameter region") {
		t.Errorf("no region: %v, %v", l, err)
	}
	if l, err := kms.Open(bg, "alibabakms://?region=cn-hangzhou&profile=nosuch"); l != nil || !errors.Is(err, kms.ErrUnauthenticated) {
		t.Errorf("missing profile: %v, %v", l, err)
	}
	if n := s.Requests(); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// TestNewFromConfigRefuses: a blank or malformed region, an invalid option
// or no credentials at all fail before any request, with a nil Lister.
func TestNewFromConfigRefuses(t *testing.T) {
	clearEnv(t)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIexample")
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "secret")
	cases := []struct {
		opts  []alibabakms.Option
		param string
	}{
		{nil, "parameter region"},
		{[]alibabakms.Option{alibabakms.WithRegion("  ")}, "parameter region"},
		{[]alibabakms.Option{alibabakms.WithRegion("cn hangzhou")}, "parameter region"},
		{[]alibabakms.Option{alibabakms.WithRegion("cn-hangzhou"), alibabakms.WithRateLimit(math.NaN(), 1)}, "parameter RateLimit"},
		{[]alibabakms.Option{alibabakms.WithRegion("cn-hangzhou"), alibabakms.WithRateLimit(math.Inf(1), 1)}, "parameter RateLimit"},
		{[]alibabakms.Option{alibabakms.WithRegion("cn-hangzhou"), alibabakms.WithRateLimit(0, 1)}, "parameter RateLimit"},
		{[]alibabakms.Option{alibabakms.WithRegion("cn-hangzhou"), alibabakms.WithRateLimit(50, 0)}, "parameter RateLimit"},
		{[]alibabakms.Option{alibabakms.WithRegion("cn-hangzhou"), alibabakms.WithConcurrency(0)}, "parameter Concurrency"},
		{[]alibabakms.Option{alibabakms.WithRegion("cn-hangzhou"), alibabakms.WithPrefetch(-1)}, "parameter Prefetch"},
		{[]alibabakms.Option{alibabakms.WithRegion("cn-hangzhou"), alibabakms.WithLimiter(nil)}, "parameter Limiter"},
		{[]alibabakms.Option{alibabakms.WithRegion("cn-hangzhou"), alibabakms.WithCredentials(nil)}, "parameter Credentials"},
		{[]alibabakms.Option{alibabakms.WithRegion("cn-hangzhou"), alibabakms.WithEndpoint("kms.cn-hangzhou.aliyuncs.com")}, "parameter endpoint"},
		{[]alibabakms.Option{alibabakms.WithRegion("cn-hangzhou"), alibabakms.WithCreatorTypes("Robot")}, "parameter CreatorType"},
	}
	for i, tc := range cases {
		l, err := alibabakms.NewFromConfig(bg, tc.opts...)
		if l != nil || !errors.Is(err, kms.ErrInvalidArgument) || !strings.Contains(err.Error(), tc.param) {
			t.Errorf("case %d: %v, %v; want a nil Lister and ErrInvalidArgument naming %s", i, l, err, tc.param)
		}
	}
	clearEnv(t)
	l, err := alibabakms.NewFromConfig(bg, alibabakms.WithRegion("cn-hangzhou"))
	if l != nil || !errors.Is(err, kms.ErrUnauthenticated) {
		t.Errorf("no credentials: %v, %v; want ErrUnauthenticated", l, err)
	}
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIexample")
	if _, err := alibabakms.NewFromConfig(bg, alibabakms.WithRegion("cn-hangzhou")); !errors.Is(err, kms.ErrUnauthenticated) {
		t.Errorf("half the credentials: %v; want ErrUnauthenticated", err)
	}
}

// TestProfileAndSTS: Open signs with a profile of the credentials file, and
// NewFromConfig with STS credentials from the environment.
func TestProfileAndSTS(t *testing.T) {
	s := emu.New(emu.WithKeys(emu.DemoKeys(emu.DefaultAccount)...))
	t.Cleanup(s.Close)
	clearEnv(t)
	id, secret := s.AccessKey()
	file := filepath.Join(t.TempDir(), "credentials")
	ini := "[default]\ntype = access_key\naccess_key_id = LTAIwrong\naccess_key_secret = wrong\n\n" +
		"[audit]\ntype = access_key\naccess_key_id = " + id + "\naccess_key_secret = " + secret + "\n"
	if err := os.WriteFile(file, []byte(ini), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ALIBABA_CLOUD_CREDENTIALS_FILE", file)
	l, err := kms.Open(bg, "alibabakms://?region="+s.Region()+"&endpoint=http://"+s.Host()+"&profile=audit")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if _, err := l.DescribeKey(bg, "alias/app-data"); err != nil {
		t.Fatalf("profile audit: %v", err)
	}
	def, err := kms.Open(bg, "alibabakms://?region="+s.Region()+"&endpoint=http://"+s.Host())
	if err != nil {
		t.Fatal(err)
	}
	defer def.Close()
	if _, err := def.DescribeKey(bg, "alias/app-data"); !errors.Is(err, kms.ErrUnauthenticated) {
		t.Fatalf("default profile (a wrong key): %v, want ErrUnauthenticated", err)
	}

	sts := emu.New(emu.WithKeys(emu.DemoKeys(emu.DefaultAccount)...), emu.WithSecurityToken("STS.token0123456789"))
	t.Cleanup(sts.Close)
	setEnv(t, sts, false)
	ls, err := alibabakms.NewFromConfig(bg, alibabakms.WithEndpoint("http://"+sts.Host()))
	if err != nil {
		t.Fatal(err)
	}
	defer ls.Close()
	if _, err := ls.DescribeKey(bg, "alias/app-data"); err != nil {
		t.Fatalf("STS: %v", err)
	}
	t.Setenv("ALIBABA_CLOUD_SECURITY_TOKEN", "")
	ln, err := alibabakms.NewFromConfig(bg, alibabakms.WithEndpoint("http://"+sts.Host()))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if _, err := ln.DescribeKey(bg, "alias/app-data"); !errors.Is(err, kms.ErrUnauthenticated) {
		t.Fatalf("no SecurityToken: %v, want ErrUnauthenticated", err)
	}
}

// TestNewRefusesInvalidOptions: a Lister from New with an invalid option,
// or a client-building one, fails every call with it, before any request.
func TestNewRefusesInvalidOptions(t *testing.T) {
	s := emu.New(emu.WithKeys(emu.DemoKeys(emu.DefaultAccount)...))
	t.Cleanup(s.Close)
	c, err := s.Client()
	if err != nil {
		t.Fatal(err)
	}
	for param, opt := range map[string]alibabakms.Option{
		"RateLimit": alibabakms.WithRateLimit(math.NaN(), 5), "Concurrency": alibabakms.WithConcurrency(-1),
		"Region": alibabakms.WithRegion("cn-hangzhou"), "Endpoint": alibabakms.WithEndpoint("https://x"),
		"DKMSInstanceId": alibabakms.WithDKMSInstances("abc"),
	} {
		l := alibabakms.New(c, opt)
		_, err1 := l.DescribeKey(bg, "alias/app-data")
		_, err2 := kmstest.Collect(l.ListKeys(bg, kms.ListOptions{}))
		_, err3 := kmstest.Collect(l.ListKeyVersions(bg, "alias/app-data", kms.ListOptions{}))
		for _, err := range []error{err1, err2, err3} {
			if !errors.Is(err, kms.ErrInvalidArgument) || !strings.Contains(err.Error(), "parameter "+param) {
				t.Errorf("%s: %v", param, err)
			}
		}
	}
	if l := alibabakms.New(nil); l == nil {
		t.Error("New(nil) returned nil")
	} else if _, err := l.DescribeKey(bg, "alias/x"); !errors.Is(err, kms.ErrInvalidArgument) {
		t.Errorf("New(nil): %v", err)
	}
	if n := s.Requests(); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// TestNewUpgradesToHTTPS: New moves a plain-HTTP client to HTTPS unless its
// Domain is a loopback or private host.
func TestNewUpgradesToHTTPS(t *testing.T) {
	for domain, want := range map[string]string{
		"": "HTTPS", "kms.cn-hangzhou.aliyuncs.com": "HTTPS", "kms.example:8080": "HTTPS",
		"127.0.0.1:9": "HTTP", "localhost:8080": "HTTP", "10.1.2.3": "HTTP", "[::1]:9": "HTTP",
	} {
		c, err := alikms.NewClientWithOptions("cn-hangzhou", sdk.NewConfig(), credentials.NewAccessKeyCredential("id", "secret"))
		if err != nil {
			t.Fatal(err)
		}
		c.Domain = domain
		alibabakms.New(c)
		if got := c.GetConfig().Scheme; got != want {
			t.Errorf("Domain %q: scheme %s, want %s", domain, got, want)
		}
	}
}

// TestHTTPSEndpointSpeaksTLS: an https endpoint is reached over TLS, which
// the plain-HTTP server cannot answer.
func TestHTTPSEndpointSpeaksTLS(t *testing.T) {
	s := emu.New(emu.WithKeys(emu.DemoKeys(emu.DefaultAccount)...))
	t.Cleanup(s.Close)
	setEnv(t, s, false)
	l, err := alibabakms.NewFromConfig(bg, alibabakms.WithEndpoint("https://"+s.Host()), alibabakms.WithRetry(pagination.Retry{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, err = l.DescribeKey(bg, "alias/app-data")
	id, _ := s.AccessKey()
	if !errors.Is(err, kms.ErrUnavailable) || s.Requests() != 0 || strings.Contains(err.Error(), id) {
		t.Fatalf("plain HTTP answered a TLS client: %v, %d requests", err, s.Requests())
	}
}
