package main

import (
	"context"

	kmssdk "github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/providers/awskms"
	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

// The AWS demo: the in-process AWS KMS emulator holding eight demo keys
// (symmetric, RSA, ECC and HMAC; enabled, disabled, pending deletion; one
// multi-Region), listed through the real aws-sdk-go-v2 client by the awskms
// adapter. The client signs with the emulator's static fake credentials,
// which are good for the emulator only.
func init() {
	demos = append(demos, demo{name: "aws", start: startAWS})
}

func startAWS(context.Context) (kms.Lister, func(), error) {
	srv := awskmstest.New(awskmstest.WithGeneratedKeys(8))
	return awskms.New(kmssdk.NewFromConfig(srv.Config())), srv.Close, nil
}
