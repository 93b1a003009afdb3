package hydrate

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

// listed returns an iterator over n listed keys k0..k(n-1), pages of 3.
func listed(n int) *pagination.Iterator[kms.Key] { return listedFrom(n, "") }

func listedFrom(n int, cursor string) *pagination.Iterator[kms.Key] {
	return pagination.ByMarker(context.Background(), func(_ context.Context, marker string, _ int) ([]kms.Key, string, bool, error) {
		start := 0
		if marker != "" {
			fmt.Sscan(marker, &start)
		}
		var page []kms.Key
		for i := start; i < min(start+3, n); i++ {
			page = append(page, kms.Key{ID: fmt.Sprintf("k%d", i)})
		}
		next := start + 3
		return page, fmt.Sprint(next), next < n, nil
	}, pagination.Options{Cursor: cursor, Scope: "test"})
}

// counter counts calls by name.
type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) add(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[name]++
}

func (c *counter) get(name string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[name]
}

var errDenied = kms.NewError(kms.ProviderAWS, "GetKeyPolicy", kms.CodePermissionDenied, errors.New("denied"))

// steps describes every key (k3's describe fails), odd keys are SignVerify;
// tags (Include 0 would be DetailFull: here IncludeTags), rotation only for
// even keys, policy fails for k2; one alias pass.
func steps(c *counter) Steps {
	return Steps{
		DescribeOp: "DescribeKey",
		Describe: func(_ context.Context, k kms.Key) (kms.Key, error) {
			c.add("describe")
			if k.ID == "k3" {
				return kms.Key{}, kms.NewError(kms.ProviderAWS, "DescribeKey", kms.CodePermissionDenied, errors.New("no"))
			}
			k.Usage = kms.UsageEncryptDecrypt
			if k.ID[1]%2 == 1 {
				k.Usage = kms.UsageSignVerify
			}
			k.Description = "described"
			return k, nil
		},
		Extras: []Extra{
			{Include: kms.IncludeTags, Op: "ListResourceTags", Fetch: func(_ context.Context, k *kms.Key) error {
				c.add("tags")
				k.Labels = map[string]string{"id": k.ID}
				return nil
			}},
			{Include: kms.IncludeRotation, Op: "GetKeyRotationStatus",
				Applies: func(k *kms.Key) bool {
					if k.Usage != kms.UsageEncryptDecrypt {
						k.AutomaticRotation = kms.RotationUnsupported
						return false
					}
					return true
				},
				Fetch: func(_ context.Context, k *kms.Key) error {
					c.add("rotation")
					k.AutomaticRotation = kms.RotationEnabled
					return nil
				}},
			{Include: kms.IncludePolicy, Op: "GetKeyPolicy", Fetch: func(_ context.Context, k *kms.Key) error {
				c.add("policy")
				if k.ID == "k2" {
					return errDenied
				}
				k.Policy = "{}"
				return nil
			}},
		},
		Passes: []Pass{{Op: "ListAliases", Load: func(context.Context) (func(*kms.Key), error) {
			c.add("aliases")
			return func(k *kms.Key) { k.Aliases = []string{"alias/" + k.ID} }, nil
		}}},
	}
}

func TestNothingAskedIsTheListing(t *testing.T) {
	it := listed(5)
	s := steps(&counter{})
	s.Describe = nil
	assert.Same(t, it, Pipeline(it, kms.ListOptions{}, s, Config{}))
}

func TestDetailFullEveryStep(t *testing.T) {
	var c counter
	var failures atomic.Int32
	obs := func(e pagination.Event) {
		if e.Kind == pagination.EventDetailFailed {
			failures.Add(1)
		}
	}
	opts := kms.ListOptions{Detail: kms.DetailFull, Include: kms.IncludeTags | kms.IncludeRotation | kms.IncludePolicy}
	keys, err := pagination.Collect(Pipeline(listed(7), opts, steps(&c), Config{Concurrency: 3, Observer: obs}))
	require.NoError(t, err)
	require.Len(t, keys, 7)
	for i, k := range keys {
		assert.Equal(t, fmt.Sprintf("k%d", i), k.ID, "order kept")
		assert.Equal(t, []string{"alias/" + k.ID}, k.Aliases, "pass joined into every key")
		switch {
		case k.ID == "k3":
			assert.ErrorIs(t, k.DetailErr, kms.ErrPermissionDenied)
			assert.Equal(t, kms.DetailBasic, k.Detail, "a failed describe keeps the key as listed")
			assert.Empty(t, k.Description)
			assert.Nil(t, k.Labels, "no extra for a key whose describe failed")
		case k.ID == "k2":
			assert.ErrorIs(t, k.DetailErr, errDenied)
			assert.Equal(t, kms.DetailFull, k.Detail)
			assert.Equal(t, kms.RotationEnabled, k.AutomaticRotation, "the other extras are kept")
			assert.NotNil(t, k.Labels)
		case i%2 == 1:
			assert.NoError(t, k.DetailErr)
			assert.Equal(t, kms.RotationUnsupported, k.AutomaticRotation)
		default:
			assert.NoError(t, k.DetailErr)
			assert.Equal(t, kms.RotationEnabled, k.AutomaticRotation)
			assert.Equal(t, "{}", k.Policy)
		}
	}
	assert.Equal(t, 7, c.get("describe"))
	assert.Equal(t, 6, c.get("tags"))
	assert.Equal(t, 4, c.get("rotation"), "k0, k2, k4, k6 are symmetric: no call for the others")
	assert.Equal(t, 6, c.get("policy"))
	assert.Equal(t, 1, c.get("aliases"), "one pass per listing")
	assert.Equal(t, int32(2), failures.Load(), "k3's describe and k2's policy")
}

