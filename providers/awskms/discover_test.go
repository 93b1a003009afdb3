package awskms_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
	"github.com/multikms/multikms/providers/awskms"
	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

const (
	mgmt    = "111111111111"
	member1 = "222222222222"
	member2 = "333333333333"
)

// cloud starts a Cloud for the test and leaves the default credential
// chain nothing but the Cloud's management credentials.
func cloud(t *testing.T, opts ...awskmstest.CloudOption) *awskmstest.Cloud {
	t.Helper()
	noCredentials(t)
	t.Setenv("AWS_CA_BUNDLE", "") // the Cloud is plain HTTP, and a caller's HTTP client takes no bundle
	c := awskmstest.NewCloud(opts...)
	t.Cleanup(c.Close)
	return c
}

// fleet opens a Fleet on c with opts.
func fleet(t *testing.T, c *awskmstest.Cloud, opts ...awskms.FleetOption) *awskms.Fleet {
	t.Helper()
	f, err := awskms.NewFleet(context.Background(), fleetOn(c, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = f.Close() })
	return f
}

func fleetOn(c *awskmstest.Cloud, opts ...awskms.FleetOption) []awskms.FleetOption {
	return append([]awskms.FleetOption{
		awskms.WithEndpoint(c.URL()),
		awskms.WithLoadOptions(config.WithRegion("us-east-1"), config.WithCredentialsProvider(c.Config().Credentials)),
	}, opts...)
}

// collect lists every key of l (DetailBasic), and the listing's error.
func collect(t *testing.T, l kms.Lister, opts kms.ListOptions) ([]kms.Key, error) {
	t.Helper()
	return pagination.Collect(l.ListKeys(context.Background(), opts))
}

// scopeErrors maps the failed scopes err joins to their errors.
func scopeErrors(err error) map[string]error {
	out := map[string]error{}
	for _, se := range kms.ScopeErrors(err) {
		out[se.Scope] = se.Err
	}
	return out
}

func TestFleetDiscoversTheEnabledRegions(t *testing.T) {
	c := cloud(t, awskmstest.WithCloudAccounts(awskmstest.CloudAccount{
		ID: mgmt, Regions: []string{"us-east-1", "eu-west-1", "af-south-1"}, Keys: 3}))
	f := fleet(t, c, awskms.WithRegions("*"))
	assert.Equal(t, []string{"af-south-1", "eu-west-1", "us-east-1"}, f.Scopes(), "opt-in Regions enabled are listed, DISABLED ones not")
	assert.Equal(t, "account/regions/*", f.Scope(), "named by what it discovered, for a Merge of fleets")
	assert.Equal(t, 1, c.Requests("account", "listRegions"))
	keys, err := collect(t, f, kms.ListOptions{})
	require.NoError(t, err)
	require.Len(t, keys, 9)
	for _, k := range keys {
		assert.Equal(t, mgmt, k.Account)
		assert.Equal(t, k.ARN, "arn:aws:kms:"+k.Region+":"+mgmt+":key/"+k.ID, "the key carries its scope")
		assert.NotNil(t, c.Server(mgmt, k.Region))
	}
	assert.Equal(t, 0, c.Requests("sts", ""), "no role, no AssumeRole")
}

func TestFleetOfAnOrganization(t *testing.T) {
	c := cloud(t,
		awskmstest.WithCloudAccounts(
			awskmstest.CloudAccount{ID: mgmt, Regions: []string{"us-east-1"}, Keys: 2},
			awskmstest.CloudAccount{ID: member1, Regions: []string{"eu-west-1", "us-east-1"}, Keys: 2},
			awskmstest.CloudAccount{ID: member2, Regions: []string{"eu-west-1"}, Keys: 2},
			awskmstest.CloudAccount{ID: "444444444444", State: "SUSPENDED", Regions: []string{"us-east-1"}, Keys: 2},
		),
		awskmstest.WithDeniedRole(member2))
	f := fleet(t, c, awskms.WithOrganization(c.OrganizationID()), awskms.WithRegions("*"))
	assert.Equal(t, []string{mgmt + "/us-east-1", member1 + "/eu-west-1", member1 + "/us-east-1", member2 + "/*"}, f.Scopes(),
		"a suspended account is left out; one whose role is denied is one failed scope")
	keys, err := collect(t, f, kms.ListOptions{Detail: kms.DetailFull})
	require.Len(t, keys, 6, "the reachable accounts are listed")
	for _, k := range keys {
		assert.Contains(t, []string{mgmt, member1}, k.Account)
		assert.Equal(t, kms.DetailFull, k.Detail)
	}
	failed := scopeErrors(err)
	require.Len(t, failed, 1, "%v", err)
	se := failed["aws/"+member2+"/*"]
	require.Error(t, se, "the failed scope names the account: %v", err)
	assert.ErrorIs(t, se, kms.ErrPermissionDenied, "AccessDenied is ErrPermissionDenied")
	var ke *kms.Error
	require.ErrorAs(t, se, &ke)
	assert.Equal(t, awskms.OpAssumeRole, ke.Op)
	assert.NotContains(t, err.Error(), "cloud-caller-secret")
}

