package awskmstest_test

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	accounttypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

func listedAccounts(t *testing.T, c *awskmstest.Cloud) []string {
	t.Helper()
	out, err := organizations.NewFromConfig(c.Config(), func(o *organizations.Options) { o.Retryer = aws.NopRetryer{} }).
		ListAccounts(context.Background(), &organizations.ListAccountsInput{})
	require.NoError(t, err)
	var ids []string
	for _, a := range out.Accounts {
		ids = append(ids, *a.Id)
	}
	return ids
}

func enabledRegions(t *testing.T, cfg aws.Config) []string {
	t.Helper()
	out, err := account.NewFromConfig(cfg, func(o *account.Options) { o.Retryer = aws.NopRetryer{} }).
		ListRegions(context.Background(), &account.ListRegionsInput{MaxResults: aws.Int32(50), RegionOptStatusContains: []accounttypes.RegionOptStatus{
			accounttypes.RegionOptStatusEnabled, accounttypes.RegionOptStatusEnabledByDefault}})
	require.NoError(t, err)
	var names []string
	for _, r := range out.Regions {
		names = append(names, *r.RegionName)
	}
	return names
}

func TestCloudChangesWhileRunning(t *testing.T) {
	c := startCloud(t)
	memberCfg := assumed(c, "arn:aws:iam::"+member+":role/OrganizationAccountAccessRole")

	require.NoError(t, c.EnableRegion(mgmt, "eu-south-1"))
	assert.Equal(t, []string{"eu-south-1", "us-east-1"}, enabledRegions(t, c.Config()), "an opt-in Region enabled")
	eu := c.Server(mgmt, "eu-south-1")
	require.NotNil(t, eu)
	out, err := kms.NewFromConfig(c.Config(), func(o *kms.Options) { o.Region = "eu-south-1"; o.Retryer = aws.NopRetryer{} }).
		ListKeys(context.Background(), &kms.ListKeysInput{})
	require.NoError(t, err)
	assert.Len(t, out.Keys, 2, "the account's Keys new keys")
	for _, k := range out.Keys {
		assert.False(t, slices.ContainsFunc(c.Server(mgmt, "us-east-1").Keys(), func(o awskmstest.Key) bool { return o.ID == *k.KeyId }), "keys of their own")
	}

	require.NoError(t, c.DisableRegion(member, "eu-west-1"))
	assert.Equal(t, []string{"af-south-1", "us-east-1"}, enabledRegions(t, memberCfg))
	assert.Nil(t, c.Server(member, "eu-west-1"))
	_, err = kms.NewFromConfig(memberCfg, func(o *kms.Options) { o.Region = "eu-west-1"; o.Retryer = aws.NopRetryer{} }).
		ListKeys(context.Background(), &kms.ListKeysInput{})
	code, _ := apiCode(t, err)
	assert.Equal(t, "UnrecognizedClientException", code, "a Region not enabled")

	require.NoError(t, c.AddAccount(awskmstest.CloudAccount{ID: "333333333333", Regions: []string{"eu-west-1"}, Keys: 1}))
	assert.Equal(t, []string{mgmt, member, "333333333333"}, listedAccounts(t, c))
	_, err = assumed(c, "arn:aws:iam::333333333333:role/OrganizationAccountAccessRole").Credentials.Retrieve(context.Background())
	assert.NoError(t, err, "an added account has the member role")

	require.NoError(t, c.RemoveAccount(member))
	assert.Equal(t, []string{mgmt, "333333333333"}, listedAccounts(t, c))
	assert.Len(t, c.Accounts(), 2)

	assert.Error(t, c.AddAccount(awskmstest.CloudAccount{ID: mgmt}), "an account the Cloud has")
	assert.Error(t, c.RemoveAccount(member), "no longer in the organization")
	assert.Error(t, c.EnableRegion(mgmt, "us-east-1"), "already enabled")
	assert.Error(t, c.DisableRegion(mgmt, "eu-west-1"), "not enabled")
}
