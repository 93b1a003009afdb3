package alibabakms_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
	"github.com/multikms/multikms/pagination"
	"github.com/multikms/multikms/providers/alibabakms"
	emu "github.com/multikms/multikms/providers/alibabakms/alibabakmstest"
)

// cloudFleet discovers d on c, signed with c's AccessKey, every region at c.URL().
func cloudFleet(t testing.TB, c *emu.Cloud, d alibabakms.Discovery, opts ...alibabakms.Option) *alibabakms.Fleet {
	t.Helper()
	f, err := discoverOn(c, d, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = f.Close() })
	return f
}

func discoverOn(c *emu.Cloud, d alibabakms.Discovery, opts ...alibabakms.Option) (*alibabakms.Fleet, error) {
	id, secret := c.AccessKey()
	base := []alibabakms.Option{alibabakms.WithRegion(emu.DemoHomeRegion), alibabakms.WithEndpoint(c.URL()),
		alibabakms.WithCredentials(credentials.NewAccessKeyCredential(id, secret)), noPacing, alibabakms.WithRetry(fastRetry)}
	return alibabakms.DiscoverFromConfig(bg, d, append(base, opts...)...)
}

var every = []string{alibabakms.AllRegions}

// unthrottled lifts the demo regions' 50/s quotas, for suites that send
// many requests without pacing.
func unthrottled(opts []emu.CloudOption) []emu.CloudOption {
	for _, r := range []string{emu.DemoHomeRegion, emu.DemoSecondRegion, emu.DemoThirdRegion} {
		opts = append(opts, emu.WithCloudRegion(r, emu.WithReadQuota(1e6, 1e6)))
	}
	return opts
}

func TestFleetConformance(t *testing.T) {
	kmstest.RunConformance(t, kmstest.Harness{
		Setup: func(t *testing.T) kmstest.Fixture {
			c := emu.NewCloud(unthrottled(emu.DemoRegions())...)
			t.Cleanup(c.Close)
			// One region at a time: the suite checks list order, and
			// regions come out in scope (sorted) order then. No page
			// fetched ahead: the suite counts requests right after
			// breaking out of a listing, and a prefetched page still on the
			// wire would be counted.
			f := cloudFleet(t, c, alibabakms.Discovery{Regions: every, Concurrency: 1}, alibabakms.WithPrefetch(0))
			fx := kmstest.Fixture{
				Lister: f, Versions: map[string][]kms.KeyVersion{}, MissingKeyRef: "key-does-not-exist0000",
				MaxPageSize: alibabakms.MaxPageSize, Requests: c.Requests,
				Extras: kms.IncludeTags | kms.IncludeRotation | kms.IncludePolicy | kms.IncludeAccess,
				Free:   kms.IncludeRotation,
			}
			for _, r := range c.Regions() {
				s := c.Region(r)
				for _, k := range emu.DemoRegionKeys(r) {
					fx.Keys = append(fx.Keys, withExtras(wantKey(s, k), k))
					fx.Versions[k.ID] = wantVersions(k)
				}
			}
			c.ResetCounts()
			return fx
		},
		LeakOptions: leakOptions,
	})
}

func TestFleetDiscoversEveryRegionOnce(t *testing.T) {
	c := emu.NewCloud(emu.DemoRegions()...)
	defer c.Close()
	f := cloudFleet(t, c, alibabakms.Discovery{Regions: every})
	assert.Equal(t, []string{emu.DemoThirdRegion, emu.DemoHomeRegion, emu.DemoSecondRegion}, f.Regions())
	assert.Equal(t, 1, c.Count("DescribeRegions"))
	assert.Equal(t, 1, c.Region(emu.DemoHomeRegion).Count("DescribeRegions"), "asked of the home region")

	keys, err := pagination.Collect(f.ListKeys(bg, kms.ListOptions{PageSize: 5}))
	require.NoError(t, err)
	assert.Len(t, keys, 19)
	for _, k := range keys {
		assert.Contains(t, k.ARN, ":"+k.Region+":", k.ID)
		assert.Equal(t, emu.DefaultAccount, k.Account)
	}
	assert.Equal(t, 1, c.Count("DescribeRegions"), "listing discovers nothing again")

	// Each region has its own Lister and limiter (its own 50/s quota).
	assert.NotSame(t, f.Region(emu.DemoHomeRegion).Limiter(), f.Region(emu.DemoSecondRegion).Limiter())

	k, err := f.DescribeKey(bg, keys[0].ARN)
	require.NoError(t, err)
	assert.Equal(t, keys[0].ID, k.ID)
}

