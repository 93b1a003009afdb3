package alibabakms_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
	emu "github.com/multikms/multikms/providers/alibabakms/alibabakmstest"
)

// TestRotation: every rotation case, from DescribeKey alone: an
// IncludeRotation listing sends the pages and one describe per key, and
// nothing else.
func TestRotation(t *testing.T) {
	day := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	mk := func(id, spec, usage, origin, rotation string) emu.Key {
		return emu.Key{ID: id, State: "Enabled", Spec: spec, Usage: usage, Origin: origin, AutomaticRotation: rotation}
	}
	keys := []emu.Key{
		mk("key-rot-enabled", "Aliyun_AES_256", "ENCRYPT/DECRYPT", "Aliyun_KMS", "Enabled"),
		mk("key-rot-disabled", "Aliyun_SM4", "ENCRYPT/DECRYPT", "Aliyun_KMS", "Disabled"),
		mk("key-rot-suspended", "Aliyun_AES_256", "ENCRYPT/DECRYPT", "Aliyun_KMS", "Suspended"),
		mk("key-rot-rsa", "RSA_2048", "SIGN/VERIFY", "Aliyun_KMS", "Enabled"),
		mk("key-rot-ec", "EC_P256", "ENCRYPT/DECRYPT", "Aliyun_KMS", "Disabled"),
		mk("key-rot-hmac", "HMAC_SHA256", "GENERATE/VERIFY_MAC", "Aliyun_KMS", "Disabled"),
		mk("key-rot-external", "Aliyun_AES_256", "ENCRYPT/DECRYPT", "EXTERNAL", "Disabled"),
		mk("key-rot-unknown", "Aliyun_AES_256", "ENCRYPT/DECRYPT", "Aliyun_KMS", ""),
	}
	keys[0].RotationInterval, keys[0].LastRotationDate, keys[0].NextRotationDate = 90*24*time.Hour, day, day.Add(90*24*time.Hour)
	want := map[string]kms.RotationStatus{
		"key-rot-enabled": kms.RotationEnabled, "key-rot-disabled": kms.RotationDisabled, "key-rot-suspended": kms.RotationDisabled,
		"key-rot-rsa": kms.RotationUnsupported, "key-rot-ec": kms.RotationUnsupported, "key-rot-hmac": kms.RotationUnsupported,
		"key-rot-external": kms.RotationUnsupported, "key-rot-unknown": kms.RotationUnknown,
	}
	s, l := setup(t, []emu.Option{emu.WithKeys(keys...)})
	got, err := kmstest.Collect(l.ListKeys(bg, kms.ListOptions{Include: kms.IncludeRotation}))
	if err != nil || len(got) != len(keys) {
		t.Fatalf("%d keys, %v", len(got), err)
	}
	for _, k := range got {
		if k.AutomaticRotation != want[k.ID] || k.Detail != kms.DetailBasic || k.DetailErr != nil {
			t.Errorf("%s: rotation %q (detail %v, %v), want %q", k.ID, k.AutomaticRotation, k.Detail, k.DetailErr, want[k.ID])
		}
	}
	if k := got[0]; k.RotationPeriod != 90*24*time.Hour || !k.RotatedAt.Equal(day) || !k.NextRotationAt.Equal(day.Add(90*24*time.Hour)) {
		t.Errorf("enabled key: period %v, rotated %v, next %v", k.RotationPeriod, k.RotatedAt, k.NextRotationAt)
	}
	if s.Requests() != 1+len(keys) || s.Count("DescribeKey") != len(keys) {
		t.Errorf("%d requests (%d describes); want one page and one describe per key", s.Requests(), s.Count("DescribeKey"))
	}
	// A refused describe leaves the rotation unknown, never disabled.
	s.FailNext("DescribeKey", 1, 403, "Forbidden.NoPermission")
	got, err = kmstest.Collect(l.ListKeys(bg, kms.ListOptions{Include: kms.IncludeRotation, MaxItems: 1}))
	if err != nil || len(got) != 1 || got[0].AutomaticRotation != kms.RotationUnknown || !errors.Is(got[0].DetailErr, kms.ErrPermissionDenied) {
		t.Errorf("denied describe: %+v, %v", got, err)
	}
}

