package alibabakms_test

import (
	"fmt"
	"maps"
	"reflect"
	"testing"
	"time"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
	"github.com/multikms/multikms/providers/alibabakms"
	emu "github.com/multikms/multikms/providers/alibabakms/alibabakmstest"
)

func TestConformance(t *testing.T) {
	kmstest.RunConformance(t, kmstest.Harness{
		Setup: func(t *testing.T) kmstest.Fixture {
			s, l := demo(t)
			fx := kmstest.Fixture{
				Lister:        l,
				Versions:      map[string][]kms.KeyVersion{},
				MissingKeyRef: "key-does-not-exist0000",
				MaxPageSize:   alibabakms.MaxPageSize,
				Requests:      s.Requests,
				Extras:        kms.IncludeTags | kms.IncludeRotation | kms.IncludePolicy | kms.IncludeAccess,
				Free:          kms.IncludeRotation, // every describe gives it
			}
			for _, k := range emu.DemoKeys(emu.DefaultAccount) {
				fx.Keys = append(fx.Keys, withExtras(wantKey(s, k), k))
				fx.Versions[k.ID] = wantVersions(k)
			}
			return fx
		},
		LeakOptions: leakOptions,
	})
}

// wantKey is what DescribeKey must return for an emulator key, written
// independently of the adapter's mapping.
func wantKey(s *emu.Server, k emu.Key) kms.Key {
	states := map[string]kms.KeyState{"Enabled": kms.StateEnabled, "Disabled": kms.StateDisabled,
		"PendingDeletion": kms.StatePendingDeletion, "PendingImport": kms.StatePendingImport}
	usages := map[string]kms.KeyUsage{"ENCRYPT/DECRYPT": kms.UsageEncryptDecrypt, "SIGN/VERIFY": kms.UsageSignVerify}
	prots := map[string]kms.ProtectionLevel{"SOFTWARE": kms.ProtectionSoftware, "HSM": kms.ProtectionHSM}
	kinds := map[string]kms.KeyKind{"Aliyun_AES_256": kms.KindSymmetric, "Aliyun_SM4": kms.KindSymmetric}
	w := kms.Key{
		Provider: kms.ProviderAlibaba, ID: k.ID, ARN: s.ARN(k.ID), Region: s.Region(), Account: s.Account(),
		Description: k.Description, Kind: kinds[k.Spec],
		State: states[k.State], NativeState: k.State, Usage: usages[k.Usage], NativeUsage: k.Usage,
		Spec: k.Spec, Origin: k.Origin, Protection: prots[k.Protection], NativeProtection: k.Protection,
		Manager: k.Creator, KeyStore: k.DKMSInstanceID, Enabled: k.State == "Enabled", CreatedAt: k.CreatedAt, DeletionAt: k.DeleteDate,
		ValidTo: k.MaterialExpireTime, RotatedAt: k.LastRotationDate, NextRotationAt: k.NextRotationDate,
		RotationPeriod: k.RotationInterval, AutomaticRotation: map[string]kms.RotationStatus{"Enabled": kms.RotationEnabled, "Disabled": kms.RotationDisabled, "Suspended": kms.RotationDisabled}[k.AutomaticRotation],
		Aliases: k.Aliases, DeletionProtection: k.DeletionProtection, Detail: kms.DetailFull,
	}
	if w.Kind == "" {
		w.Kind = map[string]kms.KeyKind{"SIGN/VERIFY": kms.KindAsymmetricSignature, "ENCRYPT/DECRYPT": kms.KindAsymmetricEncryption}[k.Usage]
	}
	if w.Kind != kms.KindSymmetric || k.Origin == "EXTERNAL" {
		w.AutomaticRotation = kms.RotationUnsupported // asymmetric and imported keys cannot rotate
	}
	if n := len(k.Versions); n > 0 {
		w.PrimaryVersion = k.Versions[n-1].ID
	}
	// DescribeKey joins aliases, not tags (IncludeTags asks a listing).
	return w
}

// withExtras adds to w what the extras fetch for k: tags, and for the key
// in a KMS instance its policy and the Allow statements of it.
func withExtras(w kms.Key, k emu.Key) kms.Key {
	if len(k.Tags) > 0 {
		w.Labels = map[string]string{}
		for _, tg := range k.Tags {
			w.Labels[tg.Key] = tg.Value
		}
	}
	if k.DKMSInstanceID != "" {
		if k.Policy != emu.DemoPolicy(emu.DefaultAccount) {
			panic("withExtras knows the demo policy only")
		}
		w.Policy = k.Policy
		w.Access = []kms.Access{
			{Principal: "acs:ram::" + emu.DefaultAccount + ":*", PrincipalType: "RAM", Actions: []string{"kms:*"}, Source: "policy"},
			{Principal: "acs:ram::9876543210987654:role/auditor", PrincipalType: "RAM", Actions: []string{"kms:DescribeKey", "kms:List*"},
				Source: "policy", Conditional: true},
		}
	}
	return w
}

func wantVersions(k emu.Key) []kms.KeyVersion {
	var out []kms.KeyVersion
	for i, v := range k.Versions {
		out = append(out, kms.KeyVersion{
			Provider: kms.ProviderAlibaba, KeyID: k.ID, ID: v.ID, CreatedAt: v.CreatedAt,
			Primary: i == len(k.Versions)-1, Algorithm: k.Spec,
			Protection: map[string]kms.ProtectionLevel{"SOFTWARE": kms.ProtectionSoftware, "HSM": kms.ProtectionHSM}[k.Protection],
		})
	}
	return out
}

// sameKey compares every field but the native objects.
func sameKey(t *testing.T, got, want kms.Key) {
	t.Helper()
	g, w := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := range g.NumField() {
		f := g.Type().Field(i)
		if !f.IsExported() {
			continue
		}
		gv, wv := g.Field(i).Interface(), w.Field(i).Interface()
		if gt, ok := gv.(time.Time); ok {
			if !gt.Equal(wv.(time.Time)) {
				t.Errorf("key %s: %s = %v, want %v", want.ID, f.Name, gv, wv)
			}
			continue
		}
		if gm, ok := gv.(map[string]string); ok {
			if !maps.Equal(gm, wv.(map[string]string)) {
				t.Errorf("key %s: %s = %v, want %v", want.ID, f.Name, gv, wv)
			}
			continue
		}
		if fmt.Sprint(gv) != fmt.Sprint(wv) {
			t.Errorf("key %s: %s = %#v, want %#v", want.ID, f.Name, gv, wv)
		}
	}
}
