package kmstest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/multikms/multikms/kms"
)

// extraField is how the suite reads the field one extra fills.
type extraField struct {
	bit   kms.Include
	name  string
	empty func(k kms.Key) bool
	same  func(got, want kms.Key) bool
}

var extraFields = []extraField{
	{kms.IncludeTags, "Labels",
		func(k kms.Key) bool { return len(k.Labels) == 0 },
		func(g, w kms.Key) bool { return maps.Equal(g.Labels, w.Labels) }},
	{kms.IncludeRotation, "AutomaticRotation",
		func(k kms.Key) bool {
			return k.AutomaticRotation == kms.RotationUnknown && k.RotationPeriod == 0 && k.NextRotationAt.IsZero()
		},
		func(g, w kms.Key) bool {
			return g.AutomaticRotation == w.AutomaticRotation && g.RotationPeriod == w.RotationPeriod && g.NextRotationAt.Equal(w.NextRotationAt)
		}},
	{kms.IncludePolicy, "Policy",
		func(k kms.Key) bool { return k.Policy == "" },
		func(g, w kms.Key) bool { return g.Policy == w.Policy }},
	{kms.IncludeAccess, "Access",
		func(k kms.Key) bool { return len(k.Access) == 0 },
		func(g, w kms.Key) bool {
			return slices.EqualFunc(sortedAccess(g.Access), sortedAccess(w.Access), sameAccess)
		}},
}

func sortedAccess(a []kms.Access) []kms.Access {
	a = slices.Clone(a)
	slices.SortFunc(a, func(x, y kms.Access) int {
		return cmp.Or(cmp.Compare(x.Source, y.Source), cmp.Compare(x.PrincipalType, y.PrincipalType),
			cmp.Compare(x.Principal, y.Principal), cmp.Compare(fmt.Sprint(x.Actions), fmt.Sprint(y.Actions)))
	})
	return a
}

func sameAccess(x, y kms.Access) bool {
	return x.Principal == y.Principal && x.PrincipalType == y.PrincipalType && x.Source == y.Source &&
		x.Conditional == y.Conditional && sameSet(x.Actions, y.Actions)
}

// checkExtrasFixture checks that every declared extra has a key to show it.
func checkExtrasFixture(t *testing.T, fx Fixture) {
	t.Helper()
	all := kms.IncludeTags | kms.IncludeRotation | kms.IncludePolicy | kms.IncludeAccess
	switch {
	case fx.Extras&^all != 0:
		t.Fatalf("Fixture.Extras %v holds unknown bits", fx.Extras)
	case fx.Free&^fx.Extras != 0:
		t.Fatalf("Fixture.Free %v must be part of Fixture.Extras %v", fx.Free, fx.Extras)
	}
	if _, ok := fx.Lister.(kms.IncludeDescriber); fx.Extras != 0 && !ok {
		t.Fatalf("Fixture.Extras %v declared, but the Lister is no kms.IncludeDescriber", fx.Extras)
	}
	for _, f := range extraFields {
		if fx.Extras.Has(f.bit) && !slices.ContainsFunc(fx.Keys, func(k kms.Key) bool { return !f.empty(k) }) {
			t.Fatalf("Fixture.Extras declares %v, but no key of Fixture.Keys has %s", f.bit, f.name)
		}
	}
}

// includeCases are the Include combinations of the declared extras: every
// subset with DetailFull, and none, each one alone and all with DetailBasic.
func includeCases(extras kms.Include) []kms.ListOptions {
	var cases []kms.ListOptions
	for s := extras; ; s = (s - 1) & extras {
		cases = append(cases, kms.ListOptions{Detail: kms.DetailFull, Include: s})
		if s == 0 {
			break
		}
	}
	cases = append(cases, kms.ListOptions{}, kms.ListOptions{Include: extras})
	for _, f := range extraFields {
		if extras.Has(f.bit) && f.bit != extras {
			cases = append(cases, kms.ListOptions{Include: f.bit})
		}
	}
	return cases
}

