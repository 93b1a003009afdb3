package chaostest

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	kmssdk "github.com/aws/aws-sdk-go-v2/service/kms"
	ycsdk "github.com/yandex-cloud/go-sdk"
	"go.uber.org/goleak"
	"google.golang.org/grpc/codes"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
	"github.com/multikms/multikms/providers/alibabakms"
	"github.com/multikms/multikms/providers/alibabakms/alibabakmstest"
	"github.com/multikms/multikms/providers/awskms"
	"github.com/multikms/multikms/providers/awskms/awskmstest"
	"github.com/multikms/multikms/providers/yandexkms"
	"github.com/multikms/multikms/providers/yandexkms/yandexkmstest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Keys per backend.
const (
	awsKeys     = 57
	alibabaKeys = 31
	yandexKeys  = 2 * 17
)

var retry = pagination.Retry{MaxAttempts: 12, BaseDelay: 2 * time.Millisecond, MaxDelay: 40 * time.Millisecond}

// backends are the three test servers with their faults, and how to make
// a fresh fleet of Listers over them.
type backends struct {
	aws     *awskmstest.Server
	alibaba *alibabakmstest.Server
	yandex  *yandexkmstest.Server
	sdk     *ycsdk.SDK
}

func start(t *testing.T) *backends {
	t.Helper()
	b := &backends{}
	b.aws = awskmstest.New(awskmstest.WithGeneratedKeys(awsKeys), awskmstest.WithLatency(time.Millisecond),
		awskmstest.WithFault(awskmstest.Fault{Every: 10, Type: "ThrottlingException", Status: 400}),
		awskmstest.WithFault(awskmstest.Fault{Every: 50, Status: 503}))
	t.Cleanup(b.aws.Close)
	b.alibaba = alibabakmstest.New(alibabakmstest.WithGeneratedKeys(alibabaKeys, 7),
		alibabakmstest.WithLatency(time.Millisecond), alibabakmstest.WithReadQuota(150, 5))
	t.Cleanup(b.alibaba.Close)
	y, err := yandexkmstest.Start(yandexkmstest.WithGenerated(2, yandexKeys/2),
		yandexkmstest.WithLatency(time.Millisecond), yandexkmstest.WithQuota(400, 4), yandexkmstest.WithUnavailable(3))
	if err != nil {
		t.Fatal(err)
	}
	b.yandex = y
	t.Cleanup(y.Close)
	b.sdk, err = ycsdk.Build(context.Background(), y.SDKConfig())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.sdk.Shutdown(context.Background()) })
	return b
}

// fleet returns a fresh Merge of fresh Listers over the servers, paced
// above the servers' quotas so that throttling happens, is retried and
// slows the adaptive limiters.
func (b *backends) fleet(t *testing.T) kms.Lister {
	t.Helper()
	var awsOpts []awskms.Option
	for op := range awskms.DefaultQuotas {
		awsOpts = append(awsOpts, awskms.WithOperationRateLimit(op, 1e6, 1000))
	}
	awsL := awskms.New(kmssdk.NewFromConfig(b.aws.Config()), append(awsOpts, awskms.WithRetry(retry))...)
	client, err := b.alibaba.Client()
	if err != nil {
		t.Fatal(err)
	}
	aliL := alibabakms.New(client, alibabakms.WithRateLimit(200, 10), alibabakms.WithRetry(retry))
	yL := yandexkms.New(b.sdk, yandexkmstest.FolderID(0), yandexkms.WithFolders(yandexkmstest.FolderID(1)),
		yandexkms.WithRateLimit(1e6, 1e6), yandexkms.WithRetry(retry))
	return kms.Merge(awsL, aliL, yL)
}

// TestChaosFleet: chaos listings of the fleet, each broken off at random
// points and resumed in a fresh Merge from its cursor: every key of the
// three clouds comes out exactly once per listing, at both levels of detail,
// with every failure retried away; no goroutine is left (TestMain).
func TestChaosFleet(t *testing.T) {
	b := start(t)
	const listings = 12
	total := awsKeys + alibabaKeys + yandexKeys
	rng := rand.New(rand.NewPCG(1, 2))
	var lost, repeated, resumes int
	for run := range listings {
		opts := kms.ListOptions{PageSize: 1 + run%5*4}
		if run%2 == 1 {
			opts.Detail = kms.DetailFull
		}
		seen := map[string]int{}
		for part := 0; ; part++ {
			b.yandex.FailNext(codes.Unavailable, 2) // mid-listing, besides the quota
			l := b.fleet(t)
			it := l.ListKeys(context.Background(), opts)
			stopAt := rng.IntN(total/2) + 1
			n, stopped := 0, false
			for k, err := range it.All() {
				if err != nil {
					t.Fatalf("run %d: %v", run, err)
				}
				if opts.Detail == kms.DetailFull && k.DetailErr != nil {
					t.Fatalf("run %d: %s %s: faults are retried away: %v", run, k.Provider, k.ID, k.DetailErr)
				}
				seen[string(k.Provider)+"/"+k.ID]++
				if n++; part < 4 && n == stopAt {
					stopped = true
					break
				}
			}
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			if !stopped {
				break
			}
			resumes++
			opts.Cursor = it.Cursor()
		}
		for _, c := range seen {
			if c > 1 {
				repeated += c - 1
			}
		}
		lost += total - len(seen)
	}
	t.Logf("%d chaos listings of %d keys, %d resumes in fresh fleets: %d lost, %d repeated; "+
		"faults: aws %d, alibaba throttled %d",
		listings, total, resumes, lost, repeated, b.aws.FaultsInjected(), b.alibaba.Throttled())
	if lost != 0 || repeated != 0 {
		t.Fatalf("%d keys lost, %d repeated", lost, repeated)
	}
	if b.aws.FaultsInjected() < 20 || b.alibaba.Throttled() == 0 {
		t.Fatalf("the chaos did not happen: %d AWS faults, %d Alibaba throttled answers", b.aws.FaultsInjected(), b.alibaba.Throttled())
	}
}
