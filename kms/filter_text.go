package kms

import (
	"strings"
)

// filterFields are the fields ParseFilter reads, by the names Filter.String
// writes (plural) and the singular ones a flag reads better with.
var filterFields = []struct{ plural, singular string }{
	{"states", "state"},
	{"usages", "usage"},
	{"protections", "protection"},
	{"specs", "spec"},
	{"origins", "origin"},
}

// ParseFilter reads a Filter from text, for flags and configuration: the
// form Filter.String writes ("states=Disabled|Enabled;usages=SignVerify")
// or a freer one ("state=Enabled,Disabled usage=SignVerify").
//
// Fields are separated by ";" or blanks, and each is name=values: state(s),
// usage(s), protection(s), spec(s) or origin(s), each at most once; values
// are separated by "|" or ",". States, usages and protection levels are the
// portable values (Enabled, SignVerify, HSM, ...), matched case-insensitively;
// specs and origins are the provider's own names, kept as written (they
// cannot hold a separator). "" is the zero Filter, which keeps every key.
// ParseFilter(f.String()) gives f back, with each field's values sorted.
//
// Errors are of class ErrInvalidArgument and name the field and the values
// it allows; the filter is then checked as Filter.Validate checks it.
func ParseFilter(s string) (Filter, error) {
	const op = "ParseFilter"
	var f Filter
	seen := map[string]bool{}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ' ' || r == '\t' || r == '\n' }) {
		name, vals, ok := strings.Cut(part, "=")
		if !ok {
			return Filter{}, InvalidArgument("", op, "filter", "want name=value[|value...], got %q", clip(part))
		}
		field := ""
		for _, ff := range filterFields {
			if strings.EqualFold(name, ff.plural) || strings.EqualFold(name, ff.singular) {
				field = ff.plural
			}
		}
		if field == "" {
			return Filter{}, InvalidArgument("", op, "filter", "unknown field %q (allowed: state, usage, protection, spec, origin)", clip(name))
		}
		if seen[field] {
			return Filter{}, InvalidArgument("", op, "filter."+field, "given twice; list every value once: %s=a|b", field)
		}
		seen[field] = true
		values := strings.FieldsFunc(vals, func(r rune) bool { return r == '|' || r == ',' })
		if len(values) == 0 {
			return Filter{}, InvalidArgument("", op, "filter."+field, "needs at least one value")
		}
		var err error
		switch field {
		case "states":
			f.States, err = parseEnum(op, field, values, filterStates)
		case "usages":
			f.Usages, err = parseEnum(op, field, values, filterUsages)
		case "protections":
			f.Protections, err = parseEnum(op, field, values, filterProtections)
		case "specs":
			f.Specs = values
		case "origins":
			f.Origins = values
		}
		if err != nil {
			return Filter{}, err
		}
	}
	if err := f.ValidateFor("", op); err != nil {
		return Filter{}, err
	}
	return f, nil
}

func parseEnum[T ~string](op, field string, values []string, allowed []T) ([]T, error) {
	out := make([]T, 0, len(values))
	for _, v := range values {
		found := false
		for _, a := range allowed {
			if strings.EqualFold(v, string(a)) {
				out = append(out, a)
				found = true
				break
			}
		}
		if !found {
			return nil, InvalidArgument("", op, "filter."+field, "unknown value %q (allowed: %s)", clip(v), joinValues(allowed))
		}
	}
	return out, nil
}

// MarshalText writes the String form.
func (f Filter) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// UnmarshalText reads what ParseFilter reads.
func (f *Filter) UnmarshalText(b []byte) error {
	v, err := ParseFilter(string(b))
	if err == nil {
		*f = v
	}
	return err
}
