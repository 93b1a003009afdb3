package alibabakmstest

import (
	"fmt"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	alikms "github.com/aliyun/alibaba-cloud-sdk-go/services/kms"
)

// DemoKeys returns 14 hand-made keys covering every state, spec, usage,
// protection level, origin and creator type, with aliases, tags, rotation
// settings and versions. account is the UID used as their creator.
func DemoKeys(account string) []Key {
	t := func(day int) time.Time { return time.Date(2024, 3, day, 10, 42, 40, 0, time.UTC) }
	versions := func(id string, n int) []Version {
		var vs []Version
		for i := 0; i < n; i++ {
			vs = append(vs, Version{ID: fmt.Sprintf("%s-v%d", id, i+1), CreatedAt: t(1 + i)})
		}
		return vs
	}
	mk := func(i int, state, spec, usage, prot string) Key {
		id := fmt.Sprintf("key-hzz63049446%04d", i)
		return Key{
			ID: id, Description: fmt.Sprintf("demo key %d", i), State: state, Spec: spec, Usage: usage,
			Protection: prot, Origin: "Aliyun_KMS", Creator: account, CreatorType: "User",
			CreatedAt: t(1 + i), AutomaticRotation: "Disabled", Versions: versions(id, 1+i%3),
		}
	}
	keys := []Key{
		mk(1, "Enabled", "Aliyun_AES_256", "ENCRYPT/DECRYPT", "SOFTWARE"),
		mk(2, "Enabled", "Aliyun_AES_256", "ENCRYPT/DECRYPT", "HSM"),
		mk(3, "Disabled", "Aliyun_SM4", "ENCRYPT/DECRYPT", "HSM"),
		mk(4, "Enabled", "RSA_2048", "SIGN/VERIFY", "SOFTWARE"),
		mk(5, "Enabled", "RSA_2048", "ENCRYPT/DECRYPT", "SOFTWARE"),
		mk(6, "PendingDeletion", "EC_P256", "SIGN/VERIFY", "SOFTWARE"),
		mk(7, "Enabled", "EC_P256K", "SIGN/VERIFY", "HSM"),
		mk(8, "Enabled", "EC_SM2", "SIGN/VERIFY", "HSM"),
		mk(9, "PendingImport", "Aliyun_AES_256", "ENCRYPT/DECRYPT", "SOFTWARE"),
		mk(10, "Disabled", "Aliyun_AES_256", "ENCRYPT/DECRYPT", "SOFTWARE"),
		mk(11, "Enabled", "Aliyun_AES_256", "ENCRYPT/DECRYPT", "SOFTWARE"),
		mk(12, "Enabled", "EC_SM2", "ENCRYPT/DECRYPT", "HSM"),
		mk(13, "Enabled", "Aliyun_SM4", "ENCRYPT/DECRYPT", "SOFTWARE"),
		mk(14, "Enabled", "Aliyun_AES_256", "ENCRYPT/DECRYPT", "SOFTWARE"),
	}
	keys[0].Aliases = []string{"alias/app-data", "alias/app-data-backup"}
	keys[0].Tags = []Tag{{"env", "prod"}, {"team", "payments"}}
	keys[0].AutomaticRotation, keys[0].RotationInterval = "Enabled", 365*24*time.Hour
	keys[0].LastRotationDate, keys[0].NextRotationDate = t(20), t(20).Add(365*24*time.Hour)
	keys[0].DeletionProtection, keys[0].DeletionProtectionDescription = true, "protects prod data"
	keys[1].DKMSInstanceID, keys[1].Aliases = "kst-hzz65f176a0ogplgq****", []string{"alias/dkms"}
	keys[1].Policy = DemoPolicy(account)
	keys[3].Tags = []Tag{{"env", "dev"}}
	keys[5].DeleteDate = t(30).Add(7 * 24 * time.Hour)
	keys[6].AutomaticRotation = "Suspended"
	keys[8].Origin, keys[8].Versions = "EXTERNAL", nil
	keys[9].Origin, keys[9].MaterialExpireTime = "EXTERNAL", t(28).AddDate(1, 0, 0)
	keys[10].Creator, keys[10].CreatorType = "Oss", "Service"
	keys[11].Creator, keys[11].CreatorType = "Ecs", "Service"
	return keys
}

// DefaultPolicy is the key policy GetKeyPolicy returns for a key in a KMS
// instance that was given none: the account's root may do everything, as
// the policy the cloud attaches by default.
func DefaultPolicy(account string) string {
	return `{"Version":"1","Statement":[{"Sid":"Enable RAM User Permissions","Effect":"Allow",` +
		`"Principal":{"RAM":["acs:ram::` + account + `:*"]},"Action":["kms:*"],"Resource":["*"]}]}`
}

// DemoPolicy is the key policy of the demo key in a KMS instance: the
// account's RAM identities may do everything, an auditor role of another
// account may describe and list from one network, and nobody may schedule
// the key's deletion.
func DemoPolicy(account string) string {
	return `{"Version":"1","Statement":[` +
		`{"Sid":"Enable RAM User Permissions","Effect":"Allow","Principal":{"RAM":["acs:ram::` + account + `:*"]},"Action":["kms:*"],"Resource":["*"]},` +
		`{"Sid":"Auditor","Effect":"Allow","Principal":{"RAM":["acs:ram::9876543210987654:role/auditor"]},` +
		`"Action":["kms:DescribeKey","kms:List*"],"Resource":["*"],"Condition":{"IpAddress":{"acs:SourceIp":["203.0.113.0/24"]}}},` +
		`{"Sid":"No deletion","Effect":"Deny","Principal":{"RAM":["*"]},"Action":["kms:ScheduleKeyDeletion"],"Resource":["*"]}]}`
}

// Client returns a real SDK client for the server: plain HTTP to its
// loopback address, signed with its AccessKey (and SecurityToken, with
// WithSecurityToken), with SDK retries off.
func (s *Server) Client() (*alikms.Client, error) {
	cfg := sdk.NewConfig()
	cfg.Scheme = "HTTP"
	cfg.AutoRetry = false
	cfg.MaxRetryTime = 0
	var cred auth.Credential = credentials.NewAccessKeyCredential(s.keyID, s.secret)
	if s.token != "" {
		cred = credentials.NewStsTokenCredential(s.keyID, s.secret, s.token)
	}
	c, err := alikms.NewClientWithOptions(s.Region(), cfg, cred)
	if err != nil {
		return nil, err
	}
	c.Domain = s.Host()
	return c, nil
}