// TestPolicyAndAccess: only keys in a KMS instance get GetKeyPolicy, once
// for both IncludePolicy and IncludeAccess; Access lists every principal of
// the Allow statements, conditions marked.
func TestPolicyAndAccess(t *testing.T) {
	s, l := demo(t)
	inst := emu.DemoKeys(emu.DefaultAccount)[1]
	for _, inc := range []kms.Include{kms.IncludePolicy, kms.IncludeAccess, kms.IncludePolicy | kms.IncludeAccess} {
		s.ResetCounts()
		keys, err := kmstest.Collect(l.ListKeys(bg, kms.ListOptions{Include: inc}))
		if err != nil || len(keys) != 14 {
			t.Fatalf("Include %v: %d keys, %v", inc, len(keys), err)
		}
		if n := s.Count("GetKeyPolicy"); n != 1 {
			t.Errorf("Include %v: %d GetKeyPolicy, want 1 (one key is in a KMS instance)", inc, n)
		}
		for _, k := range keys {
			if k.ID != inst.ID {
				if k.Policy != "" || k.Access != nil || k.DetailErr != nil {
					t.Errorf("Include %v: %s outside an instance: policy %q access %v, %v", inc, k.ID, k.Policy, k.Access, k.DetailErr)
				}
				continue
			}
			if wantPolicy := inc.Has(kms.IncludePolicy); (k.Policy == inst.Policy) != wantPolicy {
				t.Errorf("Include %v: policy %q", inc, k.Policy)
			}
			wantAccess := []kms.Access{
				{Principal: "acs:ram::" + emu.DefaultAccount + ":*", PrincipalType: "RAM", Actions: []string{"kms:*"}, Source: "policy"},
				{Principal: "acs:ram::9876543210987654:role/auditor", PrincipalType: "RAM", Actions: []string{"kms:DescribeKey", "kms:List*"},
					Source: "policy", Conditional: true},
			}
			if !inc.Has(kms.IncludeAccess) {
				wantAccess = nil
			}
			if fmt.Sprint(k.Access) != fmt.Sprint(wantAccess) {
				t.Errorf("Include %v: access %+v, want %+v", inc, k.Access, wantAccess)
			}
		}
	}
	s.FailNext("GetKeyPolicy", 1, 403, "Forbidden.NoPermission")
	k, err := l.DescribeKeyInclude(bg, inst.ID, kms.IncludePolicy|kms.IncludeTags)
	if err != nil || k.ID != inst.ID || k.Policy != "" || !errors.Is(k.DetailErr, kms.ErrPermissionDenied) || len(k.Aliases) != 1 {
		t.Errorf("denied policy: %+v, %v; want the key with the reason", k, err)
	}
	k, err = l.DescribeKeyInclude(bg, inst.ID, kms.IncludePolicy)
	if err != nil || k.Policy != inst.Policy || k.DetailErr != nil {
		t.Errorf("DescribeKeyInclude: %q, %v, %v", k.Policy, k.DetailErr, err)
	}
}

// TestPublicPolicy: a "*" principal without conditions is open to anyone.
func TestPublicPolicy(t *testing.T) {
	keys := []emu.Key{{ID: "key-open", State: "Enabled", Spec: "Aliyun_AES_256", Usage: "ENCRYPT/DECRYPT", DKMSInstanceID: "kst-open",
		Policy: `{"Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":"*"},"Action":"kms:Decrypt","Resource":"*"}]}`}}
	_, l := setup(t, []emu.Option{emu.WithKeys(keys...)})
	k, err := l.DescribeKeyInclude(bg, "key-open", kms.IncludeAccess)
	if err != nil || len(k.Access) != 1 || k.Access[0].Principal != "*" || k.Access[0].Conditional ||
		!slices.Equal(k.Access[0].Actions, []string{"kms:Decrypt"}) {
		t.Fatalf("%+v, %v", k.Access, err)
	}
}