// testInclude lists with every combination of the declared extras and
// checks every key: an asked extra is filled as the fixture has it, or
// DetailErr (a *kms.Error) says why, and a refused rotation read is never
// Disabled; an unasked extra stays empty unless the backend gives it free.
// DescribeKeyInclude is checked the same way for a few keys.
func testInclude(t *testing.T, fx Fixture) {
	if fx.Extras == 0 {
		t.Logf("Fixture.Extras declares no extras: only listing without an Include is checked")
	} else {
		t.Logf("declared extras: %v (free: %q)", fx.Extras, fx.Free)
	}
	for _, opts := range includeCases(fx.Extras) {
		what := fmt.Sprintf("ListKeys(Detail %v, Include %q)", opts.Detail, opts.Include)
		keys := listKeys(t, fx, opts)
		sameKeys(t, fx, what, keys, fx.Keys)
		keys = inOrderOf(fx, keys, fx.Keys)
		filled := map[kms.Include]int{}
		for i := range min(len(keys), len(fx.Keys)) {
			checkExtras(t, fx, what, keys[i], fx.Keys[i], opts.Include, filled)
		}
		for _, f := range extraFields {
			if opts.Include.Has(f.bit) && filled[f.bit] == 0 {
				t.Errorf("%s: no key came with %s filled", what, f.name)
			}
		}
	}
	d, ok := fx.Lister.(kms.IncludeDescriber)
	if !ok {
		return
	}
	for _, opts := range includeCases(fx.Extras) {
		if opts.Detail != kms.DetailFull {
			continue
		}
		for _, want := range keysWithExtras(fx.Keys, 3) {
			what := fmt.Sprintf("DescribeKeyInclude(%q, %q)", want.ID, opts.Include)
			got, err := d.DescribeKeyInclude(context.Background(), want.ID, opts.Include)
			if err != nil {
				t.Errorf("%s: %v", what, err)
				continue
			}
			if got.Detail != kms.DetailFull {
				t.Errorf("%s: Detail %v, want DetailFull", what, got.Detail)
			}
			checkExtras(t, fx, what, got, want, opts.Include, map[kms.Include]int{})
		}
	}
}

// keysWithExtras returns up to n keys, those with the most extras first.
func keysWithExtras(keys []kms.Key, n int) []kms.Key {
	score := func(k kms.Key) int {
		s := 0
		for _, f := range extraFields {
			if !f.empty(k) {
				s++
			}
		}
		return s
	}
	sorted := slices.Clone(keys)
	slices.SortStableFunc(sorted, func(a, b kms.Key) int { return score(b) - score(a) })
	return sorted[:min(n, len(sorted))]
}

// checkExtras checks one key's extras against the fixture's key; filled
// counts, by bit, the keys whose asked extra was filled and not empty.
func checkExtras(t *testing.T, fx Fixture, what string, got, want kms.Key, asked kms.Include, filled map[kms.Include]int) {
	t.Helper()
	if got.DetailErr != nil {
		var e *kms.Error
		if !errors.As(got.DetailErr, &e) {
			t.Errorf("%s: key %s: DetailErr %v (%T) holds no *kms.Error", what, got.ID, got.DetailErr, got.DetailErr)
		}
	}
	for _, f := range extraFields {
		if !fx.Extras.Has(f.bit) {
			continue
		}
		switch {
		case asked.Has(f.bit) && f.same(got, want):
			if !f.empty(want) {
				filled[f.bit]++
			}
		case asked.Has(f.bit) && got.DetailErr == nil:
			t.Errorf("%s: key %s: %s differs from the fixture's and DetailErr says nothing", what, got.ID, f.name)
		case asked.Has(f.bit) && f.bit == kms.IncludeRotation && got.AutomaticRotation != kms.RotationUnknown:
			t.Errorf("%s: key %s: a failed rotation read (%v) gave %q; want RotationUnknown", what, got.ID, got.DetailErr, got.AutomaticRotation)
		case !asked.Has(f.bit) && !fx.Free.Has(f.bit) && !f.empty(got):
			t.Errorf("%s: key %s: %s is filled, but was not asked for", what, got.ID, f.name)
		}
	}
}
