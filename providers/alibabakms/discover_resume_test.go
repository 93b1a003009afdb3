package alibabakms_test

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multikms/multikms/internal/resumetest"
	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
	"github.com/multikms/multikms/providers/alibabakms"
	emu "github.com/multikms/multikms/providers/alibabakms/alibabakmstest"
)

// perRegion is the number of keys of each region of the resume tests.
const perRegion = 5

// regionARNs returns the ARNs of the keys of regions, sorted.
func regionARNs(c *emu.Cloud, regions ...string) []string {
	var out []string
	for _, r := range regions {
		for _, k := range fleetKeys(r, perRegion) {
			out = append(out, "acs:kms:"+r+":"+c.Account()+":key/"+k.ID)
		}
	}
	slices.Sort(out)
	return out
}

// resumeCloud starts a Cloud of regions, each of perRegion keys of its own.
func resumeCloud(t *testing.T, regions ...string) *emu.Cloud {
	t.Helper()
	var opts []emu.CloudOption
	for _, r := range regions {
		opts = append(opts, emu.WithCloudRegion(r, regionOptions(r)...))
	}
	c := emu.NewCloud(opts...)
	t.Cleanup(c.Close)
	return c
}

// regionOptions are the Server options of a region of the resume tests.
func regionOptions(r string) []emu.Option {
	return []emu.Option{emu.WithKeys(fleetKeys(r, perRegion)...), emu.WithReadQuota(1e6, 1e6)}
}

// keyARN names a key by its ARN (regions share key IDs).
func keyARN(k kms.Key) string { return k.ARN }

// TestFleetResumeOverAChangedRegionSet: a cursor made over the regions
// DescribeRegions listed (ap-southeast-1 finished, cn-beijing in flight,
// the rest not started) resumes in a fresh Fleet (another process) whose
// DescribeRegions lists ap-northeast-1 and cn-shenzhen more (one before
// the resume point, one after it) and the two first regions less
// (deactivated). Every key of a region of both fleets comes out exactly
// once over the chain, the new regions' keys all, the vanished in-flight
// region ends as a scope failure naming it (its keys not repeated; resumed
// where it stopped when it is back), and the finished one costs nothing.
func TestFleetResumeOverAChangedRegionSet(t *testing.T) {
	c := resumeCloud(t, "ap-southeast-1", "cn-beijing", emu.DemoHomeRegion, "cn-shanghai", "eu-central-1")
	// One region at a time, no page ahead: ap-southeast-1 is done and
	// cn-beijing two keys in when the loop stops after 7 keys.
	first, cursor := resumetest.ListPart(t, cloudFleet(t, c, alibabakms.Discovery{Regions: every, Concurrency: 1}, alibabakms.WithPrefetch(0)), perRegion+2, keyARN)
	require.Equal(t, regionARNs(c, "ap-southeast-1"), slices.Sorted(slices.Values(first[:perRegion])))
	inFlight := slices.Sorted(slices.Values(first[perRegion:]))
	require.Subset(t, regionARNs(c, "cn-beijing"), inFlight)

	c.AddRegion("ap-northeast-1", regionOptions("ap-northeast-1")...)
	c.AddRegion("cn-shenzhen", regionOptions("cn-shenzhen")...)
	c.RemoveRegion("ap-southeast-1")
	c.RemoveRegion("cn-beijing")
	fresh := cloudFleet(t, c, alibabakms.Discovery{Regions: every})
	require.Equal(t, []string{"ap-northeast-1", emu.DemoHomeRegion, "cn-shanghai", "cn-shenzhen", "eu-central-1"}, fresh.Regions())
	rest, failed, next := resumetest.Resume(t, fresh, cursor, keyARN)

	chain := resumetest.SortedOnce(t, append(slices.Clone(first), rest...))
	want := append(regionARNs(c, "ap-northeast-1", "ap-southeast-1", emu.DemoHomeRegion, "cn-shanghai", "cn-shenzhen", "eu-central-1"), inFlight...)
	assert.Equal(t, resumetest.SortedOnce(t, want), chain, "every key of the regions of both fleets once, the new regions' all")
	assert.Equal(t, []string{"alibaba/cn-beijing"}, failed, "the vanished in-flight region, and it alone, is a scope failure")

	// The region is back: the cursor, which kept it, resumes it where it stopped.
	require.NotEmpty(t, next)
	c.AddRegion("cn-beijing", regionOptions("cn-beijing")...)
	last, failed, end := resumetest.Resume(t, cloudFleet(t, c, alibabakms.Discovery{Regions: every}), next, keyARN)
	assert.Empty(t, failed)
	assert.Empty(t, end)
	assert.Equal(t, regionARNs(c, "cn-beijing"), resumetest.SortedOnce(t, append(last, inFlight...)), "the rest of the region, once")
}

