package awskms_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	kmssdk "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
	"github.com/multikms/multikms/pagination"
	"github.com/multikms/multikms/providers/awskms"
	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

// Planted secrets: the environment's credentials, a URL password and a
// "port" that is a secret.
const (
	plantedKeyID  = "AKIDPLANTEDFORTEST"
	plantedSecret = "planted-secret-access-key-0123456789"
	plantedToken  = "planted-session-token-9876543210"
	plantedPass   = "planted-url-password-4242"
	plantedPort   = "PLANTEDPORTSECRET"
)

var planted = []string{plantedSecret, plantedToken, plantedPass, plantedPort}

func plantSecrets(t *testing.T) {
	isolateAWSConfig(t)
	t.Setenv("AWS_ACCESS_KEY_ID", plantedKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", plantedSecret)
	t.Setenv("AWS_SESSION_TOKEN", plantedToken)
}

// leaks returns the planted secrets found in err, its whole Unwrap chain
// (every error's message and %+v), and the request an HTTP response error
// keeps.
func leaks(err error) []string {
	var texts []string
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		texts = append(texts, e.Error(), fmt.Sprintf("%+v", e))
		var re *awshttp.ResponseError
		if errors.As(e, &re) && re.Response != nil && re.Response.Request != nil {
			texts = append(texts, fmt.Sprint(re.Response.Request.Header))
		}
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		}
	}
	walk(err)
	var found []string
	for _, s := range planted {
		for _, text := range texts {
			if strings.Contains(text, s) {
				found = append(found, s)
				break
			}
		}
	}
	return found
}

// TestNoSecretInAnyError triggers every error it can, from bad URLs to a
// server that echoes the request (with its session token header) in its
// error messages, and scans each through its whole chain.
func TestNoSecretInAnyError(t *testing.T) {
	plantSecrets(t)
	keys := awskmstest.GenerateKeys(6)
	keys[2].DenyDescribe = true
	s := awskmstest.New(awskmstest.WithKeys(keys...),
		awskmstest.WithFault(awskmstest.Fault{Op: awskms.OpDescribeKey, KeyID: keys[1].ID, Type: "InvalidSignatureException"}),
		awskmstest.WithFault(awskmstest.Fault{Op: awskms.OpListKeyRotations, Type: "ExpiredTokenException"}),
		awskmstest.WithHostile(awskmstest.Hostile{EchoRequest: true}))
	t.Cleanup(s.Close)

	// The test has teeth: the SDK alone hands the echoed token to the caller.
	cfg := s.Config()
	cfg.Credentials = aws.NewCredentialsCache(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: plantedKeyID, SecretAccessKey: plantedSecret, SessionToken: plantedToken}, nil
	}))
	raw := kmssdk.NewFromConfig(cfg)
	_, err := raw.DescribeKey(context.Background(), &kmssdk.DescribeKeyInput{KeyId: aws.String(keys[1].ID)})
	require.Contains(t, leaks(err), plantedToken, "the server echoes the session token")

	var errs []error
	add := func(err error) { errs = append(errs, err) }
	for _, u := range []string{
		"awskms://AKID:" + plantedPass + "@/?region=us-east-1",
		"awskms://?region=us-east-1&endpoint=" + url.QueryEscape("https://host:"+plantedPort),
		"awskms://?region=us-east-1&endpoint=" + url.QueryEscape("https://u:"+plantedPass+"@host"),
		"awskms://?region=us-east-1&endpoint=" + url.QueryEscape("https://host/?p="+plantedPass),
		"awskms://?region=us-east-1&rate=" + plantedPass,
		"awskms://?region=us-east-1&aws_secret_access_key=" + plantedPass,
		"awskms://?region=" + plantedPass,
		"awskms://?region=us-east-1&profile=" + plantedPass,
	} {
		_, err := kms.Open(context.Background(), u)
		require.Error(t, err, u)
		add(err)
	}
	_, err = awskms.NewFromConfig(context.Background(), awskms.WithEndpoint("https://host:"+plantedPort))
	add(err)

	l, err := kms.Open(context.Background(), "awskms://?region=us-east-1&endpoint="+url.QueryEscape(s.URL()))
	require.NoError(t, err)
	defer l.Close()
	var mu sync.Mutex
	var events []pagination.Event
	fast := awskms.New(raw, awskms.WithRetry(pagination.Retry{MaxAttempts: 1}), awskms.WithObserver(func(e pagination.Event) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, e)
	}))
	for _, lister := range []kms.Lister{l, fast} {
		for _, ref := range []string{keys[1].ID, keys[2].ID, "0d990263-018e-4e65-a703-eff731de951e", "acs:kms:cn-hangzhou:1:key/" + plantedPass} {
			_, err := lister.DescribeKey(context.Background(), ref)
			add(err)
		}
		_, err = kmstest.Collect(lister.ListKeyVersions(context.Background(), keys[0].ID, kms.ListOptions{}))
		add(err)
		_, err = kmstest.Collect(lister.ListKeys(context.Background(), kms.ListOptions{Cursor: plantedPass}))
		add(err)
		got, err := kmstest.Collect(lister.ListKeys(context.Background(), kms.ListOptions{Detail: kms.DetailFull}))
		require.NoError(t, err)
		for _, k := range got {
			if k.DetailErr != nil {
				add(k.DetailErr)
			}
		}
	}
	mu.Lock()
	for _, e := range events {
		if e.Err != nil {
			errs = append(errs, e.Err) // the observer's events, as logged
		}
	}
	mu.Unlock()
	require.GreaterOrEqual(t, len(errs), 30)
	for _, err := range errs {
		require.Error(t, err)
		assert.Empty(t, leaks(err), "%v", err)
	}
}
