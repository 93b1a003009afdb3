package awskms_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	kmssdk "github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/multikms/multikms/internal/benchkit"
	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/providers/awskms"
	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

// BenchmarkFleetFull (BENCHMARKS.md, "The fleet"): 16 Regions of 500 keys,
// each its own test server with its own published quotas enforced and 50 ms
// latency, a DetailFull listing (PageSize 1000) through kms.Merge against
// one Region alone, both with the adapter's defaults. Each iteration lists
// the one Region, then the fleet; fleet-x-one is the ratio of their times.
// The lower bound of the fleet is that of its slowest Region, the one
// Region's own time: each Region has its own quotas.
func BenchmarkFleetFull(b *testing.B) {
	const regions, keys, latency = 16, 500, 50 * time.Millisecond
	listers := make([]kms.Lister, regions)
	servers := make([]*awskmstest.Server, regions)
	for i := range listers {
		region := fmt.Sprintf("eu-test-%d", i+1)
		servers[i] = awskmstest.New(awskmstest.WithRegion(region), awskmstest.WithGeneratedKeys(keys),
			awskmstest.WithLatency(latency), awskmstest.WithQuotas())
		b.Cleanup(servers[i].Close)
		listers[i] = awskms.New(kmssdk.NewFromConfig(servers[i].Config()))
	}
	one := awskms.New(kmssdk.NewFromConfig(servers[0].Config()))
	fleet := kms.Merge(listers...)
	ctx := context.Background()
	list := func(l kms.Lister, want int) time.Duration {
		start := time.Now()
		n := 0
		for k, err := range l.ListKeys(ctx, kms.ListOptions{PageSize: 1000, Detail: kms.DetailFull}).All() {
			if err != nil {
				b.Fatal(err)
			}
			if k.DetailErr != nil {
				b.Fatalf("key %s: %v", k.ID, k.DetailErr)
			}
			n++
		}
		if n != want {
			b.Fatalf("listed %d keys, want %d", n, want)
		}
		return time.Since(start)
	}
	var tOne, tFleet, cOne, cFleet time.Duration
	iters := 0
	for b.Loop() {
		c0 := benchkit.CPUTime()
		tOne += list(one, keys)
		c1 := benchkit.CPUTime()
		tFleet += list(fleet, regions*keys)
		cOne, cFleet = cOne+c1-c0, cFleet+benchkit.CPUTime()-c1
		iters++
	}
	throttled := 0
	for _, s := range servers {
		for _, op := range awskmstest.Operations {
			throttled += s.Throttled(op)
		}
	}
	b.ReportMetric(tOne.Seconds()/float64(iters), "one-s")
	b.ReportMetric(tFleet.Seconds()/float64(iters), "fleet-s")
	b.ReportMetric(float64(tFleet)/float64(tOne), "fleet-x-one")
	// CPU seconds per wall second: the fleet is CPU-bound on a machine
	// with that many cores to spare (client, SDK signing and the 16 test
	// servers all run in this process).
	b.ReportMetric(cOne.Seconds()/float64(iters), "one-cpu-s")
	b.ReportMetric(cFleet.Seconds()/float64(iters), "fleet-cpu-s")
	b.ReportMetric(float64(cFleet)/float64(tFleet), "fleet-cores-busy")
	b.ReportMetric(float64(throttled)/float64(iters), "throttled/iter")
}

// BenchmarkFleetBasicPerKeyWire (BENCHMARKS.md, "The fleet"): CPU and
// allocations per key of a DetailBasic listing of 16 Regions x 6,250 keys
// through kms.Merge against one Region holding all 100,000, each an
// awskmstest server over the real wire (no latency, no quotas: the cost is
// the CPU of both ends), PageSize 1000, in turns (benchkit.Paired;
// cpu-ratio and allocs-ratio are merged / single). The Regions' short last
// pages make 112 requests against 100, as on AWS. The test servers run in
// this process, so both figures include their work.
func BenchmarkFleetBasicPerKeyWire(b *testing.B) {
	const regions, keys = 16, 6250
	listers := make([]kms.Lister, regions)
	for i := range listers {
		s := awskmstest.New(awskmstest.WithRegion(fmt.Sprintf("eu-test-%d", i+1)), awskmstest.WithGeneratedKeys(keys))
		b.Cleanup(s.Close)
		listers[i] = awskms.New(kmssdk.NewFromConfig(s.Config()))
	}
	all := awskmstest.New(awskmstest.WithRegion("eu-test-1"), awskmstest.WithGeneratedKeys(regions*keys))
	b.Cleanup(all.Close)
	one := awskms.New(kmssdk.NewFromConfig(all.Config()))
	fleet := kms.Merge(listers...)
	benchkit.Paired(b, regions*keys, benchkit.Listing{Name: "merged", List: basicListing(b, fleet)}, benchkit.Listing{Name: "single", List: basicListing(b, one)})
}
