package kms_test

import (
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/multikms/multikms/internal/benchkit"
	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
	"github.com/multikms/multikms/pagination"
)

// The fleet benchmarks of BENCHMARKS.md ("The fleet"), which gives the
// commands. They run only with -bench.

// fleetOfFakes returns scopes Fakes of keys keys each, with latency.
func fleetOfFakes(scopes, keys int, latency time.Duration) ([]*kmstest.Fake, []kms.Lister) {
	fs := make([]*kmstest.Fake, scopes)
	ls := make([]kms.Lister, scopes)
	for i := range fs {
		ks := make([]kms.Key, keys)
		for j := range ks {
			ks[j] = kms.Key{ID: fmt.Sprintf("s%d-k%d", i, j), State: kms.StateEnabled}
		}
		fs[i] = kmstest.NewFake(ks, kmstest.WithShape(kmstest.ByMarker), kmstest.WithLatency(latency), kmstest.WithMaxPageSize(1000))
		ls[i] = fs[i]
	}
	return fs, ls
}

func count(b *testing.B, it *pagination.Iterator[kms.Key]) int {
	n := 0
	for _, err := range it.All() {
		if err != nil {
			b.Fatal(err)
		}
		n++
	}
	return n
}

// BenchmarkFleetManyScopes: 1,000 scopes of 10 keys, 20 ms a request, a
// DetailBasic listing through Merge (16 scopes in flight), against its
// bound: ceil(scopes / scopes in flight) x the round trips one scope needs
// (counted: 1, its one page) x the latency.
func BenchmarkFleetManyScopes(b *testing.B) {
	const scopes, keys, latency = 1000, 10, 20 * time.Millisecond
	fs, ls := fleetOfFakes(scopes, keys, latency)
	m := kms.Merge(ls...)
	ctx := context.Background()
	iters := 0
	for b.Loop() {
		if n := count(b, m.ListKeys(ctx, kms.ListOptions{PageSize: keys})); n != scopes*keys {
			b.Fatalf("listed %d keys", n)
		}
		iters++
	}
	trips := fs[0].Calls() / iters
	rounds := (scopes + pagination.DefaultFanOutConcurrency - 1) / pagination.DefaultFanOutConcurrency
	bound := time.Duration(rounds*trips) * latency
	per := b.Elapsed() / time.Duration(iters)
	b.ReportMetric(per.Seconds(), "s/listing")
	b.ReportMetric(bound.Seconds(), "bound-s")
	b.ReportMetric(float64(per)/float64(bound), "x-bound")
	b.ReportMetric(float64(trips), "trips/scope")
}

// genLister is a Lister whose keys are made as they are listed (a marker
// listing of n keys, PageSize a page): it holds nothing, so what a listing
// allocates and keeps is the engine's and Merge's own.
type genLister struct {
	scope string
	n     int
}

func (g genLister) ListKeys(ctx context.Context, opts kms.ListOptions) *pagination.Iterator[kms.Key] {
	fetch := func(ctx context.Context, marker string, limit int) ([]kms.Key, string, bool, error) {
		off := 0
		fmt.Sscan(marker, &off)
		end := min(off+limit, g.n)
		keys := pagination.PageBuffer[kms.Key](ctx, end-off)
		for i := range keys {
			keys[i] = kms.Key{Provider: "gen", ID: "k", Region: g.scope, State: kms.StateEnabled}
		}
		if end == g.n {
			return keys, "", false, nil
		}
		return keys, fmt.Sprint(end), true, nil
	}
	return pagination.ByMarker(ctx, fetch, pagination.Options{PageSize: opts.PageSize, Cursor: opts.Cursor, Scope: g.scope, MaxItems: opts.MaxItems})
}

func (genLister) DescribeKey(context.Context, string) (kms.Key, error) {
	return kms.Key{}, kms.NewError("gen", "DescribeKey", kms.CodeUnsupported, nil)
}

func (genLister) ListKeyVersions(context.Context, string, kms.ListOptions) *pagination.Iterator[kms.KeyVersion] {
	return pagination.Err[kms.KeyVersion](kms.NewError("gen", "ListKeyVersions", kms.CodeUnsupported, nil))
}

func (genLister) Close() error { return nil }

func genFleet(scopes, keys int) []kms.Lister {
	ls := make([]kms.Lister, scopes)
	for i := range ls {
		ls[i] = genLister{scope: fmt.Sprint("g", i), n: keys}
	}
	return ls
}

// BenchmarkFleetPeakHeap: the peak of live heap above the start (sampled
// every 5 ms after a collection) while a
// DetailBasic Merge listing of scopes x keys runs (16 scopes in flight,
// pages of 100, keys made as they are listed). Flat in scopes and keys
// means the listing holds only the pages of the scopes in flight. Every
// listing starts with no spare pages (see pagination.PageBuffer), as the
// first of a process does.
func BenchmarkFleetPeakHeap(b *testing.B) {
	for _, c := range []struct{ scopes, keys int }{{16, 1000}, {16, 10000}, {16, 100000}, {256, 1000}, {4096, 100}} {
		b.Run(fmt.Sprintf("scopes=%d/keys=%d", c.scopes, c.keys), func(b *testing.B) {
			m := kms.Merge(genFleet(c.scopes, c.keys)...)
			ctx := context.Background()
			var peak uint64
			for b.Loop() {
				runtime.GC() // twice: the spare pages of the last
				runtime.GC() // listing go, so the peak counts them
				base := liveHeap()
				stop := sampleHeap(&peak, base)
				if n := count(b, m.ListKeys(ctx, kms.ListOptions{PageSize: 100})); n != c.scopes*c.keys {
					b.Fatalf("listed %d keys", n)
				}
				stop()
			}
			b.ReportMetric(float64(peak)/1024, "peak-KiB")
		})
	}
}

var heapSample = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}

func liveHeap() uint64 {
	metrics.Read(heapSample)
	return heapSample[0].Value.Uint64()
}

// sampleHeap records into peak the highest live heap above base until
// stop: every 5 ms it collects garbage and reads what is left, so that the
// figure is what the listing holds, not the collector's pacing.
func sampleHeap(peak *uint64, base uint64) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.GC()
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > base && v-base > *peak {
				*peak = v - base
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// BenchmarkFleetBasicPerKey: CPU and allocations per key of a DetailBasic
// listing of 16 scopes x keys through Merge against one lister of all
// their keys, pages of 1,000 (keys made as they are listed, so the figures
// are the engine's and Merge's), in turns (benchkit.Paired; cpu-ratio and
// allocs-ratio are merged / single). At 6,250 keys a scope the scopes' short
// last pages make 112 pages against one lister's 100 (a cloud's page
// rounding, not the engine's cost); 6,000 keys a scope is page-aligned (96
// pages either way), so that it shows the engine's own cost a scope.
func BenchmarkFleetBasicPerKey(b *testing.B) {
	const scopes = 16
	for _, keys := range []int{6250, 62500, 6000} {
		b.Run(fmt.Sprintf("keys-per-scope=%d", keys), func(b *testing.B) {
			m := kms.Merge(genFleet(scopes, keys)...)
			one := genLister{scope: "one", n: scopes * keys}
			ctx := context.Background()
			merged := func() int { return count(b, m.ListKeys(ctx, kms.ListOptions{PageSize: 1000})) }
			single := func() int { return count(b, one.ListKeys(ctx, kms.ListOptions{PageSize: 1000})) }
			benchkit.Paired(b, scopes*keys, benchkit.Listing{Name: "merged", List: merged}, benchkit.Listing{Name: "single", List: single})
		})
	}
}
