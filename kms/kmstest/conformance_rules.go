package kmstest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/multikms/multikms/kms"
)

// badInput is one case of the table every adapter refuses the same way.
type badInput struct {
	what  string
	param string // named in the message (case-insensitive)
	class error
	call  func(ctx context.Context) error
}

// foreignARN returns a well-formed ARN of a cloud other than p.
func foreignARN(p kms.Provider) string {
	if p == kms.ProviderAWS {
		return "acs:kms:cn-hangzhou:1234567890123456:key/key-hzz62f1cb66fa42qo3v9r"
	}
	return "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
}

// badInputs builds the table for fx; keysCursor and versionsCursor are
// cursors of an unfiltered ListKeys and of a ListKeyVersions listing.
func badInputs(fx Fixture, keysCursor, versionsCursor string) []badInput {
	l, key := fx.Lister, multiVersionKey(fx)
	inv, cur := kms.ErrInvalidArgument, kms.ErrInvalidCursor
	list := func(opts kms.ListOptions) func(context.Context) error {
		return func(ctx context.Context) error { return firstErr(l.ListKeys(ctx, opts)) }
	}
	versions := func(ref string, opts kms.ListOptions) func(context.Context) error {
		return func(ctx context.Context) error { return firstErr(l.ListKeyVersions(ctx, ref, opts)) }
	}
	describe := func(ref string) func(context.Context) error {
		return func(ctx context.Context) error { _, err := l.DescribeKey(ctx, ref); return err }
	}
	filter := filters(fx.Keys)[0]
	cases := []badInput{
		{"ListKeys, PageSize -1", "PageSize", inv, list(kms.ListOptions{PageSize: -1})},
		{"ListKeys, PageSize MaxPageSize+1", "PageSize", inv, list(kms.ListOptions{PageSize: fx.MaxPageSize + 1})},
		{"ListKeys, PageSize MaxInt", "PageSize", inv, list(kms.ListOptions{PageSize: math.MaxInt})},
		{"ListKeys, MaxItems -1", "MaxItems", inv, list(kms.ListOptions{MaxItems: -1})},
		{"ListKeys, Detail 7", "Detail", inv, list(kms.ListOptions{Detail: 7})},
		{"ListKeys, Include 1<<10", "Include", inv, list(kms.ListOptions{Include: 1 << 10})},
		{"ListKeys, an unknown state in the Filter", "Filter", inv, list(kms.ListOptions{Filter: kms.Filter{States: []kms.KeyState{"NoSuchState"}}})},
		{"ListKeys, a garbage cursor", "cursor", cur, list(kms.ListOptions{Cursor: "garbage!"})},
		{"ListKeys, cursor AAAA", "cursor", cur, list(kms.ListOptions{Cursor: "AAAA"})},
		{"ListKeys, a truncated cursor", "cursor", cur, list(kms.ListOptions{Cursor: keysCursor[:len(keysCursor)/2]})},
		{"ListKeys, a ListKeyVersions cursor", "cursor", cur, list(kms.ListOptions{Cursor: versionsCursor})},
		{"ListKeys with a Filter, an unfiltered listing's cursor", "cursor", cur, list(kms.ListOptions{Cursor: keysCursor, Filter: filter})},
		{"ListKeyVersions, PageSize -1", "PageSize", inv, versions(key, kms.ListOptions{PageSize: -1})},
		{"ListKeyVersions, PageSize MaxInt", "PageSize", inv, versions(key, kms.ListOptions{PageSize: math.MaxInt})},
		{"ListKeyVersions, MaxItems -1", "MaxItems", inv, versions(key, kms.ListOptions{MaxItems: -1})},
		{"ListKeyVersions, a Filter", "Filter", inv, versions(key, kms.ListOptions{Filter: filter})},
		{"ListKeyVersions, DetailFull", "Detail", inv, versions(key, kms.ListOptions{Detail: kms.DetailFull})},
		{"ListKeyVersions, Detail 7", "Detail", inv, versions(key, kms.ListOptions{Detail: 7})},
		{"ListKeyVersions, IncludeTags", "Include", inv, versions(key, kms.ListOptions{Include: kms.IncludeTags})},
		{"ListKeyVersions, a garbage cursor", "cursor", cur, versions(key, kms.ListOptions{Cursor: "garbage!"})},
		{"ListKeyVersions, a ListKeys cursor", "cursor", cur, versions(key, kms.ListOptions{Cursor: keysCursor})},
		{"ListKeyVersions, another key's cursor", "cursor", cur, versions(otherKey(fx, key), kms.ListOptions{Cursor: versionsCursor})},
	}
	if d, ok := l.(kms.IncludeDescriber); ok {
		cases = append(cases, badInput{"DescribeKeyInclude, Include 1<<10", "Include", inv, func(ctx context.Context) error {
			_, err := d.DescribeKeyInclude(ctx, key, 1<<10)
			return err
		}})
	}
	for _, ref := range []struct{ what, ref string }{
		{"an empty keyRef", ""},
		{"a 5,000-character keyRef", strings.Repeat("a", 5000)},
		{"a keyRef that is not valid UTF-8", "\xff\xfe" + key},
		{"an ARN of another cloud", foreignARN(fx.provider())},
	} {
		cases = append(cases,
			badInput{"DescribeKey, " + ref.what, "keyRef", inv, describe(ref.ref)},
			badInput{"ListKeyVersions, " + ref.what, "keyRef", inv, versions(ref.ref, kms.ListOptions{})})
	}
	return cases
}