func TestFleetOfListedRegions(t *testing.T) {
	c := emu.NewCloud(emu.DemoRegions()...)
	defer c.Close()
	f := cloudFleet(t, c, alibabakms.Discovery{Regions: []string{emu.DemoSecondRegion, emu.DemoThirdRegion, emu.DemoSecondRegion}})
	assert.Equal(t, []string{emu.DemoThirdRegion, emu.DemoSecondRegion}, f.Regions())
	keys, err := pagination.Collect(f.ListKeys(bg, kms.ListOptions{}))
	require.NoError(t, err)
	assert.Len(t, keys, 5)
	assert.Zero(t, c.Count("DescribeRegions"))
	assert.Zero(t, c.Region(emu.DemoHomeRegion).Requests())
}

func TestFleetDeniedAndUnreachableRegionsIsolated(t *testing.T) {
	c := emu.NewCloud(emu.DemoRegions()...)
	defer c.Close()
	f := cloudFleet(t, c, alibabakms.Discovery{Regions: every})
	c.DenyRegion(emu.DemoSecondRegion)
	c.BreakRegion(emu.DemoThirdRegion)
	it := f.ListKeys(bg, kms.ListOptions{PageSize: 3})
	keys, err := pagination.Collect(it)
	assert.Len(t, keys, 14, "the home region's keys all come out")
	var failed []string
	ses := kms.ScopeErrors(err)
	require.NotNil(t, ses, "every error is a scope's: %v", err)
	for _, se := range ses {
		failed = append(failed, se.Scope)
		switch se.Scope {
		case "alibaba/" + emu.DemoSecondRegion:
			assert.ErrorIs(t, se, kms.ErrPermissionDenied)
		case "alibaba/" + emu.DemoThirdRegion:
			assert.ErrorIs(t, se, kms.ErrUnavailable)
		}
	}
	slices.Sort(failed)
	assert.Equal(t, []string{"alibaba/" + emu.DemoThirdRegion, "alibaba/" + emu.DemoSecondRegion}, failed)

	// Mended: a fresh Fleet resumes the two failed regions only.
	cursor := it.Cursor()
	c.AllowRegion(emu.DemoSecondRegion)
	c.AllowRegion(emu.DemoThirdRegion)
	again := cloudFleet(t, c, alibabakms.Discovery{Regions: every})
	rest, err := pagination.Collect(again.ListKeys(bg, kms.ListOptions{PageSize: 3, Cursor: cursor}))
	require.NoError(t, err)
	assert.Len(t, rest, 5)
	for _, k := range rest {
		assert.NotEqual(t, emu.DemoHomeRegion, k.Region)
	}
}

func TestFleetAssumesTheRoleOnce(t *testing.T) {
	c := emu.NewDemoCloud()
	defer c.Close()
	defer c.TrustSTS()()
	arn := emu.DemoRoleARN(c.Account())
	f := cloudFleet(t, c, alibabakms.Discovery{Regions: every, RoleARN: arn, STSEndpoint: c.STSURL()})
	assert.Len(t, f.Regions(), 3, "regions discovered with the caller's own AccessKey")
	keys, err := pagination.Collect(f.ListKeys(bg, kms.ListOptions{}))
	require.NoError(t, err, "the regions accept only the assumed role's credentials")
	assert.Len(t, keys, 19)
	assert.Equal(t, 1, c.Count("AssumeRole"), "one session for the whole fleet")
}

func TestFleetDeniedRoleFailsEveryRegionNotDiscovery(t *testing.T) {
	c := emu.NewDemoCloud()
	defer c.Close()
	defer c.TrustSTS()()
	arn := emu.DemoRoleARN(c.Account())
	c.DenyRole(arn)
	f := cloudFleet(t, c, alibabakms.Discovery{Regions: every, RoleARN: arn, STSEndpoint: c.STSURL()})
	keys, err := pagination.Collect(f.ListKeys(bg, kms.ListOptions{}))
	assert.Empty(t, keys)
	ses := kms.ScopeErrors(err)
	require.Len(t, ses, 3, "three failed scopes and nothing else: %v", err)
	_, secret := c.AccessKey()
	for _, se := range ses {
		assert.ErrorIs(t, se, kms.ErrPermissionDenied, se.Scope)
		assert.Contains(t, se.Error(), "NoPermission")
		assert.NotContains(t, se.Error(), secret)
	}
}

