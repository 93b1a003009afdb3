package benchkit

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestPerKeyReportsPerKeyFigures(t *testing.T) {
	runs := 0
	r := testing.Benchmark(func(b *testing.B) {
		PerKey(b, 10, func() int { runs++; return 10 })
	})
	assert.Positive(t, r.N)
	assert.Equal(t, r.N, runs, "one listing per iteration")
	for _, m := range []string{"ns/key", "cpu-ns/key", "allocs/key", "B/key"} {
		assert.Contains(t, r.Extra, m)
	}
	assert.Zero(t, testing.Benchmark(func(b *testing.B) {
		PerKey(b, 10, func() int { return 9 })
	}).N, "a listing that misses a key fails the benchmark")
}

func TestPairedTakesTurns(t *testing.T) {
	var order []string
	listing := func(name string) Listing {
		return Listing{Name: name, List: func() int { order = append(order, name); return 5 }}
	}
	r := testing.Benchmark(func(b *testing.B) {
		order = order[:0]
		Paired(b, 5, listing("a"), listing("b"), listing("c"))
	})
	assert.Positive(t, r.N)
	assert.Len(t, order, 3*r.N)
	for i := 0; i+2 < len(order); i += 3 {
		assert.ElementsMatch(t, []string{"a", "b", "c"}, order[i:i+3], "each listing once per iteration")
	}
	if r.N >= 2 {
		assert.Equal(t, []string{"a", "b", "c", "b", "c", "a"}, order[:6], "each iteration starts with the next")
	}
	for _, m := range []string{"a-cpu-ns/key", "b-cpu-ns/key", "c-allocs/key", "cpu-ratio", "allocs-ratio", "cpu-ratio-vs-c"} {
		assert.Contains(t, r.Extra, m)
	}
}
