package kms_test

import (
	"strings"
	"testing"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
)

// TestMergeConformanceConcurrent runs the suite on the default Merge, which
// lists its listers at once: each lister's keys must keep their order, in
// any interleaving (Fixture.ScopeOf).
func TestMergeConformanceConcurrent(t *testing.T) {
	kmstest.RunConformance(t, kmstest.Harness{Setup: func(t *testing.T) kmstest.Fixture {
		fx := mergeFixture(func(ls []kms.Lister) kms.Lister { return kms.Merge(ls...) })
		fx.ScopeOf = func(k kms.Key) string { prefix, _, _ := strings.Cut(k.ID, "-"); return prefix }
		return fx
	}})
}
