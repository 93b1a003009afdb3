// Package kmstest helps test code that uses multikms: Fake, an in-memory
// Lister; Mock, a testify mock of Lister; and RunConformance, the suite
// every Lister implementation must pass.
package kmstest

import (
	"testing"

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
	Versions map[string][]kms.KeyVersion
	// MissingKeyRef is a well-formed reference to a key that does not exist.
	MissingKeyRef string
	// MaxPageSize is the largest page size the lister accepts.
	MaxPageSize int
}

// Harness tells RunConformance how to build the Lister under test.
type Harness struct {
	// Setup returns a fresh fixture for one subtest; register any cleanup with t.Cleanup.
	Setup func(t *testing.T) Fixture
}

// RunConformance runs the suite every Lister must pass as subtests of t.
func RunConformance(t *testing.T, h Harness) { panic("TODO") }
