package awskmstest_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/account"
	accounttypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

const (
	mgmt   = "111111111111"
	member = "222222222222"
)

func startCloud(t *testing.T, opts ...awskmstest.CloudOption) *awskmstest.Cloud {
	t.Helper()
	c := awskmstest.NewCloud(append([]awskmstest.CloudOption{awskmstest.WithCloudAccounts(
		awskmstest.CloudAccount{ID: mgmt, Regions: []string{"us-east-1"}, Keys: 2},
		awskmstest.CloudAccount{ID: member, Regions: []string{"eu-west-1", "us-east-1", "af-south-1"}, Keys: 3},
	)}, opts...)...)
	t.Cleanup(c.Close)
	return c
}

// assumed returns a config whose credentials are member's role, assumed
// through the real STS client.
func assumed(c *awskmstest.Cloud, role string, opts ...func(*stscreds.AssumeRoleOptions)) aws.Config {
	cfg := c.Config()
	client := sts.NewFromConfig(cfg, func(o *sts.Options) { o.Retryer = aws.NopRetryer{} })
	cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(client, role, opts...))
	return cfg
}

func TestCloudAssumeRoleReachesOnlyItsAccount(t *testing.T) {
	c := startCloud(t)
	cfg := assumed(c, "arn:aws:iam::"+member+":role/OrganizationAccountAccessRole")
	cr, err := cfg.Credentials.Retrieve(context.Background())
	require.NoError(t, err)
	assert.True(t, cr.CanExpire, "temporary credentials carry their expiry")
	assert.NotEmpty(t, cr.SessionToken)
	assert.Equal(t, member, cr.AccountID, "the SDK reads the account from AssumedRoleUser")

	client := kms.NewFromConfig(cfg, func(o *kms.Options) { o.Region = "eu-west-1"; o.Retryer = aws.NopRetryer{} })
	out, err := client.ListKeys(context.Background(), &kms.ListKeysInput{})
	require.NoError(t, err)
	require.Len(t, out.Keys, 3)
	for _, k := range out.Keys {
		assert.Contains(t, *k.KeyArn, ":"+member+":", "a call signed with the member's credentials reaches its keys")
	}
	mine := kms.NewFromConfig(c.Config(), func(o *kms.Options) { o.Retryer = aws.NopRetryer{} })
	out, err = mine.ListKeys(context.Background(), &kms.ListKeysInput{})
	require.NoError(t, err)
	assert.Contains(t, *out.Keys[0].KeyArn, ":"+mgmt+":", "the caller's credentials reach the caller's account")

	_, err = mine.ListKeys(context.Background(), &kms.ListKeysInput{}, func(o *kms.Options) { o.Region = "eu-west-1" })
	code, status := apiCode(t, err)
	assert.Equal(t, "UnrecognizedClientException", code, "the management account has not that Region")
	assert.Equal(t, http.StatusBadRequest, status)
}

func TestCloudAssumeRoleErrors(t *testing.T) {
	c := startCloud(t, awskmstest.WithRole(member, "audit", "ext-1"), awskmstest.WithDeniedRole(mgmt))
	for name, tc := range map[string]struct {
		role   string
		opts   func(*stscreds.AssumeRoleOptions)
		code   string
		status int
	}{
		"denied":       {"arn:aws:iam::" + mgmt + ":role/OrganizationAccountAccessRole", nil, "AccessDenied", 403},
		"unknown role": {"arn:aws:iam::" + member + ":role/nope", nil, "AccessDenied", 403},
		"external id":  {"arn:aws:iam::" + member + ":role/audit", func(o *stscreds.AssumeRoleOptions) { o.ExternalID = aws.String("ext-2") }, "AccessDenied", 403},
		"session name": {"arn:aws:iam::" + member + ":role/audit", func(o *stscreds.AssumeRoleOptions) { o.RoleSessionName = "a b" }, "ValidationError", 400},
	} {
		var opts []func(*stscreds.AssumeRoleOptions)
		if tc.opts != nil {
			opts = append(opts, tc.opts)
		}
		_, err := assumed(c, tc.role, opts...).Credentials.Retrieve(context.Background())
		require.Error(t, err, name)
		code, status := apiCode(t, err)
		assert.Equal(t, tc.code, code, name)
		assert.Equal(t, tc.status, status, name)
	}
	cfg := assumed(c, "arn:aws:iam::"+member+":role/audit", func(o *stscreds.AssumeRoleOptions) { o.ExternalID = aws.String("ext-1") })
	_, err := cfg.Credentials.Retrieve(context.Background())
	assert.NoError(t, err, "the right external ID")
	assert.Equal(t, 5, c.Requests("sts", "AssumeRole"))
}

