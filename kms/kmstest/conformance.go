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
	// returns them (DetailFull, aliases joined) plus the values of the
	// declared Extras. At least 12, with at least two distinct states and
	// two usages so that filters can be told apart.
	Keys []kms.Key
	// Versions are the versions of some keys, by key ID, in list order.
	// At least one key must have two versions or more.
	Versions map[string][]kms.KeyVersion
	// MissingKeyRef is a well-formed reference to a key that does not exist.
	MissingKeyRef string
	// MaxPageSize is the largest page size the lister accepts.
	MaxPageSize int
	// Requests returns the number of requests the backend has received so
	// far (required); the suite uses it to check that bad input is refused
	// before any request is sent.
	Requests func() int
	// Provider is the provider every error and key of the Lister must
	// carry; empty means the Lister's own (it must then be a
	// kms.ProviderLister). The suite's foreign-ARN case uses it: an
	// "acs:kms:" ARN on ProviderAWS, an "arn:aws:kms:" one elsewhere.
	Provider kms.Provider
	// Extras are the Include bits the backend honours (see the "Include"
	// group): for each, Keys must hold the values the extra fetches (Labels,
	// AutomaticRotation with RotationPeriod and NextRotationAt, Policy,
	// Access) for at least one key, and the Lister must implement
	// kms.IncludeDescriber. Zero declares none: the group then checks only
	// that listing with no Include works, and says so in the test log.
	Extras kms.Include
	// Free are the extras of Extras that the backend's keys carry without
	// being asked (Yandex labels come with every listed key, Alibaba rotation
	// with every describe): the suite does not require them empty when they
	// are not asked for. Every other unasked extra must stay empty.
	Free kms.Include
	// ScopeOf, when set, declares the Lister a fleet that lists its scopes
	// concurrently (a kms.Merge, a discovered fleet): it names the scope of
	// a key (from its Region, Account, FolderID...), and the suite then
	// requires each scope's keys in the order Keys has them, each key once,
	// and accepts any interleaving of the scopes. Nil requires Keys' order.
	ScopeOf func(kms.Key) string
}

// provider returns the provider fx's errors and keys must carry.
func (fx Fixture) provider() kms.Provider {
	if fx.Provider != "" {
		return fx.Provider
	}
	if p, ok := fx.Lister.(kms.ProviderLister); ok {
		return p.Provider()
	}
	return ""
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

// RunConformance runs the suite every Lister must pass as subtests of t:
// listing, resuming, paging, MaxItems, filters, DetailFull and DescribeKey
// content, versions, and the rules every adapter follows the same way: one
// table of bad input (options, key references, cursors, an ARN of another
// cloud, version options it cannot honour) refused as a *kms.Error of the
// right class with Provider set, naming the parameter, one "kms: " prefix,
// before any request; every error a *kms.Error; a cancelled context's
// error returned unwrapped; Close returning nil twice; and the Include
// group for the extras the Fixture declares. Keys must come out in the
// Fixture's order, or for a fleet that declares Fixture.ScopeOf, in each
// scope's order, scopes interleaved as they come.
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
		{"BadInput", testBadInput},
		{"DescribeKeyContent", testDescribeContent},
		{"Include", testInclude},
		{"Close", testClose},
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
	case fx.Requests == nil:
		t.Fatal("Fixture.Requests is nil: the suite checks that bad input sends no request")
	case fx.provider() == "":
		t.Fatal("Fixture.Provider is empty and the Lister is no kms.ProviderLister")
	case multiVersionKey(fx) == "":
		t.Fatal("Fixture.Versions: need a key with at least two versions")
	}
	checkExtrasFixture(t, fx)
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