func TestResidualFilterDropsBeforeExtras(t *testing.T) {
	var c counter
	s := steps(&c)
	s.Residual = kms.Filter{Usages: []kms.KeyUsage{kms.UsageSignVerify}}
	opts := kms.ListOptions{Include: kms.IncludeTags}
	keys, err := pagination.Collect(Pipeline(listed(6), opts, s, Config{}))
	require.NoError(t, err)
	var ids []string
	for _, k := range keys {
		ids = append(ids, k.ID)
		assert.Equal(t, kms.DetailBasic, k.Detail, "a DetailBasic listing stays basic")
	}
	assert.Equal(t, []string{"k1", "k3", "k5"}, ids, "k3 failed its describe and is kept")
	assert.Equal(t, 2, c.get("tags"), "tags only for the matching described keys")
	assert.Equal(t, 0, c.get("aliases"), "no pass on a DetailBasic listing")
}

func TestFailedPassIntoEveryKey(t *testing.T) {
	var c counter
	s := steps(&c)
	s.Passes[0].Load = func(context.Context) (func(*kms.Key), error) {
		c.add("aliases")
		return nil, errDenied
	}
	keys, err := pagination.Collect(Pipeline(listed(4), kms.ListOptions{Detail: kms.DetailFull}, s, Config{}))
	require.NoError(t, err)
	for _, k := range keys {
		assert.ErrorIs(t, k.DetailErr, errDenied, k.ID)
	}
	assert.Equal(t, 1, c.get("aliases"))
}

func TestResumeIsExact(t *testing.T) {
	var c counter
	opts := kms.ListOptions{Detail: kms.DetailFull}
	it := Pipeline(listed(8), opts, steps(&c), Config{})
	var got []string
	for k, err := range it.All() {
		require.NoError(t, err)
		got = append(got, k.ID)
		if len(got) == 4 {
			break
		}
	}
	resumed := Pipeline(listedFrom(8, it.Cursor()), opts, steps(&c), Config{})
	for k, err := range resumed.All() {
		require.NoError(t, err)
		got = append(got, k.ID)
	}
	assert.Equal(t, []string{"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"}, got)
}

func TestOne(t *testing.T) {
	var c counter
	k := One(context.Background(), kms.Key{ID: "k2", Usage: kms.UsageEncryptDecrypt},
		kms.ListOptions{Detail: kms.DetailFull, Include: kms.IncludeRotation | kms.IncludePolicy}, steps(&c), Config{})
	assert.Equal(t, kms.DetailFull, k.Detail)
	assert.Equal(t, kms.RotationEnabled, k.AutomaticRotation)
	assert.ErrorIs(t, k.DetailErr, errDenied)
	assert.Equal(t, []string{"alias/k2"}, k.Aliases)
	assert.Equal(t, 0, c.get("describe"), "One takes a described key")
	assert.Equal(t, 0, c.get("tags"), "tags not asked")
}

// TestPassOverlapsTheFirstDescribe: the passes start beside the first
// key's describe (one round trip after the first page), not once the first
// key reaches the join.
func TestPassOverlapsTheFirstDescribe(t *testing.T) {
	var c counter
	s := steps(&c)
	passStarted := make(chan struct{})
	describe := s.Describe
	s.Describe = func(ctx context.Context, k kms.Key) (kms.Key, error) {
		if k.ID == "k0" {
			select {
			case <-passStarted:
			case <-time.After(10 * time.Second):
				return kms.Key{}, errors.New("the pass did not start while the first describe ran")
			}
		}
		return describe(ctx, k)
	}
	load := s.Passes[0].Load
	s.Passes[0].Load = func(ctx context.Context) (func(*kms.Key), error) {
		close(passStarted)
		return load(ctx)
	}
	keys, err := pagination.Collect(Pipeline(listed(4), kms.ListOptions{Detail: kms.DetailFull}, s, Config{Concurrency: 2}))
	require.NoError(t, err)
	require.Len(t, keys, 4)
	assert.NoError(t, keys[0].DetailErr)
	assert.Equal(t, []string{"alias/k0"}, keys[0].Aliases)
	assert.Equal(t, 1, c.get("aliases"))
}