// TestFleetResumeInAFreshFleet: a cursor resumes in a fresh Fleet (another
// process) of the same regions, every key once over the chain (changed
// region sets: discover_resume_test.go).
func TestFleetResumeInAFreshFleet(t *testing.T) {
	c := emu.NewCloud(emu.DemoRegions()...)
	defer c.Close()
	two := []string{emu.DemoHomeRegion, emu.DemoSecondRegion}
	it := cloudFleet(t, c, alibabakms.Discovery{Regions: two}).ListKeys(bg, kms.ListOptions{PageSize: 2})
	var got []string
	for k, err := range it.All() {
		require.NoError(t, err)
		if got = append(got, k.ID); len(got) == 6 {
			break
		}
	}
	cursor := it.Cursor()
	rest, err := pagination.Collect(cloudFleet(t, c, alibabakms.Discovery{Regions: two}).ListKeys(bg, kms.ListOptions{PageSize: 2, Cursor: cursor}))
	require.NoError(t, err)
	for _, k := range rest {
		got = append(got, k.ID)
	}
	assert.Len(t, got, 17)
	slices.Sort(got)
	assert.Len(t, slices.Compact(got), 17, "every key once over the chain")
}

func TestDiscoverRefusesBadInputBeforeAnyRequest(t *testing.T) {
	c := emu.NewDemoCloud()
	defer c.Close()
	arn := emu.DemoRoleARN(c.Account())
	for name, d := range map[string]alibabakms.Discovery{
		"no region":          {},
		"star and more":      {Regions: []string{"*", "cn-hangzhou"}},
		"bad region":         {Regions: []string{"CN_HANGZHOU"}},
		"empty region":       {Regions: []string{""}},
		"bad role":           {Regions: every, RoleARN: "arn:aws:iam::111122223333:role/x"},
		"short uid":          {Regions: every, RoleARN: "acs:ram::123:role/x"},
		"bad session":        {Regions: every, RoleARN: arn, RoleSessionName: "a b"},
		"bad external id":    {Regions: every, RoleARN: arn, ExternalID: "x"},
		"plain STS":          {Regions: every, RoleARN: arn, STSEndpoint: "http://127.0.0.1:1"},
		"STS without role":   {Regions: every, STSEndpoint: c.STSURL()},
		"negative conc":      {Regions: every, Concurrency: -1},
		"public plain STS":   {Regions: every, RoleARN: arn, STSEndpoint: "http://sts.aliyuncs.com"},
		"session, no role":   {Regions: every, RoleSessionName: "abc"},
		"external, no role":  {Regions: every, ExternalID: "abcdef"},
		"invalid utf-8 role": {Regions: every, RoleARN: "acs:ram::1234567890123456:role/\xff"},
	} {
		_, err := discoverOn(c, d)
		var ke *kms.Error
		if assert.ErrorAs(t, err, &ke, name) {
			assert.Equal(t, kms.CodeInvalidArgument, ke.Code, name)
		}
	}
	_, err := discoverOn(c, alibabakms.Discovery{Regions: every}, alibabakms.WithRateLimit(-1, 1))
	assert.ErrorIs(t, err, kms.ErrInvalidArgument)
	assert.Zero(t, c.Requests())
	assert.Zero(t, c.Count("DescribeRegions"))

	f := cloudFleet(t, c, alibabakms.Discovery{Regions: []string{emu.DemoHomeRegion}, RoleARN: arn, STSEndpoint: c.STSURL()})
	_, err = pagination.Collect(f.ListKeys(bg, kms.ListOptions{PageSize: alibabakms.MaxPageSize + 1}))
	assert.ErrorIs(t, err, kms.ErrInvalidArgument)
	assert.Zero(t, c.Requests(), "not even AssumeRole")
	assert.False(t, strings.Contains(err.Error(), "secret"))
}

// TestDescribeRegionsIsObservedAndRetried: DescribeRegions is an engine
// request: told to the observer, retried after a 503.
func TestDescribeRegionsIsObservedAndRetried(t *testing.T) {
	c := emu.NewCloud(emu.DemoRegions()...)
	defer c.Close()
	c.Region(emu.DemoHomeRegion).FailNext("DescribeRegions", 1, http.StatusServiceUnavailable, "ServiceUnavailable")
	var mu sync.Mutex
	var requests []string
	obs := func(e pagination.Event) {
		if e.Kind == pagination.EventRequest {
			mu.Lock()
			defer mu.Unlock()
			requests = append(requests, fmt.Sprintf("%s#%d", e.Op, e.Attempt))
		}
	}
	f := cloudFleet(t, c, alibabakms.Discovery{Regions: every}, alibabakms.WithObserver(obs))
	assert.Len(t, f.Regions(), 3)
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{"DescribeRegions#1", "DescribeRegions#2"}, requests)
	assert.Equal(t, 2, c.Count("DescribeRegions"))
}
