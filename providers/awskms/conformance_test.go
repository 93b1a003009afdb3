package awskms_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmssdk "github.com/aws/aws-sdk-go-v2/service/kms"
	"go.uber.org/goleak"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
	"github.com/multikms/multikms/providers/awskms"
	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// httpLeaks are the goroutines of the emulator's keep-alive connections,
// which live until the emulator is closed in the test's cleanup.
var httpLeaks = []goleak.Option{
	goleak.IgnoreAnyFunction("net/http.(*persistConn).readLoop"),
	goleak.IgnoreAnyFunction("net/http.(*persistConn).writeLoop"),
	goleak.IgnoreAnyFunction("net/http.(*conn).serve"),
}

// setup starts an emulator with opts and returns it and an SDK client for it.
func setup(t testing.TB, opts ...awskmstest.Option) (*awskmstest.Server, *kmssdk.Client) {
	t.Helper()
	s := awskmstest.New(opts...)
	t.Cleanup(s.Close)
	return s, kmssdk.NewFromConfig(s.Config())
}

func TestConformance(t *testing.T) {
	kmstest.RunConformance(t, kmstest.Harness{
		LeakOptions: httpLeaks,
		Setup: func(t *testing.T) kmstest.Fixture {
			keys := awskmstest.GenerateKeys(20)
			for i := range keys {
				keys[i].Policy = fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",`+
					`"Principal":{"AWS":"arn:aws:iam::111122223333:role/r%d"},"Action":["kms:Decrypt"],"Resource":"*"}]}`, i)
			}
			s := awskmstest.New(awskmstest.WithKeys(keys...))
			t.Cleanup(s.Close)
			// Count requests as the client sends them: the emulator counts
			// them on arrival, after a cancelled prefetch may have sent one.
			cfg := s.Config()
			sent := &countingClient{next: cfg.HTTPClient}
			cfg.HTTPClient = sent
			fx := kmstest.Fixture{
				Lister:        awskms.New(kmssdk.NewFromConfig(cfg), awskms.WithOperationRateLimit(awskms.OpListKeys, 1e6, 1000)), // paged hundreds of times
				Versions:      map[string][]kms.KeyVersion{},
				MissingKeyRef: "0d990263-018e-4e65-a703-eff731de951e",
				MaxPageSize:   awskms.MaxPageSize,
				Requests:      func() int { return int(sent.n.Load()) },
				Extras:        kms.IncludeTags | kms.IncludeRotation | kms.IncludePolicy | kms.IncludeAccess,
			}
			for _, k := range s.Keys() {
				fx.Keys = append(fx.Keys, want(s, k))
				if len(k.Materials) > 0 {
					fx.Versions[k.ID] = wantVersions(k)
				}
			}
			return fx
		},
	})
}

// countingClient counts the requests an SDK client sends.
type countingClient struct {
	next aws.HTTPClient
	n    atomic.Int64
}

func (c *countingClient) Do(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.Do(r)
}

// want is the key the adapter must make of an emulator key, written out
// independently of its mapping code.
func want(s *awskmstest.Server, k awskmstest.Key) kms.Key {
	states := map[string]kms.KeyState{"Enabled": kms.StateEnabled, "Disabled": kms.StateDisabled,
		"PendingDeletion": kms.StatePendingDeletion, "PendingImport": kms.StatePendingImport}
	usages := map[string]kms.KeyUsage{"ENCRYPT_DECRYPT": kms.UsageEncryptDecrypt, "SIGN_VERIFY": kms.UsageSignVerify,
		"GENERATE_VERIFY_MAC": kms.UsageGenerateVerifyMAC, "KEY_AGREEMENT": kms.UsageKeyAgreement}
	protection := kms.ProtectionHSM // AWS KMS, imported and CloudHSM keys
	if k.Origin == "EXTERNAL_KEY_STORE" {
		protection = kms.ProtectionExternal
	}
	key := kms.Key{
		Provider: kms.ProviderAWS, ID: k.ID, ARN: "arn:aws:kms:" + s.Region() + ":" + s.Account() + ":key/" + k.ID,
		Region: s.Region(), Account: s.Account(), Description: k.Description,
		State: states[k.State], NativeState: k.State, Usage: usages[k.Usage], NativeUsage: k.Usage,
		Spec: k.Spec, Origin: k.Origin, Protection: protection, NativeProtection: k.Origin,
		Enabled: k.State == "Enabled", CreatedAt: k.Created, Aliases: k.Aliases, MultiRegion: k.MultiRegion,
		Detail: kms.DetailFull, Policy: k.Policy,
	}
	if len(k.Tags) > 0 {
		key.Labels = map[string]string{}
		for _, tag := range k.Tags {
			key.Labels[tag.Key] = tag.Value
		}
	}
	wantRotation(&key, k)
	key.Access = wantAccess(k)
	return key
}

// wantRotation is the rotation AWS documents for k: AWS-managed keys
// rotate yearly; customer-managed symmetric AWS_KMS keys outside custom
// key stores as set (not while pending deletion), next after their last
// material; the others cannot rotate.
func wantRotation(key *kms.Key, k awskmstest.Key) {
	const year = 365 * 24 * time.Hour
	switch {
	case k.Manager == "AWS":
		key.AutomaticRotation, key.RotationPeriod = kms.RotationEnabled, year
	case k.Spec != "SYMMETRIC_DEFAULT" || k.Origin != "AWS_KMS" || k.CustomKeyStoreID != "":
		key.AutomaticRotation = kms.RotationUnsupported
	case !k.RotationEnabled || k.State == "PendingDeletion":
		key.AutomaticRotation = kms.RotationDisabled
	default:
		key.AutomaticRotation, key.RotationPeriod = kms.RotationEnabled, year
		if k.RotationPeriodDays != 0 {
			key.RotationPeriod = time.Duration(k.RotationPeriodDays) * 24 * time.Hour
		}
		last := k.Created
		for _, m := range k.Materials {
			if m.RotationDate.After(last) {
				last = m.RotationDate
			}
		}
		key.NextRotationAt = last.Add(key.RotationPeriod)
	}
}

// wantAccess is the policy's one Allow statement and every grant.
func wantAccess(k awskmstest.Key) []kms.Access {
	var policy struct {
		Statement []struct {
			Principal struct{ AWS string }
			Action    []string
		}
	}
	if err := json.Unmarshal([]byte(k.Policy), &policy); err != nil {
		panic(err)
	}
	st := policy.Statement[0]
	out := []kms.Access{{Principal: st.Principal.AWS, PrincipalType: "AWS", Actions: st.Action, Source: kms.AccessFromPolicy}}
	for _, g := range k.Grants {
		out = append(out, kms.Access{Principal: g.GranteePrincipal, PrincipalType: "Grantee", Actions: g.Operations,
			Source: kms.AccessFromGrant, Conditional: len(g.EncryptionContextSubset)+len(g.EncryptionContextEquals) > 0})
	}
	return out
}

func wantVersions(k awskmstest.Key) []kms.KeyVersion {
	vs := make([]kms.KeyVersion, len(k.Materials))
	for i, m := range k.Materials {
		vs[i] = kms.KeyVersion{Provider: kms.ProviderAWS, KeyID: k.ID, ID: m.ID, State: kms.VersionEnabled,
			NativeState: m.State, Primary: m.State == "CURRENT", CreatedAt: m.RotationDate, RotationType: m.RotationType}
	}
	return vs
}