// TestAliasPlan: a DetailFull listing fetches the aliases with whichever
// sends fewer requests: one ListAliases pass, or ListAliasesByKeyId per
// key; both give the same aliases as DescribeKey.
func TestAliasPlan(t *testing.T) {
	many := func(id string, n int) emu.Key {
		k := emu.Key{ID: id, State: "Enabled", Spec: "Aliyun_AES_256", Usage: "ENCRYPT/DECRYPT"}
		for i := range n {
			k.Aliases = append(k.Aliases, fmt.Sprintf("alias/%s-%03d", id, i))
		}
		return k
	}
	cases := []struct {
		name            string
		keys            []emu.Key
		opts            kms.ListOptions
		pass, byKey, ok int // ListAliases, ListAliasesByKeyId requests; keys listed
	}{
		{"demo: one pass", emu.DemoKeys(emu.DefaultAccount), kms.ListOptions{Detail: kms.DetailFull}, 1, 0, 14},
		{"one key: per key, no probe", emu.DemoKeys(emu.DefaultAccount), kms.ListOptions{Detail: kms.DetailFull, MaxItems: 1}, 0, 1, 1},
		{"many aliases: per key", []emu.Key{many("key-a", 150), many("key-b", 150), many("key-c", 150)},
			kms.ListOptions{Detail: kms.DetailFull}, 1, 6, 3},
		{"300 aliases of 3 keys: a 3-page pass", []emu.Key{many("key-a", 100), many("key-b", 100), many("key-c", 100)},
			kms.ListOptions{Detail: kms.DetailFull}, 3, 0, 3},
	}
	for _, tc := range cases {
		s, l := setup(t, []emu.Option{emu.WithKeys(tc.keys...)})
		keys, err := kmstest.Collect(l.ListKeys(bg, tc.opts))
		if err != nil || len(keys) != tc.ok {
			t.Fatalf("%s: %d keys, %v", tc.name, len(keys), err)
		}
		if p, b := s.Count("ListAliases"), s.Count("ListAliasesByKeyId"); p != tc.pass || b != tc.byKey {
			t.Errorf("%s: %d ListAliases, %d ListAliasesByKeyId; want %d, %d", tc.name, p, b, tc.pass, tc.byKey)
		}
		for i, k := range keys {
			if !slices.Equal(k.Aliases, tc.keys[i].Aliases) || k.DetailErr != nil {
				t.Errorf("%s: %s aliases %v (%v), want %v", tc.name, k.ID, k.Aliases, k.DetailErr, tc.keys[i].Aliases)
			}
			d, err := l.DescribeKey(bg, k.ID)
			if err != nil || !slices.Equal(d.Aliases, k.Aliases) {
				t.Errorf("%s: DescribeKey(%s) aliases %v, the listing %v", tc.name, k.ID, d.Aliases, k.Aliases)
			}
		}
	}
	// A denied ListAliases leaves the aliases per key, unharmed.
	s, l := demo(t)
	s.FailNext("ListAliases", 1, 403, "Forbidden.RAM")
	keys, err := kmstest.Collect(l.ListKeys(bg, kms.ListOptions{Detail: kms.DetailFull}))
	if err != nil || len(keys) != 14 || keys[0].DetailErr != nil || len(keys[0].Aliases) != 2 || s.Count("ListAliasesByKeyId") != 14 {
		t.Errorf("denied pass: %d keys, %v, %d ListAliasesByKeyId", len(keys), err, s.Count("ListAliasesByKeyId"))
	}
}
