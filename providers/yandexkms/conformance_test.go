package yandexkms_test

import (
	"context"
	"testing"
	"time"

	"github.com/yandex-cloud/go-genproto/yandex/cloud/access"
	kmspb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1"
	ycsdk "github.com/yandex-cloud/go-sdk"
	"go.uber.org/goleak"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
	"github.com/multikms/multikms/pagination"
	"github.com/multikms/multikms/providers/yandexkms"
	emu "github.com/multikms/multikms/providers/yandexkms/yandexkmstest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// setup starts an emulator with opts and an SDK over it, both stopped at
// cleanup.
func setup(t testing.TB, opts ...emu.Option) (*emu.Server, *ycsdk.SDK) {
	t.Helper()
	srv, err := emu.Start(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	sdk, err := ycsdk.Build(context.Background(), srv.SDKConfig())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sdk.Shutdown(context.Background()) })
	return srv, sdk
}

// unpaced is a limiter that never waits, for tests that count requests or
// time nothing.
func unpaced() yandexkms.Option { return yandexkms.WithLimiter(pagination.NewLimiter(0, 0)) }

// warm makes one request so that the SDK's connection and its goroutines
// exist before the suite's leak check takes its snapshot.
func warm(t testing.TB, sdk *ycsdk.SDK) {
	t.Helper()
	if err := sdk.CheckEndpointConnection(context.Background(), ycsdk.KMSServiceID); err != nil {
		t.Fatal(err)
	}
}

func TestConformance(t *testing.T) {
	kmstest.RunConformance(t, kmstest.Harness{
		Setup: func(t *testing.T) kmstest.Fixture {
			srv, sdk := setup(t, emu.WithGenerated(1, 20))
			warm(t, sdk)
			return fixture(srv, yandexkms.New(sdk, emu.FolderID(0), unpaced()), emu.FolderID(0))
		},
	})
}

// fixture describes what the emulator holds in the folders, in list order.
func fixture(srv *emu.Server, l kms.Lister, folders ...string) kmstest.Fixture {
	fx := kmstest.Fixture{
		Lister:        l,
		Versions:      map[string][]kms.KeyVersion{},
		MissingKeyRef: "abjmissing0000000000",
		MaxPageSize:   yandexkms.MaxPageSize,
		Requests:      func() int { return int(srv.TotalRequests()) },
	}
	if _, ok := l.(kms.IncludeDescriber); ok {
		// Labels and rotation come with every listed key; access bindings
		// cost a request per key.
		fx.Extras = kms.IncludeTags | kms.IncludeRotation | kms.IncludeAccess
		fx.Free = kms.IncludeTags | kms.IncludeRotation
	}
	for _, f := range folders {
		for _, k := range srv.SymmetricKeys(f) {
			fx.Keys = append(fx.Keys, wantSymmetric(k))
			fx.Versions[k.Id] = wantVersions(srv.Versions(k.Id))
		}
		for _, k := range srv.EncryptionKeys(f) {
			fx.Keys = append(fx.Keys, wantAsymmetric(k.Id, k.FolderId, int32(k.Status), kms.UsageEncryptDecrypt, k.EncryptionAlgorithm.String(), k.Labels))
		}
		for _, k := range srv.SignatureKeys(f) {
			fx.Keys = append(fx.Keys, wantAsymmetric(k.Id, k.FolderId, int32(k.Status), kms.UsageSignVerify, k.SignatureAlgorithm.String(), k.Labels))
		}
	}
	for i := range fx.Keys {
		fx.Keys[i].Access = wantAccess(srv.AccessBindings(fx.Keys[i].ID))
	}
	return fx
}

// wantAccess is what the adapter must make of a key's access bindings.
func wantAccess(bs []*access.AccessBinding) []kms.Access {
	var out []kms.Access
	for _, b := range bs {
		out = append(out, kms.Access{Principal: b.Subject.Id, PrincipalType: b.Subject.Type,
			Actions: []string{b.RoleId}, Source: "binding"})
	}
	return out
}

var wantStates = map[int32]kms.KeyState{1: kms.StateCreating, 2: kms.StateEnabled, 3: kms.StateDisabled}

// wantSymmetric is the key the adapter must make of a symmetric key,
// written out independently of its mapping code.
func wantSymmetric(k *kmspb.SymmetricKey) kms.Key {
	prot := kms.ProtectionSoftware
	if k.PrimaryVersion.HostedByHsm {
		prot = kms.ProtectionHSM
	}
	var period time.Duration
	var next time.Time
	rotation := kms.RotationDisabled
	if k.RotationPeriod != nil {
		period = k.RotationPeriod.AsDuration()
		rotation, next = kms.RotationEnabled, k.RotatedAt.AsTime().Add(period)
	}
	return kms.Key{
		Provider: kms.ProviderYandex, ID: k.Id, FolderID: k.FolderId, Name: k.Name, Description: k.Description,
		Kind: kms.KindSymmetric, State: wantStates[int32(k.Status)], NativeState: k.Status.String(),
		Usage: kms.UsageEncryptDecrypt, Spec: k.DefaultAlgorithm.String(), Protection: prot,
		Enabled: k.Status == kmspb.SymmetricKey_ACTIVE, CreatedAt: k.CreatedAt.AsTime(),
		RotatedAt: k.RotatedAt.AsTime(), RotationPeriod: period, PrimaryVersion: k.PrimaryVersion.Id,
		AutomaticRotation: rotation, NextRotationAt: next,
		Labels: k.Labels, DeletionProtection: k.DeletionProtection, Detail: kms.DetailFull,
	}
}

func wantAsymmetric(id, folderID string, status int32, usage kms.KeyUsage, spec string, labels map[string]string) kms.Key {
	return kms.Key{
		Provider: kms.ProviderYandex, ID: id, FolderID: folderID, State: wantStates[status],
		Usage: usage, Spec: spec, Protection: kms.ProtectionSoftware, Detail: kms.DetailFull,
		Labels: labels, AutomaticRotation: kms.RotationUnsupported,
	}
}

func wantVersions(vs []*kmspb.SymmetricKeyVersion) []kms.KeyVersion {
	states := map[kmspb.SymmetricKeyVersion_Status]kms.KeyVersionState{
		kmspb.SymmetricKeyVersion_ACTIVE:                    kms.VersionEnabled,
		kmspb.SymmetricKeyVersion_SCHEDULED_FOR_DESTRUCTION: kms.VersionPendingDeletion,
		kmspb.SymmetricKeyVersion_DESTROYED:                 kms.VersionDestroyed,
	}
	out := make([]kms.KeyVersion, len(vs))
	for i, v := range vs {
		out[i] = kms.KeyVersion{Provider: kms.ProviderYandex, KeyID: v.KeyId, ID: v.Id, State: states[v.Status], Primary: v.Primary}
	}
	return out
}
