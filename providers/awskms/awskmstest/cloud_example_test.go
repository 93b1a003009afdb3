package awskmstest_test

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

// A test of code that walks an organization: list its accounts with the
// management account's credentials, assume the member role in each but
// the caller's own (GetCallerIdentity; the management account has no
// member role) and list its keys, all through the real SDK clients
// against one Cloud.
func ExampleNewCloud() {
	c := awskmstest.NewCloud(awskmstest.WithCloudAccounts(
		awskmstest.CloudAccount{ID: "111111111111", Regions: []string{"us-east-1"}, Keys: 2},
		awskmstest.CloudAccount{ID: "222222222222", Regions: []string{"us-east-1", "eu-west-1"}, Keys: 3},
	))
	defer c.Close()
	ctx := context.Background()
	cfg := c.Config()
	out, err := organizations.NewFromConfig(cfg).ListAccounts(ctx, &organizations.ListAccountsInput{})
	if err != nil {
		fmt.Println(err)
		return
	}
	me, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range out.Accounts {
		member := cfg.Copy()
		if *a.Id != *me.Account {
			role := "arn:aws:iam::" + *a.Id + ":role/OrganizationAccountAccessRole"
			member.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), role))
		}
		keys, err := kms.NewFromConfig(member).ListKeys(ctx, &kms.ListKeysInput{})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(*a.Id, a.State, len(keys.Keys), "keys in us-east-1")
	}
	fmt.Println("AssumeRole into the caller's account:", c.AssumeRoleRequests(*me.Account))
	// Output:
	// 111111111111 ACTIVE 2 keys in us-east-1
	// 222222222222 ACTIVE 3 keys in us-east-1
	// AssumeRole into the caller's account: 0
}
