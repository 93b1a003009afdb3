package alibabakms

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/multikms/multikms/kms"
	emu "github.com/multikms/multikms/providers/alibabakms/alibabakmstest"
)

func TestFilterEncoding(t *testing.T) {
	cases := []struct {
		name     string
		f        kms.Filter
		creators []string
		inst     []string
		want     string
		residual kms.Filter
		none     bool
	}{
		{name: "zero", want: ""},
		{name: "states", f: kms.Filter{States: []kms.KeyState{kms.StateEnabled, kms.StateDisabled, kms.StateEnabled}},
			want: `[{"Key":"KeyState","Values":["Enabled","Disabled"]}]`},
		{name: "all pushable", f: kms.Filter{
			States: []kms.KeyState{kms.StatePendingDeletion}, Specs: []string{"EC_SM2", "Aliyun_SM4"},
			Usages: []kms.KeyUsage{kms.UsageSignVerify}, Protections: []kms.ProtectionLevel{kms.ProtectionHSM}},
			creators: []string{"Service"}, inst: []string{"kst-abc"},
			want: `[{"Key":"KeyState","Values":["PendingDeletion"]},{"Key":"KeySpec","Values":["EC_SM2","Aliyun_SM4"]},` +
				`{"Key":"KeyUsage","Values":["SIGN/VERIFY"]},{"Key":"ProtectionLevel","Values":["HSM"]},` +
				`{"Key":"CreatorType","Values":["Service"]},{"Key":"DKMSInstanceId","Values":["kst-abc"]}]`},
		{name: "partly unmappable", f: kms.Filter{States: []kms.KeyState{kms.StateCreating, kms.StateEnabled}},
			want: `[{"Key":"KeyState","Values":["Enabled"]}]`},
		{name: "unmappable", f: kms.Filter{Usages: []kms.KeyUsage{kms.UsageGenerateVerifyMAC}}, none: true},
		{name: "external", f: kms.Filter{Protections: []kms.ProtectionLevel{kms.ProtectionExternal}}, none: true},
		{name: "unknown spec stays client-side", f: kms.Filter{Specs: []string{"RSA_3072", "RSA_2048"}},
			residual: kms.Filter{Specs: []string{"RSA_3072", "RSA_2048"}}},
		{name: "origins client-side", f: kms.Filter{Origins: []string{"EXTERNAL"}, States: []kms.KeyState{kms.StateEnabled}},
			want: `[{"Key":"KeyState","Values":["Enabled"]}]`, residual: kms.Filter{Origins: []string{"EXTERNAL"}}},
	}
	for _, tc := range cases {
		pd, err := buildPushdown(tc.f, tc.creators, tc.inst)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if pd.filters != tc.want || pd.none != tc.none || pd.residual.String() != tc.residual.String() {
			t.Errorf("%s: got %q none=%v residual=%q\nwant %q none=%v residual=%q",
				tc.name, pd.filters, pd.none, pd.residual, tc.want, tc.none, tc.residual)
		}
		if _, err := emu.ParseFilters(pd.filters); err != nil {
			t.Errorf("%s: the emulator refuses %q: %v", tc.name, pd.filters, err)
		}
	}
	var eleven []filterPair
	for range 11 {
		eleven = append(eleven, filterPair{Key: "KeyState", Values: []string{"Enabled"}})
	}
	if _, err := encodeFilters(eleven); err == nil {
		t.Error("11 pairs accepted")
	}
	vals := make([]string, 25)
	for i := range vals {
		vals[i] = fmt.Sprintf("kst-%d", i)
	}
	enc, err := encodeFilters([]filterPair{{Key: "DKMSInstanceId", Values: vals}})
	parsed, perr := emu.ParseFilters(enc)
	if err != nil || perr != nil || !slices.Equal(parsed["DKMSInstanceId"], vals) || strings.Count(enc, `"Key"`) != 3 {
		t.Errorf("25 values: %q %v %v", enc, err, perr)
	}
	if _, err := encodeFilters([]filterPair{{Key: "DKMSInstanceId", Values: make([]string, 101)}}); err == nil {
		t.Error("101 values accepted")
	}
}

// fuzzKeys are emulator keys covering every filterable value.
func fuzzKeys() []emu.Key {
	keys := emu.DemoKeys(emu.DefaultAccount)
	keys = append(keys, emu.Key{ID: "key-odd", State: "Enabled", Spec: "RSA_3072", Usage: "ENCRYPT/DECRYPT",
		Protection: "SOFTWARE", CreatorType: "User", DKMSInstanceID: "kst-two"})
	return keys
}

