package awskms_test

import (
	"net/http"
	"sync/atomic"
	"testing"

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
			s := awskmstest.New(awskmstest.WithGeneratedKeys(20))
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
	return kms.Key{
		Provider: kms.ProviderAWS, ID: k.ID, ARN: "arn:aws:kms:" + s.Region() + ":" + s.Account() + ":key/" + k.ID,
		Region: s.Region(), Account: s.Account(), Description: k.Description,
		State: states[k.State], NativeState: k.State, Usage: usages[k.Usage], NativeUsage: k.Usage,
		Spec: k.Spec, Origin: k.Origin, Protection: protection, NativeProtection: k.Origin,
		Enabled: k.State == "Enabled", CreatedAt: k.Created, Aliases: k.Aliases, MultiRegion: k.MultiRegion,
		Detail: kms.DetailFull,
	}
}

func wantVersions(k awskmstest.Key) []kms.KeyVersion {
	vs := make([]kms.KeyVersion, len(k.Materials))
	for i, m := range k.Materials {
		vs[i] = kms.KeyVersion{Provider: kms.ProviderAWS, KeyID: k.ID, ID: m.ID, State: kms.VersionEnabled,
			NativeState: m.State, Primary: m.State == "CURRENT", CreatedAt: m.RotationDate, RotationType: m.RotationType}
	}
	return vs
}
