package awskms_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
	"github.com/multikms/multikms/providers/awskms"
	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

// TestFleetResumesOverAChangedFleet resumes one listing across five
// "processes" (a fresh Fleet each, discovering again) over one Cloud
// whose organization changes between them: a Region disabled while its
// scope is in flight, an account removed with one scope finished and one
// in flight, a Region enabled, an account added. One scope at a time,
// pages of 2, so that what each cursor holds is known: the scopes are
// listed in name order.
func TestFleetResumesOverAChangedFleet(t *testing.T) {
	const (
		a, b, root, added = "111111111111", "222222222222", "900000000000", "333333333333"
		keysEach          = 5
	)
	c := cloud(t, awskmstest.WithManagementAccount(root), awskmstest.WithCloudAccounts(
		awskmstest.CloudAccount{ID: root, Regions: []string{"eu-west-1", "us-east-1"}, Keys: keysEach},
		awskmstest.CloudAccount{ID: a, Regions: []string{"ap-south-1", "eu-west-1", "us-east-1"}, Keys: keysEach},
		awskmstest.CloudAccount{ID: b, Regions: []string{"eu-west-1", "us-east-1"}, Keys: keysEach},
	))
	seen := map[string]int{}    // key ARN -> times listed
	byScope := map[string]int{} // "<account>/<region>" -> keys listed
	failed := map[string]error{}
	cursor := ""
	run := func(maxItems int) (map[string]int, error) {
		t.Helper()
		f := fleet(t, c, awskms.WithOrganization("*"), awskms.WithRegions("*"), awskms.WithScopeConcurrency(1))
		it := f.ListKeys(context.Background(), kms.ListOptions{Cursor: cursor, PageSize: 2, MaxItems: maxItems})
		keys, err := pagination.Collect(it)
		this := map[string]int{}
		for _, k := range keys {
			seen[k.ARN]++
			byScope[k.Account+"/"+k.Region]++
			this[k.Account+"/"+k.Region]++
		}
		for name, e := range scopeErrors(err) {
			failed[name] = e
		}
		if err != nil && len(scopeErrors(err)) == 0 {
			t.Fatalf("a listing failed outside any scope: %v", err)
		}
		cursor = it.Cursor()
		return this, err
	}

	got, _ := run(4)
	require.Equal(t, map[string]int{a + "/ap-south-1": 4}, got, "run 1: the first scope, in flight")
	require.NoError(t, c.DisableRegion(a, "ap-south-1"))

	got, _ = run(8)
	require.Equal(t, map[string]int{a + "/eu-west-1": 5, a + "/us-east-1": 3}, got,
		"run 2: the disabled Region is not listed again; the next scopes in order")
	require.NoError(t, c.RemoveAccount(a)) // a/eu-west-1 finished, a/us-east-1 in flight

	got, _ = run(4)
	require.Equal(t, map[string]int{b + "/eu-west-1": 4}, got, "run 3: the removed account's scopes are not listed again")
	require.NoError(t, c.EnableRegion(b, "af-south-1")) // a new scope before the one in flight

	_, _ = run(3)
	require.NoError(t, c.AddAccount(awskmstest.CloudAccount{ID: added, Regions: []string{"eu-west-1"}, Keys: keysEach}))

	_, err := run(0) // to the end
	last := scopeErrors(err)

	for arn, n := range seen {
		assert.Equal(t, 1, n, "%s listed %d times over the chain", arn, n)
	}
	assert.Equal(t, map[string]int{
		a + "/ap-south-1": 4, a + "/eu-west-1": 5, a + "/us-east-1": 3, // what was listed before they went
		b + "/af-south-1": keysEach, // new: listed whole
		b + "/eu-west-1":  keysEach, b + "/us-east-1": keysEach, root + "/eu-west-1": keysEach, root + "/us-east-1": keysEach,
		added + "/eu-west-1": keysEach, // a new account: listed whole
	}, byScope)
	for _, scope := range [][2]string{{b, "af-south-1"}, {b, "eu-west-1"}, {b, "us-east-1"}, {root, "eu-west-1"}, {root, "us-east-1"}, {added, "eu-west-1"}} {
		for _, k := range c.Server(scope[0], scope[1]).Keys() {
			assert.Equal(t, 1, seen["arn:aws:kms:"+scope[1]+":"+scope[0]+":key/"+k.ID], "%s/%s: every key once", scope[0], scope[1])
		}
	}

	gone := []string{"aws/" + a + "/ap-south-1", "aws/" + a + "/us-east-1"}
	assert.Equal(t, gone, slices.Sorted(maps.Keys(failed)),
		"the scopes that vanished while in flight fail, and they only (not the finished a/eu-west-1)")
	assert.Equal(t, gone, slices.Sorted(maps.Keys(last)), "the last listing reports them (kept in the cursor)")
	for name, e := range failed {
		assert.ErrorIs(t, e, kms.ErrNotFound, name)
		assert.ErrorIs(t, e, pagination.ErrScopeGone, name)
		var ke *kms.Error
		assert.True(t, errors.As(e, &ke), "%s: a *kms.Error", name)
	}
}

// TestFleetResumeOfAScopeWhoseAccountIsNowUnreachable: a scope the cursor
// had in flight, whose account's role can no longer be assumed, is
// reported with the account's denial (kms.ErrPermissionDenied, and
// pagination.ErrScopeGone), not as a Region disabled (kms.ErrNotFound); the
// account's own failed scope says the same.
func TestFleetResumeOfAScopeWhoseAccountIsNowUnreachable(t *testing.T) {
	const a, root = "111111111111", "900000000000"
	c := cloud(t, awskmstest.WithManagementAccount(root), awskmstest.WithCloudAccounts(
		awskmstest.CloudAccount{ID: root, Regions: []string{"us-east-1"}, Keys: 2},
		awskmstest.CloudAccount{ID: a, Regions: []string{"eu-west-1", "us-east-1"}, Keys: 5},
	))
	f := fleet(t, c, awskms.WithOrganization("*"), awskms.WithRegions("*"), awskms.WithScopeConcurrency(1))
	it := f.ListKeys(context.Background(), kms.ListOptions{PageSize: 2, MaxItems: 3})
	keys, err := pagination.Collect(it)
	require.NoError(t, err)
	require.Len(t, keys, 3)
	require.Equal(t, a+"/eu-west-1", keys[2].Account+"/"+keys[2].Region, "the first scope, in flight")

	c.DenyRole(a)
	rest, err := pagination.Collect(fleet(t, c, awskms.WithOrganization("*"), awskms.WithRegions("*")).
		ListKeys(context.Background(), kms.ListOptions{PageSize: 2, Cursor: it.Cursor()}))
	for _, k := range rest {
		assert.Equal(t, root, k.Account, "only the management account's keys")
	}
	failed := scopeErrors(err)
	inFlight := failed["aws/"+a+"/eu-west-1"]
	assert.ErrorIs(t, inFlight, kms.ErrPermissionDenied, "the account's denial")
	assert.ErrorIs(t, inFlight, pagination.ErrScopeGone)
	assert.NotErrorIs(t, inFlight, kms.ErrNotFound)
	assert.ErrorIs(t, failed["aws/"+a+"/*"], kms.ErrPermissionDenied, "the account's own scope")
}
