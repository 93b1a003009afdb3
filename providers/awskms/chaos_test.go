package awskms_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
	"github.com/multikms/multikms/providers/awskms"
	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

// TestChaosListingsLoseAndRepeatNothing: listings (6) under throttling (every
// 10th request of each kind), server faults (every 50th) and latency, each
// broken off at a different point and resumed from its cursor by a new
// Lister, yield every key once, in order, at both levels of detail; with
// every extra, each throttled or failed extra request is retried away.
func TestChaosListingsLoseAndRepeatNothing(t *testing.T) {
	const n = 73
	s, client := setup(t, awskmstest.WithGeneratedKeys(n), awskmstest.WithLatency(time.Millisecond),
		awskmstest.WithFault(awskmstest.Fault{Every: 10, Type: "ThrottlingException", Status: 400}),
		awskmstest.WithFault(awskmstest.Fault{Every: 50, Status: 503}))
	retry := awskms.WithRetry(pagination.Retry{MaxAttempts: 10, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond})
	// The client-side limiters would slow the test down: every throttling
	// answer halves an operation's pace, down to a twentieth of its quota.
	fast := []awskms.Option{retry}
	for op := range awskms.DefaultQuotas {
		fast = append(fast, awskms.WithOperationRateLimit(op, 1e6, 1000))
	}
	for run := range 6 {
		opts := kms.ListOptions{PageSize: 1 + run%7*3}
		if run%2 == 1 {
			opts.Detail, opts.Include = kms.DetailFull, allExtras
		}
		var ids []string
		breakAt := []int{3 + run, 25 + 5*run, 60 + run}
		for part := 0; ; part++ {
			it := awskms.New(client, fast...).ListKeys(context.Background(), opts)
			stopped := false
			for k, err := range it.All() {
				require.NoError(t, err, "run %d", run)
				if opts.Detail == kms.DetailFull {
					require.NoError(t, k.DetailErr, "run %d: faults are retried away", run)
				}
				ids = append(ids, k.ID)
				if part < len(breakAt) && len(ids) == breakAt[part] {
					stopped = true
					break
				}
			}
			if !stopped {
				break
			}
			opts.Cursor = it.Cursor()
		}
		require.Len(t, ids, n, "run %d: no key lost or repeated", run)
		for i, k := range s.Keys() {
			require.Equal(t, k.ID, ids[i], "run %d: key %d", run, i)
		}
	}
	require.Greater(t, s.FaultsInjected(), 100, "the faults fired")
}