// otherKey returns the ID of a key of fx other than id.
func otherKey(fx Fixture, id string) string {
	for _, k := range fx.Keys {
		if k.ID != id {
			return k.ID
		}
	}
	return id
}

// testBadInput runs the table: each case is refused before any request,
// as a *kms.Error of its class, with the Provider set, a message naming
// the parameter and one "kms: " prefix.
func testBadInput(t *testing.T, fx Fixture) {
	ctx := context.Background()
	keysCursor := cursorAfterOne(t, fx.Lister.ListKeys(ctx, kms.ListOptions{PageSize: 1, MaxItems: 1}))
	versionsCursor := cursorAfterOne(t, fx.Lister.ListKeyVersions(ctx, multiVersionKey(fx), kms.ListOptions{PageSize: 1, MaxItems: 1}))
	for _, c := range badInputs(fx, keysCursor, versionsCursor) {
		noRequest(t, fx, c.what, func() {
			checkKMSError(t, fx, c.what, c.call(ctx), c.class, c.param)
		})
	}
}

// checkKMSError checks that err is a *kms.Error of class with fx's
// Provider, whose message names param (if any) and has one "kms: " prefix.
func checkKMSError(t *testing.T, fx Fixture, what string, err, class error, param string) {
	t.Helper()
	var e *kms.Error
	switch {
	case err == nil:
		t.Errorf("%s: no error, want one matching %v", what, class)
		return
	case !errors.As(err, &e):
		t.Errorf("%s: error %v (%T) is not a *kms.Error", what, err, err)
		return
	case !errors.Is(err, class):
		t.Errorf("%s: error %v does not match %v", what, err, class)
	case e.Provider != fx.provider():
		t.Errorf("%s: error %v has Provider %q, want %q", what, err, e.Provider, fx.provider())
	}
	msg := err.Error()
	if param != "" && !strings.Contains(strings.ToLower(msg), strings.ToLower(param)) {
		t.Errorf("%s: message %q does not name %s", what, msg, param)
	}
	// One "kms: " prefix, at the start or after the scope a fleet names
	// ("scope <name>: kms: ..."; see kms.ScopeError).
	if strings.Count(msg, "kms: ") != 1 || !(strings.HasPrefix(msg, "kms: ") || strings.HasPrefix(msg, "scope ")) {
		t.Errorf(`%s: message %q must carry exactly one "kms: " prefix`, what, msg)
	}
	if len(msg) > 400 {
		t.Errorf("%s: a %d-byte message; keep it short (the input is not to be echoed)", what, len(msg))
	}
}

// testDescribeContent checks the DescribeKey content rule: DetailFull,
// with the same aliases as a DetailFull listing and as the fixture.
func testDescribeContent(t *testing.T, fx Fixture) {
	listed := listKeys(t, fx, kms.ListOptions{Detail: kms.DetailFull})
	want := map[string]kms.Key{}
	for _, k := range fx.Keys {
		want[k.ID] = k
	}
	for _, lk := range listed {
		what := fmt.Sprintf("DescribeKey(%q)", lk.ID)
		got, err := fx.Lister.DescribeKey(context.Background(), lk.ID)
		if err != nil {
			t.Errorf("%s: %v", what, err)
			continue
		}
		if got.Detail != kms.DetailFull || got.DetailErr != nil {
			t.Errorf("%s: Detail %v, DetailErr %v; want DetailFull, nil", what, got.Detail, got.DetailErr)
		}
		if got.Provider != fx.provider() {
			t.Errorf("%s: Provider %q, want %q", what, got.Provider, fx.provider())
		}
		if !sameSet(got.Aliases, lk.Aliases) || !sameSet(got.Aliases, want[lk.ID].Aliases) {
			t.Errorf("%s: Aliases %v; a DetailFull listing gives %v, the fixture %v", what, got.Aliases, lk.Aliases, want[lk.ID].Aliases)
		}
		sameKey(t, what, got, lk)
	}
	_, err := fx.Lister.DescribeKey(context.Background(), fx.MissingKeyRef)
	checkKMSError(t, fx, "DescribeKey(MissingKeyRef)", err, kms.ErrNotFound, "")
	err = firstErr(fx.Lister.ListKeyVersions(context.Background(), fx.MissingKeyRef, kms.ListOptions{}))
	checkKMSError(t, fx, "ListKeyVersions(MissingKeyRef)", err, kms.ErrNotFound, "")
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// testClose checks that Close returns nil, twice.
func testClose(t *testing.T, fx Fixture) {
	listKeys(t, fx, kms.ListOptions{PageSize: 2, MaxItems: 3}) // use it first
	for i := range 2 {
		if err := fx.Lister.Close(); err != nil {
			t.Errorf("Close #%d: %v, want nil", i+1, err)
		}
	}
}
