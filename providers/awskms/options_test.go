package awskms_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
	"github.com/multikms/multikms/pagination"
	"github.com/multikms/multikms/providers/awskms"
	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

// badOptions are out-of-range options and the parameter their error names.
var badOptions = []struct {
	name  string
	opt   awskms.Option
	param string
}{
	{"rate NaN", awskms.WithRateLimit(math.NaN(), 1), "RateLimit"},
	{"rate +Inf", awskms.WithRateLimit(math.Inf(1), 1), "RateLimit"},
	{"rate 0", awskms.WithRateLimit(0, 1), "RateLimit"},
	{"rate negative", awskms.WithRateLimit(-5, 1), "RateLimit"},
	{"rate above 1e6", awskms.WithRateLimit(2e6, 1), "RateLimit"},
	{"burst 0", awskms.WithRateLimit(10, 0), "RateLimit"},
	{"op rate of an unknown op", awskms.WithOperationRateLimit("Encrypt", 10, 1), "OperationRateLimit"},
	{"op rate NaN", awskms.WithOperationRateLimit(awskms.OpDescribeKey, math.NaN(), 1), "OperationRateLimit"},
	{"op rate 0 (no off switch)", awskms.WithOperationRateLimit(awskms.OpListKeys, 0, 1), "OperationRateLimit"},
	{"op burst above 1e6", awskms.WithOperationRateLimit(awskms.OpListKeys, 10, 2e6), "OperationRateLimit"},
	{"concurrency 0", awskms.WithConcurrency(0), "Concurrency"},
	{"concurrency 1025", awskms.WithConcurrency(1025), "Concurrency"},
	{"describe concurrency 0", awskms.WithDescribeConcurrency(0), "Concurrency"},
	{"prefetch negative", awskms.WithPrefetch(-1), "Prefetch"},
	{"prefetch 65", awskms.WithPrefetch(65), "Prefetch"},
	{"retry attempts negative", awskms.WithRetry(pagination.Retry{MaxAttempts: -1}), "Retry"},
	{"retry delay negative", awskms.WithRetry(pagination.Retry{BaseDelay: -time.Second}), "Retry"},
	{"region with a space", awskms.WithRegion("eu west 1"), "Region"},
	{"empty profile", awskms.WithProfile(""), "Profile"},
	{"public endpoint in plain text", awskms.WithEndpoint("http://kms.eu-west-1.amazonaws.com"), "Endpoint"},
	{"endpoint without scheme", awskms.WithEndpoint("kms.eu-west-1.amazonaws.com"), "Endpoint"},
	{"11 grant tokens", awskms.WithGrantTokens(strings.Split("a,b,c,d,e,f,g,h,i,j,k", ",")...), "GrantTokens"},
}

func TestBadOptionsAreRefusedNamingThem(t *testing.T) {
	isolateAWSConfig(t)
	s, client := setup(t, awskmstest.WithGeneratedKeys(2))
	for _, tc := range badOptions {
		t.Run(tc.name, func(t *testing.T) {
			l, err := awskms.NewFromConfig(context.Background(), awskms.WithRegion("us-east-1"), awskms.WithEndpoint(s.URL()), tc.opt)
			assert.Nil(t, l, "NewFromConfig returns a nil Lister with its error")
			wantParam(t, err, tc.param)
			// New keeps the error for every call.
			nl := awskms.New(client, tc.opt)
			_, err = nl.DescribeKey(context.Background(), s.Keys()[0].ID)
			wantParam(t, err, tc.param)
			_, err = kmstest.Collect(nl.ListKeys(context.Background(), kms.ListOptions{}))
			wantParam(t, err, tc.param)
			_, err = kmstest.Collect(nl.ListKeyVersions(context.Background(), s.Keys()[0].ID, kms.ListOptions{}))
			wantParam(t, err, tc.param)
		})
	}
	assert.Zero(t, s.TotalRequests(), "bad options send nothing")
}

// wantParam checks err is an ErrInvalidArgument *kms.Error of aws naming param.
func wantParam(t *testing.T, err error, param string) {
	t.Helper()
	var ke *kms.Error
	require.ErrorIs(t, err, kms.ErrInvalidArgument)
	require.True(t, errors.As(err, &ke), "%v is not a *kms.Error", err)
	assert.Equal(t, kms.ProviderAWS, ke.Provider)
	assert.Contains(t, err.Error(), "parameter "+param+":")
	assert.Equal(t, 1, strings.Count(err.Error(), "kms:"), "one kms: prefix: %v", err)
}

func TestWithRateLimitCapsEveryOperation(t *testing.T) {
	_, client := setup(t)
	l := awskms.New(client, awskms.WithRateLimit(50, 5))
	for op := range awskms.DefaultQuotas {
		assert.Equal(t, 50.0, l.Limiter(op).Limit(), op)
	}
	// A cap above an operation's quota leaves that quota.
	l = awskms.New(client, awskms.WithRateLimit(1000, 50), awskms.WithOperationRateLimit(awskms.OpListAliases, 7, 1))
	assert.Equal(t, awskms.DefaultQuotas[awskms.OpListKeys], l.Limiter(awskms.OpListKeys).Limit())
	assert.Equal(t, 1000.0, l.Limiter(awskms.OpDescribeKey).Limit())
	assert.Equal(t, 7.0, l.Limiter(awskms.OpListAliases).Limit(), "the per-operation limit wins")
}

func TestPrefetchZeroFetchesNothingAhead(t *testing.T) {
	s, client := setup(t, awskmstest.WithGeneratedKeys(5))
	l := awskms.New(client, awskms.WithPrefetch(0))
	it := l.ListKeys(context.Background(), kms.ListOptions{PageSize: 1})
	for _, err := range it.All() {
		require.NoError(t, err)
		break
	}
	assert.Equal(t, 1, s.Requests(awskms.OpListKeys), "WithPrefetch(0): no page ahead of the caller")
}

// events collects the events of an Observer.
type events struct {
	mu   sync.Mutex
	reqs map[string]int
	kind map[pagination.EventKind]int
}

func (e *events) observe(ev pagination.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.kind[ev.Kind]++
	if ev.Kind == pagination.EventRequest {
		e.reqs[ev.Op]++
	}
}

func newEvents() *events {
	return &events{reqs: map[string]int{}, kind: map[pagination.EventKind]int{}}
}

func TestObserverIsToldOfEveryRequest(t *testing.T) {
	keys := awskmstest.GenerateKeys(30)
	keys[4].DenyDescribe = true
	s, client := setup(t, awskmstest.WithKeys(keys...))
	ev := newEvents()
	l := awskms.New(client, awskms.WithObserver(ev.observe))
	got, err := kmstest.Collect(l.ListKeys(context.Background(), kms.ListOptions{PageSize: 7, Detail: kms.DetailFull, Include: allExtras}))
	require.NoError(t, err)
	require.Len(t, got, 30)
	_, err = l.DescribeKey(context.Background(), keys[0].ID)
	require.NoError(t, err)
	_, err = kmstest.Collect(l.ListKeyVersions(context.Background(), keys[0].ID, kms.ListOptions{}))
	require.NoError(t, err)
	for _, op := range awskmstest.Operations {
		assert.Equal(t, s.Requests(op), ev.reqs[op], "%s: events and requests", op)
		assert.NotZero(t, ev.reqs[op], op)
	}
	assert.Equal(t, 1, ev.kind[pagination.EventDetailFailed], "the denied describe is told")
}
