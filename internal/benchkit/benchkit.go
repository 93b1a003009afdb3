// Package benchkit holds the per-key measurements that the adapters'
// benchmarks share: CPU time, allocations and bytes per key listed, alone or
// in turns against the loop a user would write on the cloud's SDK.
//
// CPU time is the whole process's (getrusage: user and system, client and
// in-process emulator, the garbage collector's workers included), which is
// the figure to compare on a shared machine where wall time swings.
package benchkit

import (
	"runtime"
	"syscall"
	"testing"
	"time"
)

// CPUTime returns the CPU time the process has used so far.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// PerKey runs list in the benchmark loop, failing the benchmark unless every
// run lists keys keys, and reports wall time (ns/key), CPU time
// (cpu-ns/key), allocations (allocs/key) and bytes (B/key) per key.
func PerKey(b *testing.B, keys int, list func() int) {
	b.Helper()
	b.ReportAllocs()
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	cpu0 := CPUTime()
	runs := 0
	for b.Loop() {
		if n := list(); n != keys {
			b.Fatalf("listed %d keys, want %d", n, keys)
		}
		runs++
	}
	cpu := CPUTime() - cpu0
	runtime.ReadMemStats(&ms1)
	n := float64(runs * keys)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/key")
	b.ReportMetric(float64(cpu.Nanoseconds())/n, "cpu-ns/key")
	b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/n, "allocs/key")
	b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/n, "B/key")
}

// Listing is one way of listing the same keys, named for the metrics.
type Listing struct {
	Name string
	List func() int // lists the keys and returns how many
}

// Paired runs every listing once in each iteration of the benchmark loop, so
// that all see the same machine load, starting each iteration with the next
// one in turn so that none always pays for the garbage another left. It
// reports each one's CPU time and allocations per key
// (<name>-cpu-ns/key, <name>-allocs/key), the CPU and allocation ratios of
// the first listing to the second (cpu-ratio, allocs-ratio), and the CPU
// ratio of the first to every further one (cpu-ratio-vs-<name>).
func Paired(b *testing.B, keys int, listings ...Listing) {
	b.Helper()
	if len(listings) < 2 {
		b.Fatal("benchkit.Paired needs two listings or more")
	}
	cpu := make([]float64, len(listings))
	allocs := make([]float64, len(listings))
	runs := 0
	for b.Loop() {
		for j := range listings {
			i := (runs + j) % len(listings)
			var ms0, ms1 runtime.MemStats
			runtime.ReadMemStats(&ms0)
			c0 := CPUTime()
			if n := listings[i].List(); n != keys {
				b.Fatalf("%s listed %d keys, want %d", listings[i].Name, n, keys)
			}
			cpu[i] += float64(CPUTime() - c0)
			runtime.ReadMemStats(&ms1)
			allocs[i] += float64(ms1.Mallocs - ms0.Mallocs)
		}
		runs++
	}
	n := float64(runs * keys)
	for i, l := range listings {
		b.ReportMetric(cpu[i]/n, l.Name+"-cpu-ns/key")
		b.ReportMetric(allocs[i]/n, l.Name+"-allocs/key")
		if i >= 2 {
			b.ReportMetric(cpu[0]/cpu[i], "cpu-ratio-vs-"+l.Name)
		}
	}
	b.ReportMetric(cpu[0]/cpu[1], "cpu-ratio")
	b.ReportMetric(allocs[0]/allocs[1], "allocs-ratio")
}
