package kmstest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/multikms/multikms/kms"
)

// The order a listing must keep: fx.Keys' order, or for a fleet
// (Fixture.ScopeOf set) each scope's order, scopes interleaved.

// sameKeys checks that got lists exactly the keys of want, each once, in
// the order fx's Lister promises.
func sameKeys(t *testing.T, fx Fixture, what string, got, want []kms.Key) {
	t.Helper()
	if fx.ScopeOf == nil {
		sameIDs(t, what, keyIDs(got), keyIDs(want))
		return
	}
	if err := interleaving(fx.ScopeOf, got, want, len(want)); err != nil {
		t.Errorf("%s: %v\ngot  %d IDs %v\nwant %d IDs %v (in any interleaving of scopes)", what, err, len(got), keyIDs(got), len(want), keyIDs(want))
	}
}

// firstKeys checks that got is n keys of want, each once, as a listing
// stopped after n keys gives them: fx.Keys' first n, or for a fleet the
// first keys of each scope, in its order.
func firstKeys(t *testing.T, fx Fixture, what string, got, want []kms.Key, n int) {
	t.Helper()
	if fx.ScopeOf == nil {
		sameIDs(t, what, keyIDs(got), keyIDs(want[:n]))
		return
	}
	if err := interleaving(fx.ScopeOf, got, want, n); err != nil {
		t.Errorf("%s: %v\ngot %d IDs %v", what, err, len(got), keyIDs(got))
	}
}

// interleaving says why got is not n keys of want, each once, holding for
// every scope a prefix of that scope's keys in want's order (all of them
// when n is len(want)); nil if it is.
func interleaving(scopeOf func(kms.Key) string, got, want []kms.Key, n int) error {
	if len(got) != n {
		return fmt.Errorf("got %d keys, want %d", len(got), n)
	}
	next := map[string][]string{} // each scope's IDs not yet seen, in order
	for _, k := range want {
		s := scopeOf(k)
		next[s] = append(next[s], k.ID)
	}
	for i, k := range got {
		s := scopeOf(k)
		rest := next[s]
		switch {
		case len(rest) == 0 || rest[0] != k.ID && !slices.Contains(rest, k.ID):
			return fmt.Errorf("key %d (%s, scope %q) is not one of the keys left in its scope (a repeat, or not the fleet's)", i, k.ID, s)
		case rest[0] != k.ID:
			return fmt.Errorf("key %d (%s, scope %q) comes before %s, which its scope lists first", i, k.ID, s, rest[0])
		}
		next[s] = rest[1:]
	}
	return nil
}

// inOrderOf returns got's keys in the order of want's, matched by ID (a
// key of got not in want is left out), so that a fleet's interleaved keys
// can be compared field by field; got itself when fx promises want's order.
func inOrderOf(fx Fixture, got, want []kms.Key) []kms.Key {
	if fx.ScopeOf == nil {
		return got
	}
	byID := make(map[string]kms.Key, len(got))
	for _, k := range got {
		byID[k.ID] = k
	}
	out := make([]kms.Key, 0, len(want))
	for _, k := range want {
		if g, ok := byID[k.ID]; ok {
			out = append(out, g)
		}
	}
	return out
}
