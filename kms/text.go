package kms

import (
	"fmt"
	"strconv"
	"strings"
)

// The text forms of Code, Detail and Include: what MarshalText writes, the
// JSON of a Key holds and the Parse functions read (flags, configuration).

var codeNames = [...]string{
	CodeUnknown:          "Unknown",
	CodeNotFound:         "NotFound",
	CodeInvalidArgument:  "InvalidArgument",
	CodeInvalidCursor:    "InvalidCursor",
	CodePermissionDenied: "PermissionDenied",
	CodeUnauthenticated:  "Unauthenticated",
	CodeThrottled:        "Throttled",
	CodeUnavailable:      "Unavailable",
	CodeUnsupported:      "Unsupported",
}

// Name returns the code's constant name without its "Code" prefix, such as
// "NotFound": its text form (String gives the words of error messages,
// "not found").
func (c Code) Name() string {
	if c >= 0 && int(c) < len(codeNames) {
		return codeNames[c]
	}
	return "Code(" + strconv.Itoa(int(c)) + ")"
}

// MarshalText writes the code's Name; an unknown code is an error.
func (c Code) MarshalText() ([]byte, error) {
	if c < 0 || int(c) >= len(codeNames) {
		return nil, InvalidArgument("", "Code.MarshalText", "Code", "unknown code %d", int(c))
	}
	return []byte(codeNames[c]), nil
}

// UnmarshalText reads a code's Name ("NotFound") or its String ("not found").
func (c *Code) UnmarshalText(b []byte) error {
	s := string(b)
	for i, name := range codeNames {
		if s == name || s == Code(i).String() {
			*c = Code(i)
			return nil
		}
	}
	return InvalidArgument("", "Code.UnmarshalText", "code", "unknown code %q (allowed: %s)",
		clip(s), strings.Join(codeNames[:], ", "))
}

// String returns "basic" or "full", its text form.
func (d Detail) String() string {
	switch d {
	case DetailBasic:
		return "basic"
	case DetailFull:
		return "full"
	}
	return "Detail(" + strconv.Itoa(int(d)) + ")"
}

// MarshalText writes "basic" or "full"; any other value is an error.
func (d Detail) MarshalText() ([]byte, error) {
	if !d.valid() {
		return nil, InvalidArgument("", "Detail.MarshalText", "Detail", "must be DetailBasic or DetailFull, got %d", int(d))
	}
	return []byte(d.String()), nil
}

// UnmarshalText reads what ParseDetail reads.
func (d *Detail) UnmarshalText(b []byte) error {
	v, err := ParseDetail(string(b))
	if err == nil {
		*d = v
	}
	return err
}

// ParseDetail reads "basic" or "full" (case-insensitive, "" is basic), for
// flags; the error is of class ErrInvalidArgument and lists the values.
func ParseDetail(s string) (Detail, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "basic":
		return DetailBasic, nil
	case "full":
		return DetailFull, nil
	}
	return 0, InvalidArgument("", "ParseDetail", "detail", "unknown value %q (allowed: basic, full)", clip(s))
}

// includeNames are the names of the Include bits, in bit order.
var includeNames = []struct {
	bit  Include
	name string
}{
	{IncludeTags, "tags"},
	{IncludeRotation, "rotation"},
	{IncludePolicy, "policy"},
	{IncludeAccess, "access"},
}

// String lists the bits' names, comma-separated in bit order, such as
// "tags,rotation,policy,access"; "" for none. Unknown bits are written in
// hexadecimal ("tags,0x400").
func (i Include) String() string {
	var parts []string
	for _, n := range includeNames {
		if i.Has(n.bit) {
			parts = append(parts, n.name)
		}
	}
	if rest := i &^ includeAll; rest != 0 {
		parts = append(parts, fmt.Sprintf("%#x", uint(rest)))
	}
	return strings.Join(parts, ",")
}

// MarshalText writes the String form; unknown bits are an error.
func (i Include) MarshalText() ([]byte, error) {
	if !i.valid() {
		return nil, InvalidArgument("", "Include.MarshalText", "Include", "unknown bits %#x", uint(i&^includeAll))
	}
	return []byte(i.String()), nil
}

// UnmarshalText reads what ParseInclude reads.
func (i *Include) UnmarshalText(b []byte) error {
	v, err := ParseInclude(string(b))
	if err == nil {
		*i = v
	}
	return err
}

// ParseInclude reads a comma-separated list of extras, for flags: any of
// tags, rotation, policy, access (case-insensitive, blanks around names
// ignored, repeats allowed), "all" for every one, "" or "none" for none.
// The error is of class ErrInvalidArgument and lists the names.
func ParseInclude(s string) (Include, error) {
	var inc Include
	for _, part := range strings.Split(s, ",") {
		name := strings.ToLower(strings.TrimSpace(part))
		switch name {
		case "", "none":
			continue
		case "all":
			inc |= includeAll
			continue
		}
		found := false
		for _, n := range includeNames {
			if n.name == name {
				inc |= n.bit
				found = true
			}
		}
		if !found {
			return 0, InvalidArgument("", "ParseInclude", "include",
				"unknown extra %q (allowed: tags, rotation, policy, access, all, none)", clip(part))
		}
	}
	return inc, nil
}

// clip shortens a value quoted in an error message.
func clip(s string) string {
	const most = 64
	if len(s) <= most {
		return s
	}
	return s[:most] + "..."
}
