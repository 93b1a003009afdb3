package awskms_test

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
	"github.com/multikms/multikms/providers/awskms"
	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

// BenchmarkFleetOrganization discovers and lists an emulated organization
// of 20 accounts x 17 Regions (340 scopes) of 50 keys each, every answer
// 20 ms away, every scope with its own published KMS quotas, DetailFull:
// NewFleet (ListAccounts with GetCallerIdentity beside it, then per
// account ListRegions, after the member role's AssumeRole but in the
// caller's own account)
// and the whole listing, per iteration. "x-bound" is the time over the
// lower bound of the round trips that cannot overlap; "cpu-s/op" the CPU
// the process (client and emulator together) spent per iteration, and the
// no-latency run what that CPU alone takes on the machine (the other floor):
//
//	discovery: 1 ListAccounts page (GetCallerIdentity beside it) + ceil(20 / DiscoveryConcurrency) waves x 2
//	           (AssumeRole, then ListRegions)
//	listing:   ceil(340 / in flight) x 2 round trips (DetailFull: a ListKeys page, then the
//	           50 describes, the ListAliases pass running beside them; DetailBasic: 1)
//
//	go test -run '^$' -bench BenchmarkFleetOrganization -benchtime 2x ./providers/awskms/
func BenchmarkFleetOrganization(b *testing.B) {
	const (
		accounts, keys = 20, 50
		latency        = 20 * time.Millisecond
	)
	dir := b.TempDir()
	b.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	b.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	b.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	clouds := map[time.Duration]*awskmstest.Cloud{}
	cloudOf := func(latency time.Duration) *awskmstest.Cloud {
		if c := clouds[latency]; c != nil {
			return c
		}
		var list []awskmstest.CloudAccount
		for i := range accounts {
			list = append(list, awskmstest.CloudAccount{
				ID: fmt.Sprintf("%012d", 100000000000+i), Regions: awskmstest.DefaultRegions, Keys: keys,
				Options: []awskmstest.Option{awskmstest.WithLatency(latency), awskmstest.WithQuotas()},
			})
		}
		c := awskmstest.NewCloud(awskmstest.WithCloudAccounts(list...), awskmstest.WithDiscoveryLatency(latency))
		b.Cleanup(c.Close)
		clouds[latency] = c
		return c
	}
	scopes := accounts * len(awskmstest.DefaultRegions)
	for _, run := range []struct {
		detail   kms.Detail
		inFlight int
		perScope float64 // round trips a scope needs at least
		latency  time.Duration
	}{
		{kms.DetailFull, pagination.DefaultFanOutConcurrency, 2, latency},
		{kms.DetailFull, 64, 2, latency},
		{kms.DetailFull, 1, 2, latency},
		{kms.DetailBasic, pagination.DefaultFanOutConcurrency, 1, latency},
		// The same work with no latency: what the CPU alone costs here.
		{kms.DetailFull, pagination.DefaultFanOutConcurrency, 2, 0},
	} {
		name := fmt.Sprintf("%v/in-flight=%d", run.detail, run.inFlight)
		if run.inFlight == 1 {
			name = fmt.Sprintf("%v/one-after-another", run.detail)
		}
		if run.latency == 0 {
			name += "/no-latency"
		}
		b.Run(name, func(b *testing.B) {
			c := cloudOf(run.latency)
			waves := math.Ceil(float64(accounts) / awskms.DiscoveryConcurrency)
			rts := 1 + 2*waves + run.perScope*math.Ceil(float64(scopes)/float64(run.inFlight))
			bound := time.Duration(rts * float64(run.latency))
			start, cpu := time.Now(), cpuTime()
			n := 0
			for b.Loop() {
				n++
				f, err := awskms.NewFleet(context.Background(),
					awskms.WithEndpoint(c.URL()),
					awskms.WithLoadOptions(config.WithRegion("us-east-1"), config.WithCredentialsProvider(c.Config().Credentials)),
					awskms.WithOrganization(c.OrganizationID()), awskms.WithRegions("*"), awskms.WithScopeConcurrency(run.inFlight))
				if err != nil {
					b.Fatal(err)
				}
				got, err := pagination.Collect(f.ListKeys(context.Background(), kms.ListOptions{Detail: run.detail}))
				_ = f.Close()
				if err != nil || len(got) != scopes*keys {
					b.Fatalf("listed %d keys, want %d: %v", len(got), scopes*keys, err)
				}
			}
			per := time.Since(start) / time.Duration(n)
			b.ReportMetric((cpuTime()-cpu).Seconds()/float64(n), "cpu-s/op")
			if bound > 0 {
				b.ReportMetric(float64(bound.Milliseconds()), "bound-ms")
				b.ReportMetric(float64(per)/float64(bound), "x-bound")
			}
		})
	}
}
