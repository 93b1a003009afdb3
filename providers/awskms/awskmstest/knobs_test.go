package awskmstest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

func TestRateLimit(t *testing.T) {
	s, c := start(t, awskmstest.WithGeneratedKeys(2), awskmstest.WithRateLimit(awskmstest.OpDescribeKey, 0.001, 1))
	in := &kms.DescribeKeyInput{KeyId: aws.String(s.Keys()[0].ID)}
	if _, err := c.DescribeKey(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	_, err := c.DescribeKey(context.Background(), in)
	wantCode(t, err, "ThrottlingException", 400)
	if _, err := c.ListKeys(context.Background(), &kms.ListKeysInput{}); err != nil {
		t.Fatalf("ListKeys has no limit: %v", err)
	}
	if s.Throttled(awskmstest.OpDescribeKey) != 1 || s.Requests(awskmstest.OpDescribeKey) != 2 {
		t.Fatalf("throttled %d of %d", s.Throttled(awskmstest.OpDescribeKey), s.Requests(awskmstest.OpDescribeKey))
	}
}

func TestFaults(t *testing.T) {
	keys := awskmstest.GenerateKeys(3)
	s, c := start(t, awskmstest.WithKeys(keys...),
		awskmstest.WithFault(awskmstest.Fault{Op: awskmstest.OpListKeys, Every: 2, Count: 2, Status: 503}),
		awskmstest.WithFault(awskmstest.Fault{Op: awskmstest.OpDescribeKey, KeyID: keys[1].ID, Type: "DependencyTimeoutException"}),
		awskmstest.WithFault(awskmstest.Fault{Op: awskmstest.OpDescribeKey, KeyID: keys[2].ID, Status: 400, Type: "KMSInvalidStateException"}),
	)
	var failed []int
	for i := range 6 {
		if _, err := c.ListKeys(context.Background(), &kms.ListKeysInput{}); err != nil {
			wantCode(t, err, "ServiceUnavailableException", 503)
			failed = append(failed, i)
		}
	}
	if len(failed) != 2 || failed[0] != 1 || failed[1] != 3 {
		t.Fatalf("failed requests %v, want [1 3]", failed)
	}
	describe := func(id string) error {
		_, err := c.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: aws.String(id)})
		return err
	}
	if err := describe(keys[0].ID); err != nil {
		t.Fatal(err)
	}
	err := describe(keys[1].ID)
	wantCode(t, err, "DependencyTimeoutException", 500)
	var dt *types.DependencyTimeoutException
	if !errors.As(err, &dt) || dt.ErrorMessage() != "injected fault" {
		t.Fatalf("%v is not a DependencyTimeoutException", err)
	}
	err = describe(keys[2].ID)
	wantCode(t, err, "KMSInvalidStateException", 400)
	if s.Requests(awskmstest.OpDescribeKey) != 3 {
		t.Fatalf("counted %d describes", s.Requests(awskmstest.OpDescribeKey))
	}
}

func TestFaultStatusesFollowTheReferences(t *testing.T) {
	keys := awskmstest.GenerateKeys(2)
	_, c := start(t, awskmstest.WithKeys(keys...),
		awskmstest.WithFault(awskmstest.Fault{Op: awskmstest.OpDescribeKey, KeyID: keys[0].ID, Type: "KMSInternalException"}),
		awskmstest.WithFault(awskmstest.Fault{Op: awskmstest.OpDescribeKey, KeyID: keys[1].ID}),
		awskmstest.WithFault(awskmstest.Fault{Op: awskmstest.OpListKeys, Type: "KMSInternalException", Count: 1}),
		awskmstest.WithFault(awskmstest.Fault{Op: awskmstest.OpListKeys, Count: 1}),
	)
	_, err := c.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: aws.String(keys[0].ID)})
	wantCode(t, err, "KMSInternalException", 400) // aws-DescribeKey.txt
	_, err = c.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: aws.String(keys[1].ID)})
	wantCode(t, err, "DependencyTimeoutException", 500) // DescribeKey's 500
	_, err = c.ListKeys(context.Background(), &kms.ListKeysInput{})
	wantCode(t, err, "KMSInternalException", 500) // aws-ListKeys.txt
	_, err = c.ListKeys(context.Background(), &kms.ListKeysInput{})
	wantCode(t, err, "KMSInternalException", 500) // a plain injected 500
}

func TestRepeatedMarkers(t *testing.T) {
	_, c := start(t, awskmstest.WithGeneratedKeys(10), awskmstest.WithRepeatedMarkers())
	first, err := c.ListKeys(context.Background(), &kms.ListKeysInput{Limit: aws.Int32(3)})
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.ListKeys(context.Background(), &kms.ListKeysInput{Limit: aws.Int32(3), Marker: first.NextMarker})
	if err != nil {
		t.Fatal(err)
	}
	if !second.Truncated || *second.NextMarker != *first.NextMarker {
		t.Fatalf("second page marker %v, want the first's %v repeated", aws.ToString(second.NextMarker), *first.NextMarker)
	}
}

func TestEmptyPages(t *testing.T) {
	s, c := start(t, awskmstest.WithGeneratedKeys(5), awskmstest.WithEmptyPages())
	var n, empty int
	p := kms.NewListKeysPaginator(c, &kms.ListKeysInput{Limit: aws.Int32(2)})
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Keys) == 0 {
			if !out.Truncated || out.NextMarker == nil {
				t.Fatalf("empty page %+v is not truncated", out)
			}
			empty++
		}
		n += len(out.Keys)
	}
	if n != 5 || empty != 3 || s.Requests(awskmstest.OpListKeys) != 6 {
		t.Fatalf("got %d keys, %d empty pages, %d requests", n, empty, s.Requests(awskmstest.OpListKeys))
	}
}

func TestLatencyHonoursClientCancellation(t *testing.T) {
	s, c := start(t, awskmstest.WithLatency(time.Hour))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.ListKeys(ctx, &kms.ListKeysInput{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	// A request that reaches the server is held there: with an hour of
	// latency, a second's deadline runs out (with none, it would answer).
	ctx, cancel = context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, err := c.ListKeys(ctx, &kms.ListKeysInput{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want context.DeadlineExceeded", err)
	}
	if n := s.Requests(awskmstest.OpListKeys); n != 1 {
		t.Fatalf("the server received %d requests, want the one it held", n)
	}
}
