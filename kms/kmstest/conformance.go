// Package kmstest helps test code that uses multikms: Fake, an in-memory
// Lister; Mock, a testify mock of Lister; and RunConformance, the suite
// every Lister implementation must pass.
package kmstest

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/multikms/multikms/kms"
)

// Fixture is a Lister under test and what it holds.
type Fixture struct {
	// Lister is backed by exactly Keys.
	Lister kms.Lister
	// Keys are the keys the backend holds, in list order, as DescribeKey
	// returns them (DetailFull). At least 12, with at least two distinct
	// states and two usages so that filters can be told apart.
	Keys []kms.Key
	// Versions are the versions of some keys, by key ID, in list order.
	// At least one key must have two versions or more.
	Versions map[string][]kms.KeyVersion
	// MissingKeyRef is a well-formed reference to a key that does not exist.
	MissingKeyRef string
	// MaxPageSize is the largest page size the lister accepts.
	MaxPageSize int
	// Requests, if set, returns the number of requests the backend has
	// received so far; the suite uses it to check that bad input is refused
	// before any request is sent.
	Requests func() int
}

// Harness tells RunConformance how to build the Lister under test.
type Harness struct {
	// Setup returns a fresh fixture for one subtest; register any cleanup with t.Cleanup.
	Setup func(t *testing.T) Fixture
	// LeakOptions are extra goleak options for goroutines the backend may
	// legitimately leave running until its cleanup (an emulator's HTTP or
	// gRPC connections, say). Each subtest checks, before its cleanup, that
	// no other goroutine started since the fixture was set up is left.
	LeakOptions []goleak.Option
}

// RunConformance runs the suite every Lister must pass as subtests of t.
// The subtests are not parallel, and t must not run in parallel with tests
// that start goroutines, as every subtest checks for leaked goroutines.
func RunConformance(t *testing.T, h Harness) {
	t.Helper()
	s := suite{t: t, h: h}
	for _, c := range []struct {
		name string
		fn   func(t *testing.T, fx Fixture)
	}{
		{"ListAll", testListAll},
		{"Resume", testResume},
		{"Pages", testPages},
		{"MaxItems", testMaxItems},
		{"Filters", testFilters},
		{"DetailFull", testDetailFull},
		{"DescribeKey", testDescribeKey},
		{"ListKeyVersions", testListKeyVersions},
		{"NotFound", testNotFound},
		{"InvalidArgument", testInvalidArgument},
		{"InvalidCursor", testInvalidCursor},
		{"Cancel", testCancel},
		{"BreakLeavesNoGoroutine", testBreak},
	} {
		s.run(c.name, c.fn)
	}
}

type suite struct {
	t *testing.T
	h Harness
}

// run runs one subtest on a fresh fixture and checks for leaked goroutines.
func (s suite) run(name string, fn func(t *testing.T, fx Fixture)) {
	s.t.Run(name, func(t *testing.T) {
		fx := s.h.Setup(t)
		checkFixture(t, fx)
		leak := append([]goleak.Option{goleak.IgnoreCurrent()}, s.h.LeakOptions...)
		fn(t, fx)
		goleak.VerifyNone(t, leak...)
	})
}

func checkFixture(t *testing.T, fx Fixture) {
	t.Helper()
	states, usages := map[kms.KeyState]bool{}, map[kms.KeyUsage]bool{}
	for _, k := range fx.Keys {
		states[k.State] = true
		usages[k.Usage] = true
	}
	delete(states, kms.StateUnknown)
	delete(usages, kms.UsageUnknown)
	switch {
	case fx.Lister == nil:
		t.Fatal("Fixture.Lister is nil")
	case len(fx.Keys) < 12:
		t.Fatalf("Fixture.Keys: need at least 12 keys, got %d", len(fx.Keys))
	case len(states) < 2 || len(usages) < 2:
		t.Fatalf("Fixture.Keys: need two known states and two known usages, got %d and %d", len(states), len(usages))
	case fx.MissingKeyRef == "":
		t.Fatal("Fixture.MissingKeyRef is empty")
	case fx.MaxPageSize < 2:
		t.Fatalf("Fixture.MaxPageSize: need at least 2, got %d", fx.MaxPageSize)
	case multiVersionKey(fx) == "":
		t.Fatal("Fixture.Versions: need a key with at least two versions")
	}
}

// multiVersionKey returns the ID of a key of the fixture with two versions or more.
func multiVersionKey(fx Fixture) string {
	for _, k := range fx.Keys {
		if len(fx.Versions[k.ID]) >= 2 {
			return k.ID
		}
	}
	return ""
}