// TestFleetResumeOverAChangedRegionList: the same over region=a,b lists:
// a region more is listed whole, an unfinished region less is a scope
// failure, a failed region then dropped from the list too.
func TestFleetResumeOverAChangedRegionList(t *testing.T) {
	c := resumeCloud(t, "cn-beijing", emu.DemoHomeRegion, "cn-shanghai")
	c.DenyRegion("cn-shanghai")
	it := cloudFleet(t, c, alibabakms.Discovery{Regions: []string{"cn-beijing", "cn-shanghai"}}).ListKeys(bg, kms.ListOptions{PageSize: 2})
	keys, err := pagination.Collect(it)
	var se *kms.ScopeError
	require.ErrorAs(t, err, &se)
	require.Equal(t, "alibaba/cn-shanghai", se.Scope)
	require.Len(t, keys, perRegion)

	rest, failed, _ := resumetest.Resume(t, cloudFleet(t, c, alibabakms.Discovery{Regions: []string{"cn-beijing", emu.DemoHomeRegion}}), it.Cursor(), keyARN)
	assert.Equal(t, []string{"alibaba/cn-shanghai"}, failed, "the failed region, no longer asked for")
	assert.Equal(t, regionARNs(c, emu.DemoHomeRegion), resumetest.SortedOnce(t, rest), "the new region whole, nothing of the finished one again")
}

// TestFleetResumeOverAChangedRegionSetConcurrently: the changes of
// TestFleetResumeOverAChangedRegionSet with the default concurrency (every
// region started at once), which keys have come out when the loop stops
// being the scheduler's: every key once over the chain, the new regions'
// all, and a vanished region is a scope failure when some of its keys had
// not come out (and only a vanished one is).
func TestFleetResumeOverAChangedRegionSetConcurrently(t *testing.T) {
	for range 5 {
		c := resumeCloud(t, "ap-southeast-1", "cn-beijing", emu.DemoHomeRegion, "cn-shanghai", "eu-central-1")
		first, cursor := resumetest.ListPart(t, cloudFleet(t, c, alibabakms.Discovery{Regions: every}), 9, keyARN)
		c.AddRegion("ap-northeast-1", regionOptions("ap-northeast-1")...)
		c.AddRegion("cn-shenzhen", regionOptions("cn-shenzhen")...)
		c.RemoveRegion("ap-southeast-1")
		c.RemoveRegion("cn-shanghai")
		rest, failed, _ := resumetest.Resume(t, cloudFleet(t, c, alibabakms.Discovery{Regions: every}), cursor, keyARN)

		want := regionARNs(c, "ap-northeast-1", "cn-beijing", emu.DemoHomeRegion, "cn-shenzhen", "eu-central-1")
		for _, gone := range []string{"ap-southeast-1", "cn-shanghai"} {
			seen := 0
			for _, arn := range first {
				if slices.Contains(regionARNs(c, gone), arn) {
					want, seen = append(want, arn), seen+1
				}
			}
			if seen < perRegion {
				assert.Contains(t, failed, "alibaba/"+gone, "a vanished region with keys left")
			}
		}
		assert.Equal(t, resumetest.SortedOnce(t, want), resumetest.SortedOnce(t, append(slices.Clone(first), rest...)))
		// A vanished region whose keys all came out may still have been in
		// flight (its end not yet seen): a failure then, with nothing lost.
		assert.Subset(t, []string{"alibaba/ap-southeast-1", "alibaba/cn-shanghai"}, failed)
	}
}

