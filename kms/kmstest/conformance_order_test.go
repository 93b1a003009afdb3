package kmstest

import (
	"strings"
	"testing"

	"github.com/multikms/multikms/kms"
)

func TestInterleaving(t *testing.T) {
	keys := func(ids ...string) []kms.Key {
		out := make([]kms.Key, len(ids))
		for i, id := range ids {
			out[i] = kms.Key{ID: id}
		}
		return out
	}
	scope := func(k kms.Key) string { s, _, _ := strings.Cut(k.ID, "-"); return s }
	want := keys("a-1", "a-2", "a-3", "b-1", "b-2")
	for _, c := range []struct {
		got   []kms.Key
		n     int
		error string // "" for none
	}{
		{keys("a-1", "a-2", "a-3", "b-1", "b-2"), 5, ""},
		{keys("b-1", "a-1", "b-2", "a-2", "a-3"), 5, ""},
		{keys("b-1", "a-1", "a-2"), 3, ""},
		{keys("a-2", "a-1", "a-3", "b-1", "b-2"), 5, "comes before a-1"},
		{keys("a-1", "a-1", "a-2", "a-3", "b-1"), 5, "a repeat"},
		{keys("a-1", "a-2", "a-3", "b-1", "c-1"), 5, "not the fleet's"},
		{keys("a-1", "a-2", "a-3", "b-1"), 5, "got 4 keys, want 5"},
		{keys("b-2", "a-1", "a-2"), 3, "comes before b-1"},
	} {
		err := interleaving(scope, c.got, want, c.n)
		switch {
		case c.error == "" && err != nil:
			t.Errorf("%v: %v, want none", keyIDs(c.got), err)
		case c.error != "" && (err == nil || !strings.Contains(err.Error(), c.error)):
			t.Errorf("%v: error %v, want one saying %q", keyIDs(c.got), err, c.error)
		}
	}
}
