package alibabakms_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
	"github.com/multikms/multikms/providers/alibabakms"
	"github.com/multikms/multikms/providers/alibabakms/alibabakmstest"
)

// DiscoverFromConfig lists every region KMS DescribeRegions lists, here
// those of an alibabakmstest Cloud, one scope per region; a region that
// refuses the caller is an isolated *kms.ScopeError.
func ExampleDiscoverFromConfig() {
	ctx := context.Background()
	cloud := alibabakmstest.NewCloud(alibabakmstest.DemoRegions()...)
	defer cloud.Close()
	cloud.DenyRegion(alibabakmstest.DemoThirdRegion)
	id, secret := cloud.AccessKey()

	fleet, err := alibabakms.DiscoverFromConfig(ctx, alibabakms.Discovery{Regions: []string{alibabakms.AllRegions}},
		alibabakms.WithRegion(alibabakmstest.DemoHomeRegion), // where DescribeRegions is asked
		alibabakms.WithEndpoint(cloud.URL()),
		alibabakms.WithCredentials(credentials.NewAccessKeyCredential(id, secret)))
	if err != nil {
		panic(err)
	}
	defer fleet.Close()
	fmt.Println(fleet.Scope(), fleet.Regions())

	perRegion := map[string]int{}
	keys, err := pagination.Collect(fleet.ListKeys(ctx, kms.ListOptions{}))
	for _, k := range keys {
		perRegion[k.Region]++
	}
	fmt.Println(perRegion)
	var se *kms.ScopeError
	if errors.As(err, &se) {
		fmt.Println("failed:", se.Scope, errors.Is(err, kms.ErrPermissionDenied))
	}
	// Output:
	// regions/* [ap-southeast-1 cn-hangzhou cn-shanghai]
	// map[cn-hangzhou:14 cn-shanghai:3]
	// failed: alibaba/ap-southeast-1 true
}
