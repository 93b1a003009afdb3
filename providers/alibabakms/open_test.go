package alibabakms_test

import (
	"testing"

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
