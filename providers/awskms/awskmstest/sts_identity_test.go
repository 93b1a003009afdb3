package awskmstest_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

func identity(t *testing.T, cfg aws.Config) (*sts.GetCallerIdentityOutput, error) {
	t.Helper()
	return sts.NewFromConfig(cfg, func(o *sts.Options) { o.Retryer = aws.NopRetryer{} }).
		GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
}

func TestCloudGetCallerIdentity(t *testing.T) {
	c := startCloud(t)
	out, err := identity(t, c.Config())
	require.NoError(t, err)
	assert.Equal(t, mgmt, aws.ToString(out.Account), "the account of the signing access key")
	assert.Equal(t, "arn:aws:iam::"+mgmt+":user/caller", aws.ToString(out.Arn))
	assert.Regexp(t, `^AIDA[0-9A-F]{16}$`, aws.ToString(out.UserId))

	out, err = identity(t, c.AccountConfig(member))
	require.NoError(t, err)
	assert.Equal(t, member, aws.ToString(out.Account), "another account's IAM user")

	out, err = identity(t, assumed(c, "arn:aws:iam::"+member+":role/OrganizationAccountAccessRole",
		func(o *stscreds.AssumeRoleOptions) { o.RoleSessionName = "inv" }))
	require.NoError(t, err)
	assert.Equal(t, member, aws.ToString(out.Account), "an assumed role answers its own account")
	assert.Equal(t, "arn:aws:sts::"+member+":assumed-role/OrganizationAccountAccessRole/inv", aws.ToString(out.Arn))
	assert.Regexp(t, `^AROA[0-9A-F]{16}:inv$`, aws.ToString(out.UserId))
	assert.Equal(t, 3, c.Requests("sts", "GetCallerIdentity"), "counted by its Action")
	assert.Equal(t, 1, c.Requests("sts", "AssumeRole"))

	unknown := c.Config()
	unknown.Credentials = credentials.NewStaticCredentialsProvider("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "")
	_, err = identity(t, unknown)
	code, status := apiCode(t, err)
	assert.Equal(t, "InvalidClientTokenId", code, "an access key STS does not know")
	assert.Equal(t, http.StatusForbidden, status)
	assert.Equal(t, 4, c.Requests("sts", "GetCallerIdentity"), "refused requests are counted")
}

func TestCloudGetCallerIdentityExpiredAndThrottled(t *testing.T) {
	c := startCloud(t, awskmstest.WithSessionLifetime(time.Nanosecond), awskmstest.WithThrottledDiscovery("GetCallerIdentity", 1))
	_, err := identity(t, c.Config())
	code, status := apiCode(t, err)
	assert.Equal(t, "Throttling", code)
	assert.Equal(t, http.StatusBadRequest, status)

	cr, err := assumed(c, "arn:aws:iam::"+member+":role/OrganizationAccountAccessRole").Credentials.Retrieve(context.Background())
	require.NoError(t, err)
	cfg := c.Config()
	cfg.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return cr, nil })
	_, err = identity(t, cfg)
	code, status = apiCode(t, err)
	assert.Equal(t, "ExpiredToken", code, "STS's code for expired temporary credentials")
	assert.Equal(t, http.StatusForbidden, status)
}

func TestCloudManagementAccountHasNoMemberRole(t *testing.T) {
	c := awskmstest.NewCloud(awskmstest.WithCloudAccounts(
		awskmstest.CloudAccount{ID: mgmt, Regions: []string{"us-east-1"}, Keys: 1},
		awskmstest.CloudAccount{ID: member, Regions: []string{"us-east-1"}, Keys: 1},
		awskmstest.CloudAccount{ID: "333333333333", Regions: []string{"us-east-1"}, Keys: 1, NoMemberRole: true},
	))
	t.Cleanup(c.Close)
	for account, want := range map[string]string{mgmt: "AccessDenied", "333333333333": "AccessDenied", member: ""} {
		_, err := assumed(c, "arn:aws:iam::"+account+":role/OrganizationAccountAccessRole").Credentials.Retrieve(context.Background())
		if want == "" {
			assert.NoError(t, err, account)
			continue
		}
		code, status := apiCode(t, err)
		assert.Equal(t, want, code, account)
		assert.Equal(t, http.StatusForbidden, status, account)
		assert.ErrorContains(t, err, "arn:aws:iam::"+mgmt+":user/caller is not authorized to perform: sts:AssumeRole", "the caller named as STS names it")
	}
	for _, account := range []string{mgmt, member, "333333333333"} {
		assert.Equal(t, 1, c.AssumeRoleRequests(account), account)
	}

	added := awskmstest.NewCloud(awskmstest.WithCloudAccounts(awskmstest.CloudAccount{ID: mgmt, Regions: []string{"us-east-1"}, Keys: 1}),
		awskmstest.WithRole(mgmt, "OrganizationAccountAccessRole", "x-1"))
	t.Cleanup(added.Close)
	_, err := assumed(added, "arn:aws:iam::"+mgmt+":role/OrganizationAccountAccessRole",
		func(o *stscreds.AssumeRoleOptions) { o.ExternalID = aws.String("x-1") }).Credentials.Retrieve(context.Background())
	assert.NoError(t, err, "a test may add the role, with its external ID")
}

func TestCloudDelegatedAdministratorListsAccounts(t *testing.T) {
	c := startCloud(t, awskmstest.WithDelegatedAdministrator(member))
	out, err := organizations.NewFromConfig(c.AccountConfig(member), func(o *organizations.Options) { o.Retryer = aws.NopRetryer{} }).
		ListAccounts(context.Background(), &organizations.ListAccountsInput{})
	require.NoError(t, err)
	assert.Len(t, out.Accounts, 2)
	assert.Panics(t, func() { c.AccountConfig("999999999999") })
}
