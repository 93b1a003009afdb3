package alibabakms_test

import (
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	alikms "github.com/aliyun/alibaba-cloud-sdk-go/services/kms"

	"github.com/multikms/multikms/internal/benchkit"
	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
	"github.com/multikms/multikms/providers/alibabakms"
	emu "github.com/multikms/multikms/providers/alibabakms/alibabakmstest"
)

// countKeys lists with the adapter and counts the keys, keeping none.
func countKeys(b *testing.B, l *alibabakms.Lister, opts kms.ListOptions) int {
	n := 0
	for _, err := range l.ListKeys(bg, opts).All() {
		if err != nil {
			b.Fatal(err)
		}
		n++
	}
	return n
}

// rawListKeys is the hand-written loop a user would write on the raw SDK:
// PageNumber from 1 until page*size reaches TotalCount or a page is empty.
// It counts the keys, keeping none.
func rawListKeys(b *testing.B, c *alikms.Client, size int) int {
	n := 0
	for page := 1; ; page++ {
		req := alikms.CreateListKeysRequest()
		req.PageNumber = requests.NewInteger(page)
		req.PageSize = requests.NewInteger(size)
		resp, err := c.ListKeys(req)
		if err != nil {
			b.Fatal(err)
		}
		n += len(resp.Keys.Key)
		if len(resp.Keys.Key) == 0 || page*size >= resp.TotalCount {
			return n
		}
	}
}

