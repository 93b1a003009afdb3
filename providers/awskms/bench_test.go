package awskms_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmssdk "github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/multikms/multikms/internal/benchkit"
	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/providers/awskms"
	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

// The benchmarks of BENCHMARKS.md (AWS section), which gives the commands:
// (1) BenchmarkBasicListing, (2) BenchmarkFullListing, (3)
// BenchmarkBasicListingHeap, (4) BenchmarkExtrasListing. They run only with
// -bench.

// BenchmarkBasicListing (1): a DetailBasic listing of 10,000 keys, 1,000 a
// page, through the adapter and through a plain SDK paginator loop over the
// same test server. ListKeys pacing is off in the adapter, as the loop has none.
// The paired sub-benchmarks run both in turns in every iteration.
func BenchmarkBasicListing(b *testing.B) {
	const keys = 10_000
	_, client := setup(b, awskmstest.WithGeneratedKeys(keys))
	noPacing := awskms.WithOperationRateLimit(awskms.OpListKeys, 1e6, 1000)
	sdk := func() int { return paginate(b, client) }
	for _, v := range []struct {
		name     string
		prefetch int
	}{{"", 1}, {"-no-prefetch", 0}} {
		adapter := basicListing(b, awskms.New(client, noPacing, awskms.WithPrefetch(v.prefetch)))
		b.Run("adapter"+v.name, func(b *testing.B) { benchkit.PerKey(b, keys, adapter) })
		b.Run("paired"+v.name, func(b *testing.B) {
			benchkit.Paired(b, keys, benchkit.Listing{Name: "adapter", List: adapter}, benchkit.Listing{Name: "sdk", List: sdk})
		})
	}
	b.Run("sdk-paginator", func(b *testing.B) { benchkit.PerKey(b, keys, sdk) })
}

// basicListing is a DetailBasic listing of l's keys, pages of 1,000, that
// returns how many it listed (a benchkit.Listing's List).
func basicListing(b *testing.B, l kms.Lister) func() int {
	return func() int {
		n := 0
		for _, err := range l.ListKeys(context.Background(), kms.ListOptions{PageSize: 1000}).All() {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		return n
	}
}

// paginate is the loop a user writes with the SDK alone.
func paginate(b *testing.B, client *kmssdk.Client) int {
	n := 0
	p := kmssdk.NewListKeysPaginator(client, &kmssdk.ListKeysInput{Limit: aws.Int32(1000)})
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		n += len(out.Keys)
	}
	return n
}

// BenchmarkFullListing (2): a DetailFull listing of 5,000 keys with 10 ms
// emulator latency and the published quotas enforced by the emulator,
// through the adapter (defaults: DefaultDescribeConcurrency (64) describes in flight, client-side
// quotas) and through the SDK paginator + sequential DescribeKey loop.
func BenchmarkFullListing(b *testing.B) {
	const keys, latency = 5000, 10 * time.Millisecond
	s, client := setup(b, awskmstest.WithGeneratedKeys(keys), awskmstest.WithLatency(latency), awskmstest.WithQuotas())
	ctx := context.Background()
	// Lower bound: the first ListKeys page, then the describes at the
	// DescribeKey quota or at DefaultDescribeConcurrency in flight, whichever is slower, then the
	// last describe's round trip.
	bound := 2*latency + max(time.Duration(float64(keys)/awskmstest.Quotas[awskms.OpDescribeKey]*float64(time.Second)),
		time.Duration(keys)*latency/awskms.DefaultDescribeConcurrency)
	var cpu0 time.Duration
	report := func(b *testing.B, iters, surfaced int) {
		b.ReportMetric((benchkit.CPUTime()-cpu0).Seconds()/float64(iters), "cpu-s/listing")
		per := float64(b.Elapsed().Nanoseconds()) / float64(iters)
		b.ReportMetric(per/1e9, "s/listing")
		b.ReportMetric(per/float64(bound.Nanoseconds()), "x-bound")
		b.ReportMetric(float64(s.TotalRequests())/float64(iters), "requests/listing")
		throttled := 0
		for _, op := range awskmstest.Operations {
			throttled += s.Throttled(op)
		}
		b.ReportMetric(float64(throttled)/float64(iters), "throttled/listing")
		b.ReportMetric(float64(surfaced), "surfaced-errors")
	}
	b.Run("adapter", func(b *testing.B) {
		s.ResetCounts()
		cpu0 = benchkit.CPUTime()
		l := awskms.New(client)
		surfaced, iters := 0, 0
		for ; b.Loop(); iters++ {
			n := 0
			for k, err := range l.ListKeys(ctx, kms.ListOptions{PageSize: 1000, Detail: kms.DetailFull}).All() {
				if err != nil {
					b.Fatal(err)
				}
				if k.DetailErr != nil {
					surfaced++
				}
				n++
			}
			if n != keys {
				b.Fatalf("listed %d keys", n)
			}
		}
		report(b, iters, surfaced)
	})
	b.Run("sdk-sequential", func(b *testing.B) {
		s.ResetCounts()
		cpu0 = benchkit.CPUTime()
		surfaced, iters := 0, 0
		for ; b.Loop(); iters++ {
			p := kmssdk.NewListKeysPaginator(client, &kmssdk.ListKeysInput{Limit: aws.Int32(1000)})
			for p.HasMorePages() {
				out, err := p.NextPage(ctx)
				if err != nil {
					b.Fatal(err)
				}
				for _, e := range out.Keys {
					if _, err := client.DescribeKey(ctx, &kmssdk.DescribeKeyInput{KeyId: e.KeyId}); err != nil {
						surfaced++
					}
				}
			}
		}
		report(b, iters, surfaced)
	})
}

