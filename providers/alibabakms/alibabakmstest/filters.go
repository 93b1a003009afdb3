package alibabakmstest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// FilterPair is one element of the ListKeys Filters parameter.
type FilterPair struct {
	Key    string   `json:"Key"`
	Values []string `json:"Values"`
}

// Filter limits as the ListKeys reference gives them.
const (
	MaxFilterPairs  = 10
	MaxFilterValues = 10
)

// filterValues are the values the reference allows per filter key; nil
// means any value of the documented format.
var filterValues = map[string][]string{
	"KeyState":        {"Enabled", "Disabled", "PendingDeletion", "PendingImport"},
	"KeySpec":         {"Aliyun_AES_256", "Aliyun_SM4", "RSA_2048", "EC_P256", "EC_P256K", "EC_SM2"},
	"KeyUsage":        {"ENCRYPT/DECRYPT", "SIGN/VERIFY"},
	"ProtectionLevel": {"SOFTWARE", "HSM"},
	"CreatorType":     {"User", "Service"},
	"DKMSInstanceId":  nil,
}

// Filters is a parsed Filters parameter: for each filter key, the values
// any of which a key must have (OR within a key, AND across keys).
type Filters map[string][]string

// ParseFilters parses and validates the ListKeys Filters JSON as the
// reference defines it: at most 10 pairs, known keys, 0 to 10 allowed
// values each. Pairs with the same key are merged (their values are ORed);
// a pair with no values adds no condition. "" means no filter.
func ParseFilters(s string) (Filters, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var pairs []FilterPair
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&pairs); err != nil {
		return nil, fmt.Errorf("parameter Filters is not a JSON array of {Key, Values}: %v", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("parameter Filters has trailing data")
	}
	if len(pairs) > MaxFilterPairs {
		return nil, fmt.Errorf("parameter Filters has %d key-value pairs, at most %d allowed", len(pairs), MaxFilterPairs)
	}
	f := Filters{}
	for _, p := range pairs {
		allowed, known := filterValues[p.Key]
		if !known {
			return nil, fmt.Errorf("parameter Filters: key %q is not supported", p.Key)
		}
		if len(p.Values) > MaxFilterValues {
			return nil, fmt.Errorf("parameter Filters: key %s has %d values, at most %d allowed", p.Key, len(p.Values), MaxFilterValues)
		}
		for _, v := range p.Values {
			if !validFilterValue(p.Key, v, allowed) {
				return nil, fmt.Errorf("parameter Filters: key %s: value %q is not valid", p.Key, v)
			}
			if !slices.Contains(f[p.Key], v) {
				f[p.Key] = append(f[p.Key], v)
			}
		}
	}
	return f, nil
}

func validFilterValue(key, v string, allowed []string) bool {
	if key == "DKMSInstanceId" {
		return strings.HasPrefix(v, "kst-") && len(v) > len("kst-")
	}
	return slices.Contains(allowed, v)
}

// Match reports whether k passes the filters.
func (f Filters) Match(k *Key) bool {
	for name, values := range f {
		if len(values) > 0 && !slices.Contains(values, filterField(k, name)) {
			return false
		}
	}
	return true
}

func filterField(k *Key, name string) string {
	switch name {
	case "KeyState":
		return k.State
	case "KeySpec":
		return k.Spec
	case "KeyUsage":
		return k.Usage
	case "ProtectionLevel":
		return k.Protection
	case "CreatorType":
		return k.CreatorType
	case "DKMSInstanceId":
		return k.DKMSInstanceID
	}
	return ""
}