func TestFleetPagesListAccounts(t *testing.T) {
	var accounts []awskmstest.CloudAccount
	for i := range 23 {
		accounts = append(accounts, awskmstest.CloudAccount{ID: fmtAccount(i), Regions: []string{"eu-west-1"}, Keys: 1})
	}
	c := cloud(t, awskmstest.WithCloudAccounts(accounts...))
	f := fleet(t, c, awskms.WithOrganization("*"), awskms.WithRegions("eu-west-1"))
	assert.Len(t, f.Scopes(), 23)
	assert.Equal(t, 2, c.Requests("organizations", "ListAccounts"), "20 accounts a page")
	keys, err := collect(t, f, kms.ListOptions{})
	require.NoError(t, err)
	assert.Len(t, keys, 23)
	assert.Equal(t, 22, c.Requests("sts", "AssumeRole"), "one role per member account, cached across its listing")
	assert.Zero(t, c.AssumeRoleRequests(fmtAccount(0)), "the caller's own account is listed with its credentials")
}

func fmtAccount(i int) string {
	s := "100000000000"
	return s[:12-len(itoa(i))] + itoa(i)
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

func TestFleetIsolatesADeniedAndANotEnabledRegion(t *testing.T) {
	c := cloud(t,
		awskmstest.WithCloudAccounts(awskmstest.CloudAccount{ID: mgmt, Regions: []string{"us-east-1", "eu-west-1"}, Keys: 4}),
		awskmstest.WithDeniedRegion(mgmt, "eu-west-1"))
	f := fleet(t, c, awskms.WithRegions("us-east-1", "eu-west-1", "eu-south-2"))
	keys, err := collect(t, f, kms.ListOptions{})
	assert.Len(t, keys, 4, "the healthy Region is listed whole")
	failed := scopeErrors(err)
	require.Len(t, failed, 2, "%v", err)
	assert.ErrorIs(t, failed["aws/eu-west-1"], kms.ErrPermissionDenied, "a Region an SCP denies")
	assert.ErrorIs(t, failed["aws/eu-south-2"], kms.ErrUnauthenticated, "a Region not enabled: UnrecognizedClientException")

	fast := fleet(t, c, awskms.WithRegions("us-east-1", "eu-west-1", "eu-south-2"), awskms.WithFailFast(), awskms.WithScopeConcurrency(1))
	_, err = collect(t, fast, kms.ListOptions{})
	assert.Len(t, scopeErrors(err), 1, "fail fast: the first failed scope ends the listing: %v", err)
}

func TestFleetRoleThatCannotBeAssumedIsAFailedScopeNotAFailedOpen(t *testing.T) {
	c := cloud(t,
		awskmstest.WithCloudAccounts(awskmstest.CloudAccount{ID: mgmt, Keys: 1}, awskmstest.CloudAccount{ID: member1, Regions: []string{"eu-west-1", "us-east-1"}, Keys: 2}),
		awskmstest.WithRole(member1, "audit", "ext-id-1"))
	role := "arn:aws:iam::" + member1 + ":role/audit"

	good := fleet(t, c, awskms.WithAssumeRole(role, "ext-id-1", "inventory"), awskms.WithRegions("*"))
	assert.Equal(t, []string{member1 + "/eu-west-1", member1 + "/us-east-1"}, good.Scopes())
	keys, err := collect(t, good, kms.ListOptions{})
	require.NoError(t, err)
	assert.Len(t, keys, 4)
	for _, k := range keys {
		assert.Equal(t, member1, k.Account, "the assumed credentials reach their account only")
	}
	assert.Equal(t, 1, c.Requests("sts", "AssumeRole"), "assumed once, cached")

	for _, regions := range [][]string{{"*"}, {"eu-west-1"}} {
		bad := fleet(t, c, awskms.WithAssumeRole(role, "wrong-id", ""), awskms.WithRegions(regions...))
		keys, err = collect(t, bad, kms.ListOptions{})
		assert.Empty(t, keys)
		failed := scopeErrors(err)
		require.Len(t, failed, 1, "%v", err)
		for name, e := range failed {
			assert.Contains(t, name, member1)
			assert.ErrorIs(t, e, kms.ErrPermissionDenied, "%s: %v", name, e)
			assert.Equal(t, 1, strings.Count(e.Error(), "kms: "), "one prefix: %v", e)
			assert.Contains(t, e.Error(), "AssumeRole")
		}
	}
}

func TestFleetRefusesBadOptionsBeforeAnyRequest(t *testing.T) {
	c := cloud(t, awskmstest.WithCloudAccounts(awskmstest.CloudAccount{ID: mgmt, Regions: []string{"us-east-1"}, Keys: 1}))
	for name, opt := range map[string]awskms.FleetOption{
		"Regions":          awskms.WithRegions("eu-west-1", "*"),
		"RoleARN":          awskms.WithAssumeRole("arn:aws:iam::12:role/x", "", ""),
		"ExternalID":       awskms.WithAssumeRole("arn:aws:iam::"+member1+":role/x", "x", ""),
		"SessionName":      awskms.WithAssumeRole("arn:aws:iam::"+member1+":role/x", "", "a b"),
		"Organization":     awskms.WithOrganization("org-1"),
		"MemberRole":       awskms.WithMemberRole("a/b"),
		"ScopeConcurrency": awskms.WithScopeConcurrency(0),
		"Concurrency":      awskms.WithConcurrency(0),
	} {
		f, err := awskms.NewFleet(context.Background(), fleetOn(c, opt)...)
		assert.Nil(t, f, name)
		assert.ErrorIs(t, err, kms.ErrInvalidArgument, name)
		assert.ErrorContains(t, err, name, "the error names the option")
	}
	assert.Equal(t, 0, c.TotalRequests())
}

// TestFleetResumesInAFreshLister: a chain of listings of three keys, each
// in a fresh Fleet (another process), lists every key once. The same over
// a fleet that changes between the links: discover_resume_test.go.
func TestFleetResumesInAFreshLister(t *testing.T) {
	accounts := awskmstest.WithCloudAccounts(awskmstest.CloudAccount{ID: mgmt, Regions: []string{"us-east-1", "eu-west-1", "ap-south-1"}, Keys: 5})
	c := cloud(t, accounts)
	all, err := collect(t, fleet(t, c, awskms.WithRegions("*")), kms.ListOptions{})
	require.NoError(t, err)
	require.Len(t, all, 15)

	var got []string
	cursor := ""
	for range 100 { // resume chain, three keys a Lister, each Lister fresh
		it := fleet(t, c, awskms.WithRegions("*")).ListKeys(context.Background(), kms.ListOptions{Cursor: cursor, MaxItems: 3})
		keys, err := pagination.Collect(it)
		require.NoError(t, err)
		for _, k := range keys {
			got = append(got, k.ARN)
		}
		if cursor = it.Cursor(); cursor == "" {
			break
		}
	}
	want := make([]string, len(all))
	for i, k := range all {
		want[i] = k.ARN
	}
	slices.Sort(got)
	slices.Sort(want)
	assert.Equal(t, want, got, "every key once over the chain")

}

func TestDemoCloudFleet(t *testing.T) {
	noCredentials(t)
	c := awskmstest.DemoCloud()
	t.Cleanup(c.Close)
	f := fleet(t, c, awskms.WithOrganization(awskmstest.DemoOrganizationID), awskms.WithRegions("*"))
	assert.Equal(t, []string{
		awskmstest.DemoManagement + "/ap-northeast-1", awskmstest.DemoManagement + "/eu-west-1", awskmstest.DemoManagement + "/us-east-1",
		awskmstest.DemoMember + "/af-south-1", awskmstest.DemoMember + "/eu-west-1",
	}, f.Scopes())
	keys, err := collect(t, f, kms.ListOptions{Detail: kms.DetailFull})
	require.NoError(t, err)
	require.Len(t, keys, 20)
	denied := 0
	for _, k := range keys {
		if k.DetailErr != nil {
			denied++
			assert.ErrorIs(t, k.DetailErr, kms.ErrPermissionDenied)
			assert.Equal(t, awskmstest.DemoManagement, k.Account)
			assert.Equal(t, awskmstest.DemoDeniedKeyRegion, k.Region)
		}
	}
	assert.Equal(t, 1, denied)
	assert.Zero(t, c.AssumeRoleRequests(awskmstest.DemoManagement), "the caller's own account: its credentials")
	assert.Equal(t, 1, c.AssumeRoleRequests(awskmstest.DemoMember))
}

func TestFleetDiscoveryGoesThroughTheEngine(t *testing.T) {
	c := cloud(t,
		awskmstest.WithCloudAccounts(
			awskmstest.CloudAccount{ID: mgmt, Regions: []string{"us-east-1"}, Keys: 1},
			awskmstest.CloudAccount{ID: member1, Regions: []string{"eu-west-1"}, Keys: 1}),
		awskmstest.WithThrottledDiscovery("ListAccounts", 1),
		awskmstest.WithThrottledDiscovery("AssumeRole", 1),
		awskmstest.WithThrottledDiscovery("GetCallerIdentity", 1),
		awskmstest.WithThrottledDiscovery("ListRegions", 1))
	var (
		mu     sync.Mutex
		events = map[string]int{}
	)
	obs := func(e pagination.Event) {
		mu.Lock()
		defer mu.Unlock()
		events[e.Kind.String()+" "+e.Op]++
		if e.Err != nil && e.Kind == pagination.EventRequest {
			events["throttled "+e.Op] += map[bool]int{true: 1}[errors.Is(e.Err, kms.ErrThrottled)]
		}
	}
	f := fleet(t, c, awskms.WithOrganization("*"), awskms.WithRegions("*"), awskms.WithObserver(obs),
		awskms.WithRetry(pagination.Retry{BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
	assert.Len(t, f.Scopes(), 2)
	mu.Lock()
	for _, op := range []string{awskms.OpListAccounts, awskms.OpAssumeRole, awskms.OpGetCallerIdentity, awskms.OpListRegions} {
		assert.Equal(t, 1, events["throttled "+op], "%s: the throttled attempt is told, classified: %v", op, events)
		assert.Equal(t, 1, events["retry-wait "+op], "%s is retried by the engine", op)
	}
	assert.Equal(t, 2, events["request "+awskms.OpListAccounts])
	assert.Equal(t, 2, events["request "+awskms.OpGetCallerIdentity], "once, and its retry")
	assert.Equal(t, 2, events["request "+awskms.OpAssumeRole], "the member account, one retry; none into the caller's")
	mu.Unlock()
	keys, err := collect(t, f, kms.ListOptions{})
	require.NoError(t, err)
	assert.Len(t, keys, 2)
	mu.Lock()
	assert.Equal(t, 2, events["scope-done "], "the listing's scopes are observed too: %v", events)
	assert.Equal(t, 2, events["request "+awskms.OpAssumeRole], "roles cached: no AssumeRole while listing")
	assert.Equal(t, 2, events["request "+awskms.OpGetCallerIdentity], "discovery's, not the listing's")
	mu.Unlock()
}

func TestFleetCallerDiscoveryFailuresFailOpen(t *testing.T) {
	for name, tc := range map[string]struct {
		opt  awskmstest.CloudOption
		with []awskms.FleetOption
		op   string
	}{
		"ListAccounts denied": {awskmstest.WithDeniedListAccounts(), []awskms.FleetOption{awskms.WithOrganization("*")}, awskms.OpListAccounts},
		"ListRegions denied":  {awskmstest.WithDeniedListRegions(mgmt), []awskms.FleetOption{awskms.WithRegions("*")}, awskms.OpListRegions},
	} {
		c := cloud(t, awskmstest.WithCloudAccounts(awskmstest.CloudAccount{ID: mgmt, Regions: []string{"us-east-1"}, Keys: 1}), tc.opt)
		f, err := awskms.NewFleet(context.Background(), fleetOn(c, tc.with...)...)
		assert.Nil(t, f, name)
		assert.ErrorIs(t, err, kms.ErrPermissionDenied, name)
		var ke *kms.Error
		require.ErrorAs(t, err, &ke, name)
		assert.Equal(t, tc.op, ke.Op, name)
	}
	c := cloud(t, awskmstest.WithCloudAccounts(awskmstest.CloudAccount{ID: mgmt, Regions: []string{"us-east-1"}, Keys: 1}))
	_, err := awskms.NewFleet(context.Background(), fleetOn(c, awskms.WithOrganization("o-zzzzzzzzzz"))...)
	assert.ErrorIs(t, err, kms.ErrInvalidArgument, "the credentials' organization is another")
	assert.ErrorContains(t, err, "Organization")
}

func TestFleetRoleCredentialsAreCachedAndRefreshedBeforeExpiry(t *testing.T) {
	for _, tc := range []struct {
		lifetime time.Duration
		assumed  int
	}{
		{time.Hour, 1},       // cached across listings
		{4 * time.Minute, 4}, // inside the 5-minute window: refreshed at every use, never used expired
	} {
		c := cloud(t,
			awskmstest.WithCloudAccounts(awskmstest.CloudAccount{ID: mgmt}, awskmstest.CloudAccount{ID: member1, Regions: []string{"eu-west-1"}, Keys: 2}),
			awskmstest.WithSessionLifetime(tc.lifetime))
		f := fleet(t, c, awskms.WithAssumeRole("arn:aws:iam::"+member1+":role/OrganizationAccountAccessRole", "", ""),
			awskms.WithRegions("eu-west-1"))
		for range 4 {
			keys, err := collect(t, f, kms.ListOptions{})
			require.NoError(t, err)
			require.Len(t, keys, 2)
		}
		assert.Equal(t, tc.assumed, c.Requests("sts", "AssumeRole"), "lifetime %v", tc.lifetime)
	}
}

func TestFleetDescribeKeyOfAnARNAsksOneScope(t *testing.T) {
	c := cloud(t, awskmstest.WithCloudAccounts(
		awskmstest.CloudAccount{ID: mgmt, Regions: []string{"us-east-1", "eu-west-1"}, Keys: 4},
		awskmstest.CloudAccount{ID: member1, Regions: []string{"us-east-1", "eu-west-1"}, Keys: 4}))
	f := fleet(t, c, awskms.WithOrganization("*"), awskms.WithRegions("*"))
	s := c.Server(member1, "eu-west-1")
	arn := "arn:aws:kms:eu-west-1:" + member1 + ":key/" + s.Keys()[1].ID
	for _, sv := range []*awskmstest.Server{c.Server(mgmt, "us-east-1"), c.Server(mgmt, "eu-west-1"), c.Server(member1, "us-east-1"), s} {
		sv.ResetCounts()
	}
	k, err := f.DescribeKey(context.Background(), arn)
	require.NoError(t, err)
	assert.Equal(t, arn, k.ARN)
	assert.Equal(t, 1, s.Requests(awskmstest.OpDescribeKey))
	for _, other := range []*awskmstest.Server{c.Server(mgmt, "us-east-1"), c.Server(mgmt, "eu-west-1"), c.Server(member1, "us-east-1")} {
		assert.Zero(t, other.TotalRequests(), "the other scopes are not asked")
	}
	versioned := ""
	for _, key := range s.Keys() {
		if len(key.Materials) > 0 {
			versioned = "arn:aws:kms:eu-west-1:" + member1 + ":key/" + key.ID
		}
	}
	require.NotEmpty(t, versioned)
	s.ResetCounts()
	vs, err := pagination.Collect(f.ListKeyVersions(context.Background(), versioned, kms.ListOptions{}))
	require.NoError(t, err)
	assert.NotEmpty(t, vs)
	assert.Equal(t, s.Requests(awskmstest.OpListKeyRotations), s.TotalRequests(), "the versions of an ARN: no describe first")
	for _, other := range []*awskmstest.Server{c.Server(mgmt, "us-east-1"), c.Server(mgmt, "eu-west-1"), c.Server(member1, "us-east-1")} {
		assert.Zero(t, other.TotalRequests(), "the other scopes are not asked")
	}
	k, err = kms.Describe(context.Background(), f, s.Keys()[0].ID, kms.IncludeTags)
	require.NoError(t, err, "a key ID is found, then described with its extras on its scope")
	assert.Equal(t, member1, k.Account)
}

func TestFleetFailedScopeResumesWhatItHadLeft(t *testing.T) {
	deny := awskmstest.WithFault(awskmstest.Fault{Op: awskmstest.OpListKeys, Every: 2, Count: 1, Type: "AccessDeniedException"})
	c := cloud(t, awskmstest.WithCloudAccounts(
		awskmstest.CloudAccount{ID: mgmt, Regions: []string{"us-east-1", "eu-west-1"}, Keys: 3},
		awskmstest.CloudAccount{ID: member1, Regions: []string{"eu-west-1"}, Keys: 3, Options: []awskmstest.Option{deny}}))
	f := fleet(t, c, awskms.WithOrganization("*"), awskms.WithRegions("*"))
	it := f.ListKeys(context.Background(), kms.ListOptions{PageSize: 1})
	first, err := pagination.Collect(it)
	failed := scopeErrors(err)
	require.Len(t, failed, 1, "%v", err)
	assert.ErrorIs(t, failed["aws/"+member1+"/eu-west-1"], kms.ErrPermissionDenied, "the second page was denied")
	assert.Len(t, first, 7, "the healthy scopes whole, the failed one's first page")
	cursor := it.Cursor()
	require.NotEmpty(t, cursor, "the cursor resumes what the failed scope had left")

	rest, err := collect(t, fleet(t, c, awskms.WithOrganization("*"), awskms.WithRegions("*")), kms.ListOptions{PageSize: 1, Cursor: cursor})
	require.NoError(t, err, "the scope has mended")
	for _, k := range rest {
		assert.Equal(t, member1, k.Account, "only the failed scope is resumed")
	}
	seen := map[string]int{}
	for _, k := range append(first, rest...) {
		seen[k.ARN]++
	}
	assert.Len(t, seen, 9, "every key")
	for arn, n := range seen {
		assert.Equal(t, 1, n, "%s once", arn)
	}
}

func TestFleetEventsAndErrorsHoldNoCredentials(t *testing.T) {
	c := cloud(t,
		awskmstest.WithCloudAccounts(
			awskmstest.CloudAccount{ID: mgmt, Regions: []string{"us-east-1"}, Keys: 1},
			awskmstest.CloudAccount{ID: member1, Regions: []string{"eu-west-1"}, Keys: 1},
			awskmstest.CloudAccount{ID: member2, Regions: []string{"eu-west-1"}, Keys: 1}),
		awskmstest.WithDeniedRole(member2), awskmstest.WithDeniedRegion(member1, "eu-west-1"))
	var (
		mu   sync.Mutex
		text []string
	)
	obs := func(e pagination.Event) {
		mu.Lock()
		defer mu.Unlock()
		text = append(text, fmt.Sprintf("%+v", e))
	}
	f := fleet(t, c, awskms.WithOrganization("*"), awskms.WithRegions("*"), awskms.WithObserver(obs))
	_, err := collect(t, f, kms.ListOptions{Detail: kms.DetailFull})
	require.Error(t, err)
	mu.Lock()
	defer mu.Unlock()
	require.NotEmpty(t, text)
	secrets := append(c.SessionSecrets(), "X-Amz-Security-Token", "Signature=")
	require.Greater(t, len(secrets), 4, "the caller's and the assumed roles' secrets")
	for _, s := range append(text, err.Error(), fmt.Sprintf("%+v", err)) {
		for _, secret := range secrets {
			assert.NotContains(t, s, secret)
		}
	}
}
