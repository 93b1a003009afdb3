package main

import (
	"context"
	"net"
	"net/http"
	"strings"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/multikms/multikms/providers/awskms"
	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

// demoAWSEndpoint is the stable name of the AWS demo endpoint (see
// demoTransport).
const demoAWSEndpoint = "http://aws.demo.localhost"

// startDemoAWS starts awskmstest.DemoCloud, an organization of two active
// accounts over five Regions (one key denying DescribeKey, a suspended
// account left out), and discovers it as awskms://?organization=*&region=*
// would: an awskms.Fleet of one scope per account and Region, through the
// real aws-sdk-go-v2 clients (Organizations, STS, Account, KMS), signed with
// the demo's own static credentials (good for it only).
func startDemoAWS(ctx context.Context, k demoKnobs) (demoCloud, error) {
	var opts []awskmstest.CloudOption
	for name := range k.deny { // "aws/<account>/<region>"
		if p := strings.Split(name, "/"); len(p) == 3 && p[0] == "aws" {
			opts = append(opts, awskmstest.WithDeniedRegion(p[1], p[2]))
		}
	}
	cloud := awskmstest.DemoCloud(opts...)
	addr := strings.TrimPrefix(cloud.URL(), "http://")
	// A BuildableClient, as LoadDefaultConfig needs one (a CA bundle in
	// AWS_CA_BUNDLE is added to it); the Fleet owns its transport and
	// closes its connections.
	client := awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
		t.Proxy = nil
		var d net.Dialer
		t.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		}
	})
	stop := cloud.Close
	f, err := awskms.NewFleet(ctx,
		awskms.WithEndpoint(demoAWSEndpoint),
		awskms.WithLoadOptions(
			awsconfig.WithRegion("us-east-1"),
			awsconfig.WithCredentialsProvider(cloud.Config().Credentials),
			awsconfig.WithHTTPClient(client),
		),
		awskms.WithOrganization("*"), awskms.WithRegions("*"))
	if err != nil {
		stop()
		return demoCloud{}, err
	}
	var names []string
	for _, s := range f.Scopes() {
		names = append(names, "aws/"+s)
	}
	return demoCloud{
		listers:  []demoLister{{names: names, lister: f}},
		requests: cloud.TotalRequests,
		stop:     stop,
	}, nil
}
