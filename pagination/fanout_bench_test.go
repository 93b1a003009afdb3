package pagination_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/multikms/multikms/pagination"
)

// wait sleeps d or until ctx is done: a request's round trip.
func wait(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// latencyScope is a scope of n items in pages of 1,000, each page request
// and each item's describe taking latency, 64 describes at once (the AWS
// adapter's DetailFull defaults), with nothing else to cost CPU.
func latencyScope(name string, n int, latency time.Duration) pagination.Scope[int] {
	fetch := func(ctx context.Context, marker string, limit int) ([]int, string, bool, error) {
		wait(ctx, latency)
		off := 0
		fmt.Sscan(marker, &off)
		end := min(off+1000, n)
		items := make([]int, end-off)
		return items, fmt.Sprint(end), end < n, nil
	}
	return pagination.Scope[int]{Name: name, List: func(ctx context.Context, c string) *pagination.Iterator[int] {
		src := pagination.ByMarker(ctx, fetch, pagination.Options{Cursor: c, Scope: name})
		return pagination.Map(src, 64, func(ctx context.Context, v int) (int, bool) {
			wait(ctx, latency)
			return v, true
		})
	}}
}

// BenchmarkFanOutLatency (BENCHMARKS.md, "The fleet"): 16 scopes of 500
// items at 50 ms a request (a page, then a describe per item, 64 at once)
// through FanOut against one scope alone; fleet-x-one is the ratio of
// their times, whose bound is 1 (each scope has its own quota: the fleet's
// bound is its slowest scope).
func BenchmarkFanOutLatency(b *testing.B) {
	const scopes, items, latency = 16, 500, 50 * time.Millisecond
	fleet := make([]pagination.Scope[int], scopes)
	for i := range fleet {
		fleet[i] = latencyScope(fmt.Sprint("s", i), items, latency)
	}
	one := latencyScope("one", items, latency)
	ctx := context.Background()
	run := func(it *pagination.Iterator[int], want int) time.Duration {
		start := time.Now()
		got, _, err := drain(it, -1, false)
		if err != nil || len(got) != want {
			b.Fatalf("%d items, %v", len(got), err)
		}
		return time.Since(start)
	}
	var tOne, tFleet time.Duration
	iters := 0
	for b.Loop() {
		tOne += run(pagination.FanOut(ctx, pagination.FanOutOptions{}, one), items)
		tFleet += run(pagination.FanOut(ctx, pagination.FanOutOptions{}, fleet...), scopes*items)
		iters++
	}
	b.ReportMetric(tOne.Seconds()/float64(iters), "one-s")
	b.ReportMetric(tFleet.Seconds()/float64(iters), "fleet-s")
	b.ReportMetric(float64(tFleet)/float64(tOne), "fleet-x-one")
	// The round trips of one scope: its page, then 500/64 describe rounds.
	bound := time.Duration(1+(items+63)/64) * latency
	b.ReportMetric(float64(tOne)/float64(iters)/float64(bound), "one-x-bound")
}

// BenchmarkFanOutResume10000: what a resume over 10,000 scopes costs
// before its first request (the cursor read, the scopes matched by name,
// the sketch of those before the resume point, every scope's Iterator
// made), the cursor taken after 9,000 scopes finished with 16 in flight;
// "changed" resumes it over the scopes with 2 new ones and 2 finished
// ones gone before that point, and the last one gone.
func BenchmarkFanOutResume10000(b *testing.B) {
	ms := make([]*memScope, 10002)
	for i := range ms {
		ms[i] = &memScope{name: fmt.Sprintf("aws/111122223333/scope-%05d", i), first: i * 1000, n: 2, size: 2}
	}
	scopes := scopesOf(ms)
	same, changed := scopes[2:], append(scopes[:4500:4500], scopes[4502:10001]...)
	it := pagination.FanOut(context.Background(), pagination.FanOutOptions{Scope: "big"}, same...)
	n := 0
	for _, err := range it.All() {
		if err != nil {
			b.Fatal(err)
		}
		if n++; n == 2*9000+8 {
			break
		}
	}
	cursor := it.Cursor()
	for name, sc := range map[string][]pagination.Scope[int]{"same": same, "changed": changed} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if err := pagination.Rejected(pagination.FanOut(context.Background(), pagination.FanOutOptions{Scope: "big", Cursor: cursor}, sc...)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(cursor)), "cursor-bytes")
		})
	}
}
