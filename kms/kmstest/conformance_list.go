package kmstest

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/multikms/multikms/kms"
)

// listKeys lists fx's keys with opts and fails t on an error.
func listKeys(t *testing.T, fx Fixture, opts kms.ListOptions) []kms.Key {
	t.Helper()
	keys, err := Collect(fx.Lister.ListKeys(context.Background(), opts))
	if err != nil {
		t.Fatalf("ListKeys(%+v): %v", opts, err)
	}
	return keys
}

func keyIDs(keys []kms.Key) []string {
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = k.ID
	}
	return ids
}

func versionIDs(vs []kms.KeyVersion) []string {
	ids := make([]string, len(vs))
	for i, v := range vs {
		ids[i] = v.ID
	}
	return ids
}

func sameIDs(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s: got %d IDs %v, want %d IDs %v", what, len(got), got, len(want), want)
	}
}

// pageSizes returns the page sizes to list with: 1, 2, n, n+10 (capped at
// MaxPageSize) and 0 (the default), without repeats.
func pageSizes(fx Fixture) []int {
	n := len(fx.Keys)
	var sizes []int
	for _, s := range []int{1, 2, min(n, fx.MaxPageSize), min(n+10, fx.MaxPageSize), 0} {
		if !slices.Contains(sizes, s) {
			sizes = append(sizes, s)
		}
	}
	return sizes
}

func testListAll(t *testing.T, fx Fixture) {
	for _, size := range pageSizes(fx) {
		it := fx.Lister.ListKeys(context.Background(), kms.ListOptions{PageSize: size})
		keys, err := Collect(it)
		if err != nil {
			t.Fatalf("PageSize %d: %v", size, err)
		}
		sameKeys(t, fx, fmt.Sprintf("PageSize %d", size), keys, fx.Keys)
		if c := it.Cursor(); c != "" {
			t.Errorf("PageSize %d: Cursor() after the last item = %q, want \"\"", size, c)
		}
	}
}

// testResume stops after every item, resumes from Cursor() with a new
// iterator and checks that nothing is repeated or skipped.
func testResume(t *testing.T, fx Fixture) {
	for _, size := range []int{1, 3} {
		for stop := 1; stop <= len(fx.Keys); stop++ {
			opts := kms.ListOptions{PageSize: size}
			it := fx.Lister.ListKeys(context.Background(), opts)
			var got []kms.Key
			for k, err := range it.All() {
				if err != nil {
					t.Fatalf("PageSize %d: %v", size, err)
				}
				got = append(got, k)
				if len(got) == stop {
					break
				}
			}
			if opts.Cursor = it.Cursor(); opts.Cursor != "" {
				got = append(got, listKeys(t, fx, opts)...)
			}
			sameKeys(t, fx, fmt.Sprintf("PageSize %d, stop after %d, resume", size, stop), got, fx.Keys)
		}
	}
}

func testPages(t *testing.T, fx Fixture) {
	const size = 5
	var got []kms.Key
	var kept [][]kms.Key // the pages themselves, which are the caller's to keep
	var ids []string     // their IDs as each page came out
	pages := 0
	for page, err := range fx.Lister.ListKeys(context.Background(), kms.ListOptions{PageSize: size}).Pages() {
		if err != nil {
			t.Fatal(err)
		}
		pages++
		got = append(got, page...)
		ids = append(ids, keyIDs(page)...)
		kept = append(kept, page)
	}
	sameKeys(t, fx, "Pages", got, fx.Keys)
	var later []string
	for _, page := range kept {
		later = append(later, keyIDs(page)...)
	}
	sameIDs(t, "Pages kept until the listing ended", later, ids)
	if least := (len(fx.Keys) + size - 1) / size; pages < least {
		t.Errorf("Pages with PageSize %d: got %d pages, want at least %d", size, pages, least)
	}
}

func testMaxItems(t *testing.T, fx Fixture) {
	keys := listKeys(t, fx, kms.ListOptions{PageSize: 2, MaxItems: 3})
	firstKeys(t, fx, "MaxItems 3", keys, fx.Keys, 3)
}

// filters derives filters from the fixture's keys: by one state, by two
// states, by one usage, and by state and usage together.
func filters(keys []kms.Key) []kms.Filter {
	var s1, s2 kms.KeyState
	var u1 kms.KeyUsage
	for _, k := range keys {
		switch {
		case s1 == kms.StateUnknown:
			s1 = k.State
		case s2 == kms.StateUnknown && k.State != s1:
			s2 = k.State
		}
		if u1 == kms.UsageUnknown {
			u1 = k.Usage
		}
	}
	// For the AND filter, pick the usage of a key that is not in state s1,
	// so that state alone and usage alone both keep more keys.
	u2 := u1
	for _, k := range keys {
		if k.State != s1 && k.Usage != kms.UsageUnknown {
			u2 = k.Usage
			break
		}
	}
	return []kms.Filter{
		{States: []kms.KeyState{s1}},
		{States: []kms.KeyState{s1, s2}},
		{Usages: []kms.KeyUsage{u1}},
		{States: []kms.KeyState{s1}, Usages: []kms.KeyUsage{u2}},
	}
}

func testFilters(t *testing.T, fx Fixture) {
	for _, f := range filters(fx.Keys) {
		var want []kms.Key
		for _, k := range fx.Keys {
			if f.Match(k) {
				want = append(want, k)
			}
		}
		for _, detail := range []kms.Detail{kms.DetailBasic, kms.DetailFull} {
			keys := listKeys(t, fx, kms.ListOptions{Filter: f, Detail: detail})
			sameKeys(t, fx, fmt.Sprintf("Filter %s, Detail %d", f, detail), keys, want)
			if keys = inOrderOf(fx, keys, want); detail == kms.DetailFull && len(keys) == len(want) {
				for i := range keys {
					sameKey(t, "Filter "+f.String(), keys[i], want[i])
				}
			}
		}
	}
}

// sameKey compares the fields every provider fills.
func sameKey(t *testing.T, what string, got, want kms.Key) {
	t.Helper()
	type view struct {
		ID         string
		State      kms.KeyState
		Usage      kms.KeyUsage
		Spec       string
		Protection kms.ProtectionLevel
	}
	g := view{got.ID, got.State, got.Usage, got.Spec, got.Protection}
	w := view{want.ID, want.State, want.Usage, want.Spec, want.Protection}
	if g != w {
		t.Errorf("%s: got key %+v, want %+v", what, g, w)
	}
}

func testDetailFull(t *testing.T, fx Fixture) {
	keys := listKeys(t, fx, kms.ListOptions{Detail: kms.DetailFull})
	sameKeys(t, fx, "DetailFull", keys, fx.Keys)
	keys = inOrderOf(fx, keys, fx.Keys)
	for i := range min(len(keys), len(fx.Keys)) {
		sameKey(t, "DetailFull", keys[i], fx.Keys[i])
		if keys[i].DetailErr != nil {
			t.Errorf("DetailFull key %s: DetailErr %v", keys[i].ID, keys[i].DetailErr)
		}
	}
}
