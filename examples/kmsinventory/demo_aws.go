package main

import (
	"context"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmssdk "github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/multikms/multikms/providers/awskms"
	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

// demoAWSRegions are the AWS part of the demo fleet: one account, three
// Regions, each its own awskmstest server holding its own slice of the
// generated keys (symmetric, RSA, ECC and HMAC; enabled, disabled, pending
// deletion and import; multi-Region ones), with one key whose policy denies
// DescribeKey.
var demoAWSRegions = []struct {
	region     string
	from, to   int // awskmstest.GenerateKeys indexes
	denyDetail int // index of the key whose DescribeKey is denied; -1 none
}{
	{"us-east-1", 0, 6, -1},
	{"eu-west-1", 6, 11, 8},
	{"ap-northeast-1", 11, 15, -1},
}

// startDemoAWS starts one test server per demo Region and an awskms Lister
// over each, through the real aws-sdk-go-v2 client (signed with the test
// server's static fake credentials, good for it only).
func startDemoAWS(_ context.Context, k demoKnobs) (demoCloud, error) {
	var (
		servers    []*awskmstest.Server
		transports []*http.Transport
	)
	c := demoCloud{
		requests: func() int {
			n := 0
			for _, s := range servers {
				n += s.TotalRequests()
			}
			return n
		},
		stop: func() {
			for _, t := range transports {
				t.CloseIdleConnections()
			}
			for _, s := range servers {
				s.Close()
			}
		},
	}
	for _, r := range demoAWSRegions {
		name := "aws/" + r.region
		keys := awskmstest.GenerateKeys(r.to)[r.from:]
		for i := range keys {
			keys[i].DenyDescribe = r.from+i == r.denyDetail
		}
		opts := []awskmstest.Option{awskmstest.WithRegion(r.region), awskmstest.WithKeys(keys...)}
		if k.deny[name] {
			// What a Region the account has not enabled answers.
			opts = append(opts, awskmstest.WithFault(awskmstest.Fault{
				Type: "UnrecognizedClientException", Status: 400,
				Message: "The security token included in the request is invalid.",
			}))
		}
		srv := awskmstest.New(opts...)
		servers = append(servers, srv)
		tr := demoTransport(strings.TrimPrefix(srv.URL(), "http://"))
		transports = append(transports, tr)
		cfg := srv.Config()
		cfg.BaseEndpoint = aws.String("http://" + r.region + ".aws.demo.localhost")
		cfg.HTTPClient = awskmstest.SDKHTTPClient{Client: &http.Client{Transport: tr}}
		c.scopes = append(c.scopes, demoScope{name: name, lister: awskms.New(kmssdk.NewFromConfig(cfg))})
	}
	return c, nil
}