func TestCloudListAccountsPagesAndDenies(t *testing.T) {
	c := startCloud(t)
	client := organizations.NewFromConfig(c.Config(), func(o *organizations.Options) { o.Retryer = aws.NopRetryer{} })
	p := organizations.NewListAccountsPaginator(client, &organizations.ListAccountsInput{MaxResults: aws.Int32(1)})
	var ids []string
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		require.NoError(t, err)
		for _, a := range out.Accounts {
			ids = append(ids, *a.Id)
			assert.Equal(t, "ACTIVE", string(a.State))
			assert.Contains(t, *a.Arn, "/"+c.OrganizationID()+"/")
		}
	}
	assert.Equal(t, []string{mgmt, member}, ids)
	_, err := client.ListAccounts(context.Background(), &organizations.ListAccountsInput{MaxResults: aws.Int32(21)})
	code, _ := apiCode(t, err)
	assert.Equal(t, "InvalidInputException", code)
	_, err = client.ListAccounts(context.Background(), &organizations.ListAccountsInput{NextToken: aws.String("forged")})
	code, _ = apiCode(t, err)
	assert.Equal(t, "InvalidInputException", code)

	memberClient := organizations.NewFromConfig(assumed(c, "arn:aws:iam::"+member+":role/OrganizationAccountAccessRole"), func(o *organizations.Options) { o.Retryer = aws.NopRetryer{} })
	_, err = memberClient.ListAccounts(context.Background(), &organizations.ListAccountsInput{})
	code, _ = apiCode(t, err)
	assert.Equal(t, "AccessDeniedException", code, "only the management account lists the organization")
}

func TestCloudListRegions(t *testing.T) {
	c := startCloud(t, awskmstest.WithDeniedListRegions(mgmt))
	cfg := assumed(c, "arn:aws:iam::"+member+":role/OrganizationAccountAccessRole")
	client := account.NewFromConfig(cfg, func(o *account.Options) { o.Retryer = aws.NopRetryer{} })
	in := &account.ListRegionsInput{RegionOptStatusContains: []accounttypes.RegionOptStatus{
		accounttypes.RegionOptStatusEnabled, accounttypes.RegionOptStatusEnabledByDefault}, MaxResults: aws.Int32(2)}
	p := account.NewListRegionsPaginator(client, in)
	got := map[string]accounttypes.RegionOptStatus{}
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		require.NoError(t, err)
		for _, r := range out.Regions {
			got[*r.RegionName] = r.RegionOptStatus
		}
	}
	assert.Equal(t, map[string]accounttypes.RegionOptStatus{"af-south-1": "ENABLED", "eu-west-1": "ENABLED_BY_DEFAULT", "us-east-1": "ENABLED_BY_DEFAULT"}, got)
	out, err := client.ListRegions(context.Background(), &account.ListRegionsInput{RegionOptStatusContains: []accounttypes.RegionOptStatus{"DISABLED"}, MaxResults: aws.Int32(50)})
	require.NoError(t, err)
	assert.Len(t, out.Regions, len(awskmstest.OptInRegions)-1, "the opt-in Regions not enabled")

	mine := account.NewFromConfig(c.Config(), func(o *account.Options) { o.Retryer = aws.NopRetryer{} })
	_, err = mine.ListRegions(context.Background(), &account.ListRegionsInput{})
	code, status := apiCode(t, err)
	assert.Equal(t, "AccessDeniedException", code)
	assert.Equal(t, http.StatusForbidden, status)
	assert.Equal(t, 4, c.Requests("account", "listRegions"))
}

func TestCloudChecksTheSessionToken(t *testing.T) {
	c := startCloud(t)
	cfg := assumed(c, "arn:aws:iam::"+member+":role/OrganizationAccountAccessRole")
	cr, err := cfg.Credentials.Retrieve(context.Background())
	require.NoError(t, err)
	cr.SessionToken = "not-the-token"
	cfg.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return cr, nil })
	client := kms.NewFromConfig(cfg, func(o *kms.Options) { o.Region = "eu-west-1"; o.Retryer = aws.NopRetryer{} })
	_, err = client.ListKeys(context.Background(), &kms.ListKeysInput{})
	code, _ := apiCode(t, err)
	assert.Equal(t, "UnrecognizedClientException", code)
	assert.Equal(t, 0, c.Server(member, "eu-west-1").TotalRequests(), "refused before the account's Server")
}

func TestCloudRefusesExpiredCredentials(t *testing.T) {
	c := startCloud(t, awskmstest.WithSessionLifetime(time.Nanosecond))
	cr, err := assumed(c, "arn:aws:iam::"+member+":role/OrganizationAccountAccessRole").Credentials.Retrieve(context.Background())
	require.NoError(t, err)
	cfg := c.Config()
	cfg.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return cr, nil })
	_, err = kms.NewFromConfig(cfg, func(o *kms.Options) { o.Region = "eu-west-1"; o.Retryer = aws.NopRetryer{} }).
		ListKeys(context.Background(), &kms.ListKeysInput{})
	code, _ := apiCode(t, err)
	assert.Equal(t, "ExpiredTokenException", code)
}
