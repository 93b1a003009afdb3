package alibabakms

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/multikms/multikms/kms"
)

// Limits of the ListKeys Filters parameter, from the API reference.
const (
	maxFilterPairs  = 10
	maxFilterValues = 10
)

// filterPair is one key-value pair of the ListKeys Filters parameter.
type filterPair struct {
	Key    string   `json:"Key"`
	Values []string `json:"Values"`
}

// Native values the Filters parameter accepts, per the ListKeys reference.
var (
	nativeStates = map[kms.KeyState]string{
		kms.StateEnabled: "Enabled", kms.StateDisabled: "Disabled",
		kms.StatePendingDeletion: "PendingDeletion", kms.StatePendingImport: "PendingImport",
	}
	nativeUsages = map[kms.KeyUsage]string{
		kms.UsageEncryptDecrypt: "ENCRYPT/DECRYPT", kms.UsageSignVerify: "SIGN/VERIFY",
	}
	nativeProtections = map[kms.ProtectionLevel]string{
		kms.ProtectionSoftware: "SOFTWARE", kms.ProtectionHSM: "HSM",
	}
	filterSpecs = []string{"Aliyun_AES_256", "Aliyun_SM4", "RSA_2048", "EC_P256", "EC_P256K", "EC_SM2"}
)

// pushdown is how a portable Filter is applied.
type pushdown struct {
	// filters is the Filters JSON sent with ListKeys; "" for none.
	filters string
	// residual is what the server cannot filter, applied client-side once
	// the keys are described; the zero Filter when nothing is left.
	residual kms.Filter
	// none is set when no Alibaba key can match (a portable value with no
	// Alibaba counterpart, such as StateCreating, alone in its field).
	none bool
}

// buildPushdown splits f into the Filters JSON and a client-side residue,
// adding the adapter's CreatorType and DKMSInstanceId conditions.
func buildPushdown(f kms.Filter, creatorTypes, instances []string) (pushdown, error) {
	var pd pushdown
	var pairs []filterPair
	add := func(key string, values []string) {
		if len(values) == 0 {
			pd.none = true // every value was unmappable: nothing matches
			return
		}
		pairs = append(pairs, filterPair{Key: key, Values: values})
	}
	if len(f.States) > 0 {
		add("KeyState", mapValues(f.States, nativeStates))
	}
	if len(f.Specs) > 0 {
		if allIn(f.Specs, filterSpecs) {
			add("KeySpec", dedupe(f.Specs))
		} else {
			pd.residual.Specs = f.Specs // a spec the Filters parameter does not know
		}
	}
	if len(f.Usages) > 0 {
		add("KeyUsage", mapValues(f.Usages, nativeUsages))
	}
	if len(f.Protections) > 0 {
		add("ProtectionLevel", mapValues(f.Protections, nativeProtections))
	}
	if len(creatorTypes) > 0 {
		pairs = append(pairs, filterPair{Key: "CreatorType", Values: dedupe(creatorTypes)})
	}
	if len(instances) > 0 {
		pairs = append(pairs, filterPair{Key: "DKMSInstanceId", Values: dedupe(instances)})
	}
	pd.residual.Origins = f.Origins
	s, err := encodeFilters(pairs)
	pd.filters = s
	return pd, err
}

func mapValues[T comparable](values []T, native map[T]string) []string {
	var out []string
	for _, v := range values {
		if n, ok := native[v]; ok && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

func allIn(values, allowed []string) bool {
	for _, v := range values {
		if !slices.Contains(allowed, v) {
			return false
		}
	}
	return true
}

func dedupe(values []string) []string {
	var out []string
	for _, v := range values {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// encodeFilters renders pairs as the Filters JSON within the reference's
// limits: a pair holds at most 10 values, so longer value lists are split
// into several pairs of the same key (which the reference ORs together),
// and at most 10 pairs may be sent. No pairs give "".
func encodeFilters(pairs []filterPair) (string, error) {
	var out []filterPair
	for _, p := range pairs {
		for chunk := range slices.Chunk(p.Values, maxFilterValues) {
			out = append(out, filterPair{Key: p.Key, Values: chunk})
		}
	}
	if len(out) == 0 {
		return "", nil
	}
	if len(out) > maxFilterPairs {
		return "", fmt.Errorf("needs %d key-value pairs of at most %d values, at most %d allowed",
			len(out), maxFilterValues, maxFilterPairs)
	}
	b, err := json.Marshal(out)
	return string(b), err
}

// validCreatorType and validInstance check the adapter-level filter values
// as the reference defines them.
func validCreatorType(v string) bool { return v == "User" || v == "Service" }

func validInstance(v string) bool { return strings.HasPrefix(v, "kst-") && len(v) > len("kst-") }
