package awskmstest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"
	"go.uber.org/goleak"

	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// start runs an emulator for the test and returns it with an SDK client
// whose own retries are off, so every error reaches the test.
func start(t *testing.T, opts ...awskmstest.Option) (*awskmstest.Server, *kms.Client) {
	t.Helper()
	s := awskmstest.New(opts...)
	t.Cleanup(s.Close)
	c := kms.NewFromConfig(s.Config(), func(o *kms.Options) { o.Retryer = aws.NopRetryer{} })
	return s, c
}

// apiCode returns the error code and HTTP status of an SDK error.
func apiCode(t *testing.T, err error) (string, int) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v is not a smithy.APIError", err)
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("error %v carries no HTTP response", err)
	}
	return ae.ErrorCode(), re.HTTPStatusCode()
}

func wantCode(t *testing.T, err error, code string, status int) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", code)
	}
	gotCode, gotStatus := apiCode(t, err)
	if gotCode != code || gotStatus != status {
		t.Fatalf("got %s (HTTP %d), want %s (HTTP %d): %v", gotCode, gotStatus, code, status, err)
	}
}

const validAuth = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/kms/aws4_request, " +
	"SignedHeaders=content-type;host;x-amz-date;x-amz-target, " +
	"Signature=2196a20c1a139ae8f6fe070881f41954616c775bb5a484814c35f8ee35cfa448"

// raw sends one hand-made request; edit may change it before it goes.
func raw(t *testing.T, s *awskmstest.Server, op, body string, edit func(*http.Request)) (int, http.Header, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, s.URL()+"/", bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Target", "TrentService."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Date", "20261123T120000Z")
	req.Header.Set("Authorization", validAuth)
	if edit != nil {
		edit(req)
	}
	resp, err := s.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("body %q is not JSON: %v", data, err)
	}
	return resp.StatusCode, resp.Header, out
}
