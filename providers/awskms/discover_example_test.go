package awskms_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
	"github.com/multikms/multikms/providers/awskms"
	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

// NewFleet discovers every ACTIVE account of an organization and every
// Region enabled in each, and lists them all as one listing. Here the
// organization is awskmstest's demo one, reached through its endpoint with
// its management account's credentials; against AWS, leave out
// WithEndpoint and WithLoadOptions (or use
// kms.Open(ctx, "awskms://?organization=*&region=*")).
func ExampleNewFleet() {
	c := awskmstest.DemoCloud(awskmstest.WithDeniedRegion(awskmstest.DemoMember, "af-south-1"))
	defer c.Close()
	ctx := context.Background()
	f, err := awskms.NewFleet(ctx,
		awskms.WithEndpoint(c.URL()),
		awskms.WithLoadOptions(config.WithRegion("us-east-1"), config.WithCredentialsProvider(c.Config().Credentials)),
		awskms.WithOrganization(awskmstest.DemoOrganizationID),
		awskms.WithRegions("*"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	fmt.Println(f.Scope())

	keys, err := pagination.Collect(f.ListKeys(ctx, kms.ListOptions{}))
	perScope := map[string]int{}
	for _, k := range keys {
		perScope[k.Account+"/"+k.Region]++
	}
	for _, s := range f.Scopes() {
		fmt.Println(s, perScope[s])
	}
	var se *kms.ScopeError
	if errors.As(err, &se) {
		fmt.Println("failed:", se.Scope, errors.Is(se, kms.ErrPermissionDenied))
	}
	// Output:
	// organization/o-demo0org001/regions/*
	// 111122223333/ap-northeast-1 4
	// 111122223333/eu-west-1 4
	// 111122223333/us-east-1 4
	// 444455556666/af-south-1 0
	// 444455556666/eu-west-1 4
	// failed: aws/444455556666/af-south-1 true
}
