package awskms_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"

	kmssdk "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/providers/awskms"
	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

// Open a Lister from a URL; the credentials come from the default chain
// (here the environment, set for the test server).
func Example_open() {
	srv := awskmstest.New(awskmstest.WithGeneratedKeys(3), awskmstest.WithRegion("eu-west-1"))
	defer srv.Close()
	os.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")        // for the test server only:
	os.Setenv("AWS_SECRET_ACCESS_KEY", "example-secret") // it checks the signature's shape
	defer os.Unsetenv("AWS_ACCESS_KEY_ID")
	defer os.Unsetenv("AWS_SECRET_ACCESS_KEY")

	ctx := context.Background()
	l, err := kms.Open(ctx, "awskms://?region=eu-west-1&endpoint="+url.QueryEscape(srv.URL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer l.Close()
	n := 0
	for _, err := range l.ListKeys(ctx, kms.ListOptions{}).All() {
		if err != nil {
			fmt.Println(err)
			return
		}
		n++
	}
	fmt.Println(n, "keys")

	_, err = kms.Open(ctx, "awskms://?regoin=eu-west-1")
	fmt.Println(err)
	// Output:
	// 3 keys
	// kms: aws Open: invalid argument: parameter regoin: unknown URL parameter (known: region, endpoint, profile, rate, role_arn, external_id, session_name, organization, member_role)
}

// New takes your own SDK client; Close leaves it alone.
func ExampleNew() {
	srv := awskmstest.New(awskmstest.WithGeneratedKeys(5))
	defer srv.Close()

	l := awskms.New(kmssdk.NewFromConfig(srv.Config()), awskms.WithConcurrency(8), awskms.WithRateLimit(500, 25))
	defer l.Close()
	filter := kms.Filter{Usages: []kms.KeyUsage{kms.UsageSignVerify}}
	for k, err := range l.ListKeys(context.Background(), kms.ListOptions{Filter: filter}).All() {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(k.Spec, k.Usage, k.Kind)
	}
	// Output:
	// RSA_2048 SignVerify AsymmetricSignature
	// ECC_NIST_P256 SignVerify AsymmetricSignature
}

// DescribeKey takes a key ID, key ARN, alias name or alias ARN and returns
// the key as a DetailFull listing does, aliases joined.
func ExampleLister_DescribeKey() {
	srv := awskmstest.New(awskmstest.WithGeneratedKeys(4))
	defer srv.Close()
	l := awskms.New(kmssdk.NewFromConfig(srv.Config()))

	k, err := l.DescribeKey(context.Background(), "alias/demo-3")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(k.Spec, k.State, k.MultiRegion, k.Aliases, k.Detail == kms.DetailFull)
	var md types.KeyMetadata
	fmt.Println(k.As(&md), md.KeyManager)

	_, err = l.DescribeKey(context.Background(), "acs:kms:cn-hangzhou:123456789012:key/key-hzz62f1cb66fa42qo3r2q")
	fmt.Println(err)
	// Output:
	// SYMMETRIC_DEFAULT Enabled true [alias/demo-3] true
	// true CUSTOMER
	// kms: aws DescribeKey: invalid argument: parameter keyRef: is an ARN of alibaba; this lister speaks to aws
}

// ListKeyVersions lists every key material of a key, the CURRENT one
// Primary.
func ExampleLister_ListKeyVersions() {
	srv := awskmstest.New(awskmstest.WithGeneratedKeys(9))
	defer srv.Close()
	l := awskms.New(kmssdk.NewFromConfig(srv.Config()))

	key := srv.Keys()[8] // rotated twice
	for v, err := range l.ListKeyVersions(context.Background(), key.ID, kms.ListOptions{}).All() {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(v.State, v.Primary, v.RotationType, v.CreatedAt.Format("2006-01-02"))
	}
	// Output:
	// Enabled false  2024-01-04
	// Enabled false AUTOMATIC 2025-01-03
	// Enabled true ON_DEMAND 2026-01-03
}

// Every error is a *kms.Error: errors.Is tells its class, errors.As finds
// the native AWS error beneath.
func Example_errors() {
	srv := awskmstest.New(awskmstest.WithGeneratedKeys(1))
	defer srv.Close()
	l := awskms.New(kmssdk.NewFromConfig(srv.Config()))

	_, err := l.DescribeKey(context.Background(), "0d990263-018e-4e65-a703-eff731de951e")
	var ke *kms.Error
	var notFound *types.NotFoundException
	fmt.Println(errors.Is(err, kms.ErrNotFound), errors.As(err, &ke), ke.Provider, ke.Op)
	fmt.Println(errors.As(err, &notFound), notFound.ErrorCode())
	// Output:
	// true true aws DescribeKey
	// true NotFoundException
}