// BenchmarkBasicListingHeap (3): the memory a DetailBasic listing keeps
// alive, for 10,000 and 100,000 keys: every 5,000 keys a full collection
// (runtime.GC) measures the live heap, and the peak above the live heap
// before the listing is reported, with the bytes allocated per key. (The
// total heap is no measure here: the emulator's keys live in the same
// process and the collector lets garbage grow in proportion to them.) The
// peak must not grow with the number of keys.
func BenchmarkBasicListingHeap(b *testing.B) {
	for _, keys := range []int{10_000, 100_000} {
		b.Run(map[int]string{10_000: "keys=10k", 100_000: "keys=100k"}[keys], func(b *testing.B) {
			_, client := setup(b, awskmstest.WithGeneratedKeys(keys))
			l := awskms.New(client, awskms.WithOperationRateLimit(awskms.OpListKeys, 1e6, 1000))
			var peak, allocated uint64
			iters := 0
			for b.Loop() {
				base := liveHeap()
				var ms0, ms1 runtime.MemStats
				runtime.ReadMemStats(&ms0)
				n := 0
				for _, err := range l.ListKeys(context.Background(), kms.ListOptions{PageSize: 1000}).All() {
					if err != nil {
						b.Fatal(err)
					}
					if n++; n%5000 == 0 {
						if h := liveHeap(); h > base {
							peak = max(peak, h-base)
						}
					}
				}
				runtime.ReadMemStats(&ms1)
				allocated += ms1.TotalAlloc - ms0.TotalAlloc
				if n != keys {
					b.Fatalf("listed %d keys", n)
				}
				iters++
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-live-MiB")
			b.ReportMetric(float64(allocated)/float64(iters*keys), "B/key")
		})
	}
}

// liveHeap collects garbage and returns the bytes of live heap objects.
func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkExtrasListing (4): a DetailFull listing of 1,000 keys with
// every Include (tags, rotation, policy, access), 10 ms of emulator
// latency and the published quotas enforced by the emulator, against its
// bound: the fewest requests of each operation over its quota, or the
// sequential round trips (the ListKeys page, then one key's describe, tags,
// rotation, policy and grants), whichever is larger. ListGrants, one a key
// at 100/s, makes it 10 s.
func BenchmarkExtrasListing(b *testing.B) {
	const keys, latency = 1000, 10 * time.Millisecond
	s, client := setup(b, awskmstest.WithGeneratedKeys(keys), awskmstest.WithLatency(latency), awskmstest.WithQuotas())
	rotatable := 0
	for _, k := range s.Keys() {
		if k.CanRotate() {
			rotatable++
		}
	}
	aliasPages := (keys/3 + 1 + 99) / 100
	requests := map[string]int{
		awskms.OpListKeys: 1, awskms.OpDescribeKey: keys, awskms.OpListAliases: aliasPages, awskms.OpListResourceTags: keys,
		awskms.OpGetKeyRotationStatus: rotatable, awskms.OpGetKeyPolicy: keys, awskms.OpListGrants: keys,
	}
	bound := 6 * latency
	for op, n := range requests {
		bound = max(bound, time.Duration(float64(n)/awskmstest.Quotas[op]*float64(time.Second)))
	}
	ctx := context.Background()
	l := awskms.New(client)
	s.ResetCounts()
	cpu0 := benchkit.CPUTime()
	surfaced, iters := 0, 0
	for ; b.Loop(); iters++ {
		n := 0
		for k, err := range l.ListKeys(ctx, kms.ListOptions{PageSize: 1000, Detail: kms.DetailFull, Include: allExtras}).All() {
			if err != nil {
				b.Fatal(err)
			}
			if k.DetailErr != nil || k.Policy == "" || len(k.Access) == 0 {
				surfaced++
			}
			n++
		}
		if n != keys {
			b.Fatalf("listed %d keys", n)
		}
	}
	b.ReportMetric((benchkit.CPUTime()-cpu0).Seconds()/float64(iters), "cpu-s/listing")
	per := float64(b.Elapsed().Nanoseconds()) / float64(iters)
	b.ReportMetric(per/1e9, "s/listing")
	b.ReportMetric(bound.Seconds(), "bound-s")
	b.ReportMetric(per/float64(bound.Nanoseconds()), "x-bound")
	b.ReportMetric(float64(s.TotalRequests())/float64(iters), "requests/listing")
	want := 0
	for _, n := range requests {
		want += n
	}
	b.ReportMetric(float64(want), "fewest-requests")
	throttled := 0
	for _, op := range awskmstest.Operations {
		throttled += s.Throttled(op)
	}
	b.ReportMetric(float64(throttled)/float64(iters), "throttled/listing")
	b.ReportMetric(float64(surfaced), "surfaced-errors")
}
