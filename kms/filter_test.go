package kms_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/multikms/multikms/kms"
)

func TestFilterMatch(t *testing.T) {
	key := kms.Key{ID: "k", State: kms.StateEnabled, Usage: kms.UsageSignVerify, Protection: kms.ProtectionHSM,
		Spec: "RSA_2048", Origin: "AWS_KMS"}
	tests := []struct {
		name   string
		filter kms.Filter
		want   bool
	}{
		{"zero matches all", kms.Filter{}, true},
		{"state", kms.Filter{States: []kms.KeyState{kms.StateEnabled}}, true},
		{"other state", kms.Filter{States: []kms.KeyState{kms.StateDisabled}}, false},
		{"OR within states", kms.Filter{States: []kms.KeyState{kms.StateDisabled, kms.StateEnabled}}, true},
		{"usage", kms.Filter{Usages: []kms.KeyUsage{kms.UsageSignVerify}}, true},
		{"other usage", kms.Filter{Usages: []kms.KeyUsage{kms.UsageEncryptDecrypt}}, false},
		{"protection", kms.Filter{Protections: []kms.ProtectionLevel{kms.ProtectionHSM}}, true},
		{"other protection", kms.Filter{Protections: []kms.ProtectionLevel{kms.ProtectionSoftware}}, false},
		{"spec", kms.Filter{Specs: []string{"EC_P256", "RSA_2048"}}, true},
		{"spec is exact", kms.Filter{Specs: []string{"rsa_2048"}}, false},
		{"origin", kms.Filter{Origins: []string{"AWS_KMS"}}, true},
		{"other origin", kms.Filter{Origins: []string{"EXTERNAL"}}, false},
		{"AND across fields", kms.Filter{States: []kms.KeyState{kms.StateEnabled}, Usages: []kms.KeyUsage{kms.UsageSignVerify},
			Protections: []kms.ProtectionLevel{kms.ProtectionHSM}, Specs: []string{"RSA_2048"}, Origins: []string{"AWS_KMS"}}, true},
		{"AND fails on one field", kms.Filter{States: []kms.KeyState{kms.StateEnabled}, Usages: []kms.KeyUsage{kms.UsageEncryptDecrypt}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.filter.Match(key); got != tt.want {
				t.Errorf("Match = %t, want %t", got, tt.want)
			}
			if got, want := tt.filter.IsZero(), tt.name == "zero matches all"; got != want {
				t.Errorf("IsZero = %t, want %t", got, want)
			}
		})
	}
}

func TestFilterValidate(t *testing.T) {
	eleven := make([]kms.KeyState, 11)
	for i := range eleven {
		eleven[i] = kms.StateEnabled
	}
	tests := []struct {
		name   string
		filter kms.Filter
		field  string // "" = valid
	}{
		{"zero", kms.Filter{}, ""},
		{"all known values", kms.Filter{
			States:      []kms.KeyState{kms.StateEnabled, kms.StateDisabled, kms.StatePendingDeletion, kms.StatePendingImport, kms.StateCreating, kms.StateUnavailable},
			Usages:      []kms.KeyUsage{kms.UsageEncryptDecrypt, kms.UsageSignVerify, kms.UsageGenerateVerifyMAC, kms.UsageKeyAgreement},
			Protections: []kms.ProtectionLevel{kms.ProtectionSoftware, kms.ProtectionHSM, kms.ProtectionExternal},
			Specs:       []string{"RSA_2048"}, Origins: []string{"EXTERNAL"}}, ""},
		{"ten values", kms.Filter{States: eleven[:10]}, ""},
		{"eleven values", kms.Filter{States: eleven}, "Filter.States"},
		{"unknown state", kms.Filter{States: []kms.KeyState{kms.StateEnabled, "Enabled "}}, "Filter.States[1]"},
		{"StateUnknown", kms.Filter{States: []kms.KeyState{kms.StateUnknown}}, "Filter.States[0]"},
		{"unknown usage", kms.Filter{Usages: []kms.KeyUsage{"ENCRYPT_DECRYPT"}}, "Filter.Usages[0]"},
		{"unknown protection", kms.Filter{Protections: []kms.ProtectionLevel{"SOFTWARE"}}, "Filter.Protections[0]"},
		{"empty spec", kms.Filter{Specs: []string{"RSA_2048", " "}}, "Filter.Specs[1]"},
		{"empty origin", kms.Filter{Origins: []string{""}}, "Filter.Origins[0]"},
		{"too many specs", kms.Filter{Specs: strings.Split("a,b,c,d,e,f,g,h,i,j,k", ",")}, "Filter.Specs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.filter.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var kerr *kms.Error
			if !errors.Is(err, kms.ErrInvalidArgument) || !errors.As(err, &kerr) || kerr.Code != kms.CodeInvalidArgument {
				t.Fatalf("Validate: %v, want a kms.Error of class ErrInvalidArgument", err)
			}
			if !strings.Contains(err.Error(), "parameter "+tt.field+":") {
				t.Errorf("Validate: %q does not name %s", err, tt.field)
			}
		})
	}
}

func TestFilterValidateFor(t *testing.T) {
	err := kms.Filter{Usages: []kms.KeyUsage{"x"}}.ValidateFor(kms.ProviderAWS, "ListKeys")
	want := `kms: aws ListKeys: invalid argument: parameter Filter.Usages[0]: unknown value "x" (allowed: EncryptDecrypt, SignVerify, GenerateVerifyMAC, KeyAgreement)`
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

func TestFilterString(t *testing.T) {
	f := kms.Filter{States: []kms.KeyState{kms.StateDisabled, kms.StateEnabled}, Specs: []string{"B", "A"}}
	same := kms.Filter{States: []kms.KeyState{kms.StateEnabled, kms.StateDisabled}, Specs: []string{"A", "B"}}
	if f.String() != same.String() || f.String() != "states=Disabled|Enabled;specs=A|B" {
		t.Errorf("String() = %q and %q", f, same)
	}
	if s := (kms.Filter{}).String(); s != "" {
		t.Errorf("zero Filter String() = %q", s)
	}
}
