package awskmstest_test

import (
	"context"
	"fmt"

	kmssdk "github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/providers/awskms"
	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

// A user's integration test: the test server holds four keys, the real
// aws-sdk-go-v2 client talks to it over HTTP, and the code under test (here
// the awskms adapter) lists them.
func Example() {
	srv := awskmstest.New(awskmstest.WithGeneratedKeys(4), awskmstest.WithRegion("eu-west-1"))
	defer srv.Close()

	client := kmssdk.NewFromConfig(srv.Config())
	lister := awskms.New(client)
	defer lister.Close()

	for k, err := range lister.ListKeys(context.Background(), kms.ListOptions{Detail: kms.DetailFull}).All() {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Println(k.Region, k.State, k.Spec, k.Aliases)
	}
	fmt.Println("DescribeKey requests:", srv.Requests(awskmstest.OpDescribeKey))
	// Output:
	// eu-west-1 Enabled SYMMETRIC_DEFAULT [alias/demo-0]
	// eu-west-1 Enabled SYMMETRIC_DEFAULT []
	// eu-west-1 Enabled RSA_2048 []
	// eu-west-1 Enabled SYMMETRIC_DEFAULT [alias/demo-3]
	// DescribeKey requests: 4
}