// BenchmarkListKeys: CPU and allocations per key of a DetailBasic listing
// of 1,000 keys (pages of 100, no latency) through the adapter, against the
// hand-written loop on the raw SDK. Both include the in-process emulator.
// The paired sub-benchmarks run the adapter and the loop in turns in every
// iteration.
func BenchmarkListKeys(b *testing.B) {
	const n = 1000
	s := emu.New(emu.WithGeneratedKeys(n, 1))
	b.Cleanup(s.Close)
	client := func() *alikms.Client { // one each: New installs its transport
		c, err := s.Client()
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	rawClient := client()
	raw := func() int { return rawListKeys(b, rawClient, 100) }
	for _, v := range []struct {
		name  string
		pages int
	}{{"", 1}, {"-sequential", 0}} { // 1: the default, 4 pages at once; 0: one at a time
		l := alibabakms.New(client(), noPacing, alibabakms.WithPrefetch(v.pages))
		adapter := func() int { return countKeys(b, l, kms.ListOptions{PageSize: 100}) }
		b.Run("adapter"+v.name, func(b *testing.B) { benchkit.PerKey(b, n, adapter) })
		b.Run("paired"+v.name, func(b *testing.B) {
			benchkit.Paired(b, n, benchkit.Listing{Name: "adapter", List: adapter}, benchkit.Listing{Name: "raw", List: raw})
		})
	}
	b.Run("raw-sdk-loop", func(b *testing.B) { benchkit.PerKey(b, n, raw) })
}

// fullOptions is the emulator of the Full benchmark: 2,000 keys, 10 ms a
// request, the cloud's shared quota of 50 reads a second.
func fullOptions() []emu.Option {
	return []emu.Option{emu.WithGeneratedKeys(2000, 2), emu.WithLatency(10 * time.Millisecond), emu.WithReadQuota(50, 50)}
}

// fullBound is the fewest requests that fetch a DetailFull listing of the
// 2,000 keys of fullOptions (one alias each): 20 ListKeys pages of 100,
// 2,000 DescribeKey and 20 ListAliases pages of 100 (one account-wide
// pass; a ListAliasesByKeyId per key would be 2,000).
const fullBound = 20 + 2000 + 20

// reportBound reports the listing's time against the quota bound: the
// fewest requests that fetch what was asked (fullBound) divided by 50 a
// second; "requests" is what the listing sent.
func reportBound(b *testing.B, s *emu.Server, start time.Time) {
	elapsed := time.Since(start)
	bound := time.Duration(float64(fullBound) / 50 * float64(time.Second))
	b.ReportMetric(elapsed.Seconds(), "s/listing")
	b.ReportMetric(float64(s.Requests()), "requests")
	b.ReportMetric(bound.Seconds(), "bound-s")
	b.ReportMetric(elapsed.Seconds()/bound.Seconds(), "x-bound")
	b.ReportMetric(float64(s.Throttled()), "429s")
}

// BenchmarkFullListing: DetailFull listing (describe and aliases of every
// key) of 2,000 keys at 10 ms latency under the 50/s quota, against the
// true bound (fullBound at 50/s: 40.8 s) and against a hand-written
// raw-SDK loop paced at 50/s (ListAliasesByKeyId per key: 4,020 requests,
// 80 s). Run with -benchtime=1x.
func BenchmarkFullListing(b *testing.B) {
	b.Run("adapter", func(b *testing.B) {
		for range b.N {
			s, l := setup(b, fullOptions(), alibabakms.WithRateLimit(alibabakms.DefaultRateLimit, 5))
			start := time.Now()
			keys, err := kmstest.Collect(l.ListKeys(bg, kms.ListOptions{PageSize: 100, Detail: kms.DetailFull}))
			if err != nil || len(keys) != 2000 {
				b.Fatal(len(keys), err)
			}
			for _, k := range keys {
				if k.DetailErr != nil {
					b.Fatalf("throttling surfaced: %s: %v", k.ID, k.DetailErr)
				}
			}
			reportBound(b, s, start)
		}
	})
	b.Run("raw-sdk-loop", func(b *testing.B) {
		for range b.N {
			s := emu.New(fullOptions()...)
			c, err := s.Client()
			if err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			rawFull(b, c)
			reportBound(b, s, start)
			s.Close()
		}
	})
}

// rawFull is the hand-written DetailFull loop: a 50/s ticker before every
// request, sequential, a 429 retried after a second.
func rawFull(b *testing.B, c *alikms.Client) {
	tick := time.NewTicker(time.Second / 50)
	defer tick.Stop()
	do := func(call func() error) {
		for {
			<-tick.C
			err := call()
			var se *sdkerrors.ServerError
			if errors.As(err, &se) && se.HttpStatus() == 429 {
				time.Sleep(time.Second)
				continue
			}
			if err != nil {
				b.Fatal(err)
			}
			return
		}
	}
	var keys []alikms.Key
	for page := 1; ; page++ {
		req := alikms.CreateListKeysRequest()
		req.PageNumber, req.PageSize = requests.NewInteger(page), requests.NewInteger(100)
		var resp *alikms.ListKeysResponse
		do(func() (err error) { resp, err = c.ListKeys(req); return err })
		keys = append(keys, resp.Keys.Key...)
		if len(resp.Keys.Key) == 0 || page*100 >= resp.TotalCount {
			break
		}
	}
	for _, k := range keys {
		dreq := alikms.CreateDescribeKeyRequest()
		dreq.KeyId = k.KeyId
		do(func() error { _, err := c.DescribeKey(dreq); return err })
		areq := alikms.CreateListAliasesByKeyIdRequest()
		areq.KeyId, areq.PageSize = k.KeyId, requests.NewInteger(100)
		do(func() error { _, err := c.ListAliasesByKeyId(areq); return err })
	}
}

// BenchmarkHeap: the live heap while listing 10,000 and 100,000 keys stays
// flat: the peak of the live heap (after a GC, sampled every 5,000 keys)
// above the heap before the listing.
func BenchmarkHeap(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			_, l := setup(b, []emu.Option{emu.WithGeneratedKeys(n, 4)})
			for range b.N {
				var ms runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&ms)
				base, peak := ms.HeapAlloc, uint64(0)
				count := 0
				for _, err := range l.ListKeys(bg, kms.ListOptions{PageSize: 100}).All() {
					if err != nil {
						b.Fatal(err)
					}
					if count++; count%5000 == 0 {
						runtime.GC()
						runtime.ReadMemStats(&ms)
						peak = max(peak, ms.HeapAlloc-min(ms.HeapAlloc, base))
					}
				}
				if count != n {
					b.Fatal(count)
				}
				b.ReportMetric(float64(peak)/(1<<10), "peak-live-KiB")
			}
		})
	}
}