// portableView maps an emulator key the way the adapter's filter sees it.
func portableView(k emu.Key) kms.Key {
	return kms.Key{State: portableStates[k.State], Usage: portableUsages[k.Usage],
		Protection: portableProtections[k.Protection], Spec: k.Spec, Origin: k.Origin}
}

func pick[T any](mask uint16, all []T) []T {
	var out []T
	for i, v := range all {
		if mask&(1<<i) != 0 {
			out = append(out, v)
		}
	}
	return out
}

// FuzzFiltersRoundTrip encodes random filters with the adapter and parses
// them with the emulator: the server-side selection must be exactly what
// the portable filter (without its client-side residue) selects.
func FuzzFiltersRoundTrip(f *testing.F) {
	f.Add(uint16(1), uint16(0), uint16(0), uint16(0), uint8(0))
	f.Add(uint16(3), uint16(1), uint16(2), uint16(5), uint8(3))
	f.Add(uint16(0x30), uint16(0xc), uint16(4), uint16(0x80), uint8(0xff))
	states := []kms.KeyState{kms.StateEnabled, kms.StateDisabled, kms.StatePendingDeletion, kms.StatePendingImport, kms.StateCreating, kms.StateUnavailable}
	usages := []kms.KeyUsage{kms.UsageEncryptDecrypt, kms.UsageSignVerify, kms.UsageGenerateVerifyMAC, kms.UsageKeyAgreement}
	prots := []kms.ProtectionLevel{kms.ProtectionSoftware, kms.ProtectionHSM, kms.ProtectionExternal}
	specs := append(slices.Clone(filterSpecs), "RSA_3072")
	f.Fuzz(func(t *testing.T, sm, um, pm, specm uint16, extra uint8) {
		flt := kms.Filter{States: pick(sm, states), Usages: pick(um, usages), Protections: pick(pm, prots), Specs: pick(specm, specs)}
		creators := pick(uint16(extra&3), []string{"User", "Service"})
		inst := pick(uint16(extra>>2&3), []string{"kst-hzz65f176a0ogplgq****", "kst-two"})
		pd, err := buildPushdown(flt, creators, inst)
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := emu.ParseFilters(pd.filters)
		if err != nil {
			t.Fatalf("emulator refuses %q: %v", pd.filters, err)
		}
		server := flt
		server.Specs = nil
		if pd.residual.Specs == nil {
			server.Specs = flt.Specs
		}
		for _, k := range fuzzKeys() {
			want := server.Match(portableView(k)) &&
				(len(creators) == 0 || slices.Contains(creators, k.CreatorType)) &&
				(len(inst) == 0 || slices.Contains(inst, k.DKMSInstanceID))
			got := !pd.none && parsed.Match(&k)
			if got != want {
				t.Fatalf("key %s (%s %s %s %s): server keeps %v, portable filter %v; Filters %q", k.ID,
					k.State, k.Usage, k.Protection, k.Spec, got, want, pd.filters)
			}
		}
	})
}

// FuzzParseFilters: whatever the emulator accepts, the adapter's encoder
// renders back to a parameter the emulator reads the same way.
func FuzzParseFilters(f *testing.F) {
	f.Add(`[{"Key":"KeyState","Values":["Enabled","Disabled"]},{"Key":"KeyState","Values":["PendingDeletion"]}]`)
	f.Add(`[{"Key":"DKMSInstanceId","Values":["kst-1"]},{"Key":"KeyUsage","Values":[]}]`)
	f.Add(`[]`)
	f.Add(`null`)
	f.Fuzz(func(t *testing.T, s string) {
		parsed, err := emu.ParseFilters(s)
		if err != nil {
			return
		}
		var pairs []filterPair
		for _, key := range slices.Sorted(maps.Keys(parsed)) {
			pairs = append(pairs, filterPair{Key: key, Values: parsed[key]})
		}
		enc, err := encodeFilters(pairs)
		if err != nil {
			t.Fatalf("encode %v: %v", pairs, err)
		}
		again, err := emu.ParseFilters(enc)
		if err != nil {
			t.Fatalf("re-parse %q: %v", enc, err)
		}
		for key, vals := range parsed {
			if len(vals) > 0 && !slices.Equal(again[key], vals) {
				t.Fatalf("%s: %v became %v", key, vals, again[key])
			}
		}
	})
}
