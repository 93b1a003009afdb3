package alibabakms_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
	"github.com/multikms/multikms/pagination"
	"github.com/multikms/multikms/providers/alibabakms"
	emu "github.com/multikms/multikms/providers/alibabakms/alibabakmstest"
)

func setEnv(t *testing.T, s *emu.Server, legacy bool) {
	id, secret := s.AccessKey()
	names := []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_REGION_ID"}
	if legacy {
		names = []string{"ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY", "ALICLOUD_REGION"}
	}
	for _, n := range []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_REGION_ID",
		"ALIBABA_CLOUD_SECURITY_TOKEN", "ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY", "ALICLOUD_REGION", "ALICLOUD_REGION_ID"} {
		t.Setenv(n, "")
	}
	t.Setenv(names[0], id)
	t.Setenv(names[1], secret)
	t.Setenv(names[2], s.Region())
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
		lister, err := alibabakms.NewFromEnv("http://" + s.Host())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := lister.DescribeKey(bg, "alias/app-data"); err != nil {
			t.Fatal(err)
		}
	}
}

func TestOpenRejects(t *testing.T) {
	s := emu.New()
	t.Cleanup(s.Close)
	setEnv(t, s, false)
	for _, u := range []string{
		"alibabakms://user:secret@?region=cn-hangzhou",
		"alibabakms://?endpoint=ftp://x",
		"alibabakms://?endpoint=https://host/path",
		"alibabakms://?rate=-1",
	} {
		_, err := kms.Open(bg, u)
		if !errors.Is(err, kms.ErrInvalidArgument) || strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: %v", u, err)
		}
	}
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "")
	if _, err := kms.Open(bg, "alibabakms://?region=cn-hangzhou"); !errors.Is(err, kms.ErrInvalidArgument) {
		t.Errorf("no secret: %v", err)
	}
	t.Setenv("ALIBABA_CLOUD_REGION_ID", "")
	if _, err := alibabakms.NewFromEnv(""); !errors.Is(err, kms.ErrInvalidArgument) {
		t.Errorf("no region: %v", err)
	}
}

func TestNewClientUsesHTTPS(t *testing.T) {
	for endpoint, want := range map[string]string{
		"": "HTTPS", "kms.cn-hangzhou.aliyuncs.com": "HTTPS", "https://kms.example:8443": "HTTPS", "http://127.0.0.1:9": "HTTP",
	} {
		c, err := alibabakms.NewClient(alibabakms.Config{Region: "cn-hangzhou", Endpoint: endpoint, AccessKeyID: "id", AccessKeySecret: "secret"})
		if err != nil {
			t.Fatal(err)
		}
		if got := c.GetConfig().Scheme; got != want {
			t.Errorf("endpoint %q: scheme %s, want %s", endpoint, got, want)
		}
	}
}

// TestHostEndpointSpeaksTLS: an endpoint without a scheme is reached over
// HTTPS, which the plain-HTTP emulator cannot answer.
func TestHostEndpointSpeaksTLS(t *testing.T) {
	s := emu.New(emu.WithKeys(emu.DemoKeys(emu.DefaultAccount)...))
	t.Cleanup(s.Close)
	id, secret := s.AccessKey()
	c, err := alibabakms.NewClient(alibabakms.Config{Region: s.Region(), Endpoint: s.Host(), AccessKeyID: id, AccessKeySecret: secret})
	if err != nil {
		t.Fatal(err)
	}
	_, err = alibabakms.New(c, alibabakms.WithRetry(pagination.Retry{MaxAttempts: 1})).DescribeKey(bg, "alias/app-data")
	if err == nil || s.Requests() != 0 || strings.Contains(err.Error(), id) {
		t.Fatalf("plain HTTP answered a TLS client: %v, %d requests", err, s.Requests())
	}
}
