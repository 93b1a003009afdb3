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
		fs := uniformFakes()
		ls := make([]kms.Lister, len(fs))
		for i, f := range fs {
			ls[i] = f
		}
		fx := kmstest.Fixture{Lister: kms.Merge(ls...), Versions: map[string][]kms.KeyVersion{},
			MissingKeyRef: "no-such-key", MaxPageSize: 50, Provider: kms.ProviderYandex,
			ScopeOf: func(k kms.Key) string { prefix, _, _ := strings.Cut(k.ID, "-"); return prefix }}
		for _, f := range fs {
			fx.Keys = append(fx.Keys, f.Keys()...)
			for id, vs := range f.Versions() {
				fx.Versions[id] = vs
			}
		}
		fx.Requests = func() int { return totalCalls(fs) }
		return fx
	}})
}
