package kms_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/multikms/multikms/kms"
)

func TestParseFilter(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"states=Disabled|Enabled;usages=SignVerify", "states=Disabled|Enabled;usages=SignVerify"},
		{"state=enabled,disabled usage=SIGNVERIFY", "states=Disabled|Enabled;usages=SignVerify"},
		{"  spec=RSA_2048|AES_256\torigin=AWS_KMS protection=hsm ", "protections=HSM;specs=AES_256|RSA_2048;origins=AWS_KMS"},
	} {
		f, err := kms.ParseFilter(tc.in)
		if err != nil || f.String() != tc.want {
			t.Errorf("ParseFilter(%q) = %q, %v; want %q", tc.in, f, err, tc.want)
		}
	}
	for _, tc := range []struct{ in, field, allowed string }{
		{"state=Gone", "filter.states", "Enabled, Disabled"},
		{"colour=red", "filter", "state, usage, protection, spec, origin"},
		{"state", "filter", "name=value"},
		{"state=Enabled state=Disabled", "filter.states", "given twice"},
		{"usage=", "filter.usages", "at least one value"},
		{"protection=Cloud", "filter.protections", "Software, HSM, External"},
		{"spec=" + strings.Repeat("a,", 11), "Filter.Specs", "at most 10"},
	} {
		_, err := kms.ParseFilter(tc.in)
		if !errors.Is(err, kms.ErrInvalidArgument) || !strings.Contains(err.Error(), tc.field) || !strings.Contains(err.Error(), tc.allowed) {
			t.Errorf("ParseFilter(%q): %v; want an error naming %s and %q", tc.in, err, tc.field, tc.allowed)
		}
	}
}

// FuzzParseFilter: whatever ParseFilter accepts, its String reads back to
// the same filter.
func FuzzParseFilter(f *testing.F) {
	f.Add("states=Disabled|Enabled;usages=SignVerify")
	f.Add("spec=RSA_2048 origin=EXTERNAL protection=External")
	f.Fuzz(func(t *testing.T, s string) {
		flt, err := kms.ParseFilter(s)
		if err != nil {
			if !errors.Is(err, kms.ErrInvalidArgument) {
				t.Fatalf("ParseFilter(%q): %v is not ErrInvalidArgument", s, err)
			}
			return
		}
		back, err := kms.ParseFilter(flt.String())
		if err != nil || back.String() != flt.String() {
			t.Fatalf("ParseFilter(%q) = %q; read back %q, %v", s, flt, back, err)
		}
	})
}
