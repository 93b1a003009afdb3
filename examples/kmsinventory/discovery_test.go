package main

import (
	"context"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/providers/alibabakms/alibabakmstest"
	"github.com/multikms/multikms/providers/awskms/awskmstest"
	"github.com/multikms/multikms/providers/yandexkms/yandexkmstest"
)

// TestDiscoveryURLs lists the three clouds' demo organizations through
// their discovery URLs (every Region of every account of an AWS
// organization, every Alibaba Cloud region, every folder of a Yandex Cloud
// organization) as one fleet, with the credentials in the environment the
// adapters' standard chains read.
func TestDiscoveryURLs(t *testing.T) {
	ctx := context.Background()
	aws := awskmstest.DemoCloud()
	t.Cleanup(aws.Close)
	creds, err := aws.Config().Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ali := alibabakmstest.NewCloud(alibabakmstest.DemoRegions()...)
	t.Cleanup(ali.Close)
	yc, err := yandexkmstest.StartDemoCloud()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(yc.Close)

	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(home, "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(home, "none"))
	t.Setenv("AWS_ACCESS_KEY_ID", creds.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", creds.SecretAccessKey)
	t.Setenv("AWS_SESSION_TOKEN", creds.SessionToken)
	t.Setenv("AWS_REGION", "us-east-1")
	id, secret := ali.AccessKey()
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", id)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", secret)
	t.Setenv("ALIBABA_CLOUD_REGION_ID", alibabakmstest.DemoHomeRegion)
	t.Setenv("YC_IAM_TOKEN", yc.KMS().Token())

	r := runArgs(t, ctx, "-o", "json", "-detail", "basic",
		"awskms://?organization=*&region=*&endpoint="+url.QueryEscape(aws.URL()),
		"alibabakms://?region=*&endpoint="+url.QueryEscape(ali.URL()),
		"yandexkms://?organization="+yandexkmstest.DemoOrganizationID+"&endpoint="+url.QueryEscape(yc.URL()))
	if r.code != exitDone {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	scopes := map[kms.Provider]map[string]bool{}
	for _, k := range decodeKeys(t, r.stdout) {
		if scopes[k.Provider] == nil {
			scopes[k.Provider] = map[string]bool{}
		}
		scopes[k.Provider][scopeOf(k)] = true
	}
	// DemoCloud: 2 active accounts over 5 Regions; DemoRegions: 3 regions;
	// StartDemoCloud: 3 active folders in 2 clouds.
	for p, want := range map[kms.Provider]int{kms.ProviderAWS: 5, kms.ProviderAlibaba: 3, kms.ProviderYandex: 3} {
		if got := len(scopes[p]); got != want {
			t.Errorf("%s: keys from %d scopes %v, want %d", p, got, scopes[p], want)
		}
	}
}