// TestFleetRefusesForeignCursorsBeforeAnyRequest: a cursor that is not one
// of this listing's (tampered, truncated, of another filter, of another
// endpoint), one over a fleet changed by more than the cursor can tell
// apart (40 regions more, kms.Merge tells about 8), and bad options beside
// a good cursor are refused before any request.
func TestFleetRefusesForeignCursorsBeforeAnyRequest(t *testing.T) {
	c := resumeCloud(t, "cn-beijing", emu.DemoHomeRegion)
	f := cloudFleet(t, c, alibabakms.Discovery{Regions: every})
	// Cursors of listings that ran to their end (cn-beijing denied, so that
	// they resume it), not broken out of: no request of theirs can still be
	// on its way to be counted below.
	c.DenyRegion("cn-beijing")
	cursor := resumetest.FailedCursor(t, f, kms.ListOptions{PageSize: 2})
	otherFilter := resumetest.FailedCursor(t, f, kms.ListOptions{PageSize: 2, Filter: kms.Filter{States: []kms.KeyState{kms.StateEnabled}}})
	// A cursor of regions in flight, made on another Cloud (another
	// endpoint): its requests still on their way reach that Cloud, not c.
	other := resumeCloud(t, "cn-beijing", emu.DemoHomeRegion)
	_, foreign := resumetest.ListPart(t, cloudFleet(t, other, alibabakms.Discovery{Regions: every}), 3, keyARN)
	regions := []string{"cn-beijing", emu.DemoHomeRegion}
	for i := range 40 {
		regions = append(regions, fmt.Sprintf("ap-new-%d", i))
	}
	grown := cloudFleet(t, c, alibabakms.Discovery{Regions: regions})

	tampered := []byte(cursor)
	tampered[len(tampered)/2] ^= 1
	for name, tc := range map[string]struct {
		f      *alibabakms.Fleet
		opts   kms.ListOptions
		target error
	}{
		"tampered":         {f, kms.ListOptions{PageSize: 2, Cursor: string(tampered)}, kms.ErrInvalidCursor},
		"truncated":        {f, kms.ListOptions{PageSize: 2, Cursor: cursor[:len(cursor)/2]}, kms.ErrInvalidCursor},
		"another filter":   {f, kms.ListOptions{PageSize: 2, Cursor: otherFilter}, kms.ErrInvalidCursor},
		"another endpoint": {f, kms.ListOptions{PageSize: 2, Cursor: foreign}, kms.ErrInvalidCursor},
		"40 regions more":  {grown, kms.ListOptions{PageSize: 2, Cursor: cursor}, kms.ErrInvalidCursor},
		"bad page size":    {f, kms.ListOptions{PageSize: alibabakms.MaxPageSize + 1, Cursor: cursor}, kms.ErrInvalidArgument},
	} {
		c.ResetCounts()
		_, err := pagination.Collect(tc.f.ListKeys(bg, tc.opts))
		assert.True(t, errors.Is(err, tc.target), "%s: %v", name, err)
		assert.Zero(t, c.Requests(), name)
	}
}

// TestFleetObserverNamesTheRegions: a Fleet's observer is told of every
// request of a listing once, named by its region's scope, and of each
// region's start and end, a denied region's failure included; a describe
// is told too.
func TestFleetObserverNamesTheRegions(t *testing.T) {
	c := resumeCloud(t, "cn-beijing", emu.DemoHomeRegion, "cn-shanghai")
	var mu sync.Mutex
	requests := map[string]int{}
	ends := map[pagination.EventKind][]string{}
	f := cloudFleet(t, c, alibabakms.Discovery{Regions: every}, alibabakms.WithObserver(func(e pagination.Event) {
		mu.Lock()
		defer mu.Unlock()
		switch e.Kind {
		case pagination.EventRequest:
			requests[e.Scope]++
		case pagination.EventScopeStarted, pagination.EventScopeDone, pagination.EventScopeFailed:
			ends[e.Kind] = append(ends[e.Kind], e.Scope)
		}
	}))
	mu.Lock()
	clear(requests) // DescribeRegions
	mu.Unlock()
	c.DenyRegion("cn-shanghai")
	c.ResetCounts()
	_, err := pagination.Collect(f.ListKeys(bg, kms.ListOptions{PageSize: 2}))
	require.Error(t, err)

	mu.Lock()
	for scope := range requests {
		assert.Contains(t, []string{"alibaba/cn-beijing", "alibaba/" + emu.DemoHomeRegion, "alibaba/cn-shanghai"}, scope)
	}
	for _, r := range []string{"cn-beijing", emu.DemoHomeRegion} {
		assert.Equal(t, c.Region(r).Requests(), requests["alibaba/"+r], "every request of %s told once", r)
	}
	assert.GreaterOrEqual(t, requests["alibaba/cn-shanghai"], c.Region("cn-shanghai").Requests())
	assert.NotZero(t, c.Region("cn-shanghai").Requests())
	assert.ElementsMatch(t, []string{"alibaba/cn-beijing", "alibaba/" + emu.DemoHomeRegion, "alibaba/cn-shanghai"}, ends[pagination.EventScopeStarted])
	assert.ElementsMatch(t, []string{"alibaba/cn-beijing", "alibaba/" + emu.DemoHomeRegion}, ends[pagination.EventScopeDone])
	assert.Equal(t, []string{"alibaba/cn-shanghai"}, ends[pagination.EventScopeFailed])
	clear(requests)
	mu.Unlock()

	c.ResetCounts()
	_, err = f.DescribeKey(bg, regionARNs(c, "cn-beijing")[0])
	require.NoError(t, err)
	mu.Lock()
	defer mu.Unlock()
	n := 0
	for _, m := range requests {
		n += m
	}
	assert.Equal(t, c.Requests(), n, "a describe's requests are told too")
	assert.NotZero(t, n)
}
