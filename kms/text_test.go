package kms_test

import (
	"errors"
	"flag"
	"strings"
	"testing"

	"github.com/multikms/multikms/kms"
)

func TestCodeText(t *testing.T) {
	for c := kms.CodeUnknown; c <= kms.CodeUnsupported; c++ {
		b, err := c.MarshalText()
		if err != nil || string(b) != c.Name() || strings.ContainsAny(c.Name(), " _") {
			t.Errorf("Code %d: %q, %v", c, b, err)
		}
		var back kms.Code
		if err := back.UnmarshalText(b); err != nil || back != c {
			t.Errorf("%s read back as %v, %v", b, back, err)
		}
		if err := back.UnmarshalText([]byte(c.String())); err != nil || back != c {
			t.Errorf("%q (String) read back as %v, %v", c.String(), back, err)
		}
	}
	if kms.CodePermissionDenied.Name() != "PermissionDenied" || kms.Code(42).Name() != "Code(42)" {
		t.Errorf("names: %s %s", kms.CodePermissionDenied.Name(), kms.Code(42).Name())
	}
	if _, err := kms.Code(42).MarshalText(); !errors.Is(err, kms.ErrInvalidArgument) {
		t.Errorf("Code(42).MarshalText: %v", err)
	}
	var c kms.Code
	if err := c.UnmarshalText([]byte("Gone")); !errors.Is(err, kms.ErrInvalidArgument) || !strings.Contains(err.Error(), "NotFound") {
		t.Errorf("unknown code: %v", err)
	}
}

func TestDetailText(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want kms.Detail
	}{{"basic", kms.DetailBasic}, {"", kms.DetailBasic}, {"FULL", kms.DetailFull}, {" full ", kms.DetailFull}} {
		if d, err := kms.ParseDetail(tc.in); err != nil || d != tc.want {
			t.Errorf("ParseDetail(%q) = %v, %v", tc.in, d, err)
		}
	}
	_, err := kms.ParseDetail("most")
	if !errors.Is(err, kms.ErrInvalidArgument) || !strings.Contains(err.Error(), "detail") || !strings.Contains(err.Error(), "basic, full") {
		t.Errorf("ParseDetail(most): %v", err)
	}
	if s := kms.Detail(7).String(); s != "Detail(7)" {
		t.Errorf("Detail(7).String() = %q", s)
	}
	if _, err := kms.Detail(7).MarshalText(); !errors.Is(err, kms.ErrInvalidArgument) {
		t.Errorf("Detail(7).MarshalText: %v", err)
	}
	for _, d := range []kms.Detail{kms.DetailBasic, kms.DetailFull} {
		b, _ := d.MarshalText()
		var back kms.Detail
		if err := back.UnmarshalText(b); err != nil || back != d {
			t.Errorf("%s: %v, %v", b, back, err)
		}
	}
}

func TestIncludeText(t *testing.T) {
	all := kms.IncludeTags | kms.IncludeRotation | kms.IncludePolicy | kms.IncludeAccess
	for _, tc := range []struct {
		in   string
		want kms.Include
	}{
		{"", 0}, {"none", 0}, {"tags", kms.IncludeTags},
		{"tags,rotation,policy,access", all}, {"all", all},
		{" Policy , tags,tags", kms.IncludePolicy | kms.IncludeTags},
	} {
		if got, err := kms.ParseInclude(tc.in); err != nil || got != tc.want {
			t.Errorf("ParseInclude(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	_, err := kms.ParseInclude("tags,grants")
	if !errors.Is(err, kms.ErrInvalidArgument) || !strings.Contains(err.Error(), `"grants"`) || !strings.Contains(err.Error(), "rotation") {
		t.Errorf("ParseInclude(tags,grants): %v", err)
	}
	if s := all.String(); s != "tags,rotation,policy,access" {
		t.Errorf("String() = %q", s)
	}
	if s := (kms.IncludeTags | 1<<10).String(); s != "tags,0x400" {
		t.Errorf("String() with an unknown bit = %q", s)
	}
	if _, err := kms.Include(1 << 10).MarshalText(); !errors.Is(err, kms.ErrInvalidArgument) {
		t.Errorf("MarshalText of an unknown bit: %v", err)
	}
	for inc := range all + 1 {
		b, err := inc.MarshalText()
		var back kms.Include
		if err != nil || back.UnmarshalText(b) != nil || back != inc {
			t.Errorf("Include %d: %q, %v, back %v", inc, b, err, back)
		}
	}
}

// The text forms serve flags directly.
func TestTextFlags(t *testing.T) {
	fs := flag.NewFlagSet("inventory", flag.ContinueOnError)
	var (
		detail kms.Detail
		inc    kms.Include
		filter kms.Filter
	)
	fs.TextVar(&detail, "detail", kms.DetailBasic, "basic or full")
	fs.TextVar(&inc, "include", kms.Include(0), "extras")
	fs.TextVar(&filter, "filter", kms.Filter{}, "filter")
	err := fs.Parse([]string{"-detail=full", "-include=tags,access", "-filter=state=Enabled,Disabled usage=SignVerify"})
	if err != nil || detail != kms.DetailFull || inc != kms.IncludeTags|kms.IncludeAccess ||
		filter.String() != "states=Disabled|Enabled;usages=SignVerify" {
		t.Errorf("flags: %v %v %v %v", detail, inc, filter, err)
	}
}
