package kms

import (
	"fmt"
	"slices"
	"strings"
)

// MaxFilterValues is the largest number of values one Filter field may hold.
const MaxFilterValues = 10

// The portable values a Filter accepts, in the order error messages list them.
var (
	filterStates = []KeyState{StateEnabled, StateDisabled, StatePendingDeletion,
		StatePendingImport, StateCreating, StateUnavailable}
	filterUsages = []KeyUsage{UsageEncryptDecrypt, UsageSignVerify,
		UsageGenerateVerifyMAC, UsageKeyAgreement}
	filterProtections = []ProtectionLevel{ProtectionSoftware, ProtectionHSM, ProtectionExternal}
)

// Match reports whether k passes the filter: for every non-empty field, k's
// value is one of the field's values. The zero Filter matches every key.
func (f Filter) Match(k Key) bool {
	return matchField(f.States, k.State) &&
		matchField(f.Usages, k.Usage) &&
		matchField(f.Protections, k.Protection) &&
		matchField(f.Specs, k.Spec) &&
		matchField(f.Origins, k.Origin)
}

func matchField[T comparable](values []T, v T) bool {
	return len(values) == 0 || slices.Contains(values, v)
}

// IsZero reports whether the filter keeps every key.
func (f Filter) IsZero() bool {
	return len(f.States) == 0 && len(f.Usages) == 0 && len(f.Protections) == 0 &&
		len(f.Specs) == 0 && len(f.Origins) == 0
}

// Validate checks the filter's values: states, usages and protection levels
// must be known portable values (not the Unknown ones), specs and origins
// non-empty strings, and no field may hold more than MaxFilterValues values.
// The error is of class ErrInvalidArgument and names the field.
func (f Filter) Validate() error {
	return f.ValidateFor("", "Filter")
}

// ValidateFor is Validate for an adapter: the error carries provider p and
// operation op, as every other error of that adapter does.
func (f Filter) ValidateFor(p Provider, op string) error {
	if err := checkEnum(p, op, "Filter.States", f.States, filterStates); err != nil {
		return err
	}
	if err := checkEnum(p, op, "Filter.Usages", f.Usages, filterUsages); err != nil {
		return err
	}
	if err := checkEnum(p, op, "Filter.Protections", f.Protections, filterProtections); err != nil {
		return err
	}
	if err := checkStrings(p, op, "Filter.Specs", f.Specs); err != nil {
		return err
	}
	return checkStrings(p, op, "Filter.Origins", f.Origins)
}

func checkEnum[T ~string](p Provider, op, field string, values, allowed []T) error {
	if len(values) > MaxFilterValues {
		return InvalidArgument(p, op, field, "at most %d values, got %d", MaxFilterValues, len(values))
	}
	for i, v := range values {
		if !slices.Contains(allowed, v) {
			return InvalidArgument(p, op, fmt.Sprintf("%s[%d]", field, i),
				"unknown value %q (allowed: %s)", v, joinValues(allowed))
		}
	}
	return nil
}

func checkStrings(p Provider, op, field string, values []string) error {
	if len(values) > MaxFilterValues {
		return InvalidArgument(p, op, field, "at most %d values, got %d", MaxFilterValues, len(values))
	}
	for i, v := range values {
		if strings.TrimSpace(v) == "" {
			return InvalidArgument(p, op, fmt.Sprintf("%s[%d]", field, i), "must not be empty")
		}
	}
	return nil
}

func joinValues[T ~string](values []T) string {
	return strings.Join(toStrings(values), ", ")
}

// String renders the filter canonically, for scopes and messages, as
// "states=Disabled|Enabled;usages=SignVerify" (fields in a fixed order,
// values sorted); the zero Filter renders as "". ParseFilter reads it back.
func (f Filter) String() string {
	if f.IsZero() {
		return ""
	}
	var parts []string
	add := func(name string, vals []string) {
		if len(vals) > 0 {
			s := slices.Clone(vals)
			slices.Sort(s)
			parts = append(parts, name+"="+strings.Join(s, "|"))
		}
	}
	add("states", toStrings(f.States))
	add("usages", toStrings(f.Usages))
	add("protections", toStrings(f.Protections))
	add("specs", f.Specs)
	add("origins", f.Origins)
	return strings.Join(parts, ";")
}

func toStrings[T ~string](values []T) []string {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = string(v)
	}
	return s
}
