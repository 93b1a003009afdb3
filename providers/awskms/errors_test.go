package awskms_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
	"github.com/multikms/multikms/pagination"
	"github.com/multikms/multikms/providers/awskms"
	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

// fastRetry retries twice in all with tiny backoff, so that retryable
// errors show as two requests.
var fastRetry = awskms.WithRetry(pagination.Retry{MaxAttempts: 2, BaseDelay: time.Microsecond, MaxDelay: time.Microsecond})

func TestErrorMapping(t *testing.T) {
	tests := []struct {
		typ      string
		status   int
		want     error
		native   any // a pointer to the native type errors.As must find, if modelled
		attempts int // 2 if retried
	}{
		{"NotFoundException", 400, kms.ErrNotFound, new(*types.NotFoundException), 1},
		{"InvalidArnException", 400, kms.ErrInvalidArgument, new(*types.InvalidArnException), 1},
		{"ValidationException", 400, kms.ErrInvalidArgument, nil, 1},
		{"InvalidMarkerException", 400, kms.ErrInvalidCursor, new(*types.InvalidMarkerException), 1},
		{"KMSInvalidStateException", 400, kms.ErrUnsupported, new(*types.KMSInvalidStateException), 1},
		{"UnsupportedOperationException", 400, kms.ErrUnsupported, new(*types.UnsupportedOperationException), 1},
		{"DependencyTimeoutException", 500, kms.ErrUnavailable, new(*types.DependencyTimeoutException), 2},
		{"KMSInternalException", 500, kms.ErrUnavailable, new(*types.KMSInternalException), 2},
		{"ServiceUnavailableException", 503, kms.ErrUnavailable, nil, 2},
		{"AccessDeniedException", 400, kms.ErrPermissionDenied, nil, 1},
		{"ThrottlingException", 400, kms.ErrThrottled, nil, 2},
		{"UnrecognizedClientException", 400, kms.ErrUnauthenticated, nil, 1},
		{"InvalidSignatureException", 400, kms.ErrUnauthenticated, nil, 1},
		{"IncompleteSignatureException", 400, kms.ErrUnauthenticated, nil, 1},
		{"MissingAuthenticationTokenException", 400, kms.ErrUnauthenticated, nil, 1},
		{"ExpiredTokenException", 400, kms.ErrUnauthenticated, nil, 1},
		{"InvalidClientTokenId", 403, kms.ErrUnauthenticated, nil, 1},
		{"NotImplemented", 501, kms.ErrUnsupported, nil, 1},
		{"SomethingNewException", 501, kms.ErrUnsupported, nil, 1},
		{"SomethingNewException", 502, kms.ErrUnavailable, nil, 2},
		{"SomethingNewException", 429, kms.ErrThrottled, nil, 2},
	}
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			for _, op := range []string{awskms.OpDescribeKey, awskms.OpListKeys} {
				s, client := setup(t, awskmstest.WithGeneratedKeys(2),
					awskmstest.WithFault(awskmstest.Fault{Op: op, Status: tt.status, Type: tt.typ}))
				l := awskms.New(client, fastRetry)
				var err error
				if op == awskms.OpDescribeKey {
					_, err = l.DescribeKey(context.Background(), s.Keys()[0].ID)
				} else {
					_, err = kmstest.Collect(l.ListKeys(context.Background(), kms.ListOptions{}))
				}
				checkError(t, err, op, tt.typ, tt.want, tt.native)
				if n := s.Requests(op); n != tt.attempts {
					t.Errorf("%s: %d requests, want %d (engine retries only, SDK retries off)", op, n, tt.attempts)
				}
			}
		})
	}
}

func checkError(t *testing.T, err error, op, code string, want error, native any) {
	t.Helper()
	var ke *kms.Error
	var ae smithy.APIError
	switch {
	case !errors.Is(err, want):
		t.Fatalf("%s: got %v, want %v", op, err, want)
	case !errors.As(err, &ke) || ke.Provider != kms.ProviderAWS || ke.Op != op:
		t.Fatalf("%s: %v is not a *kms.Error of aws %s", op, err, op)
	case !errors.As(err, &ae) || ae.ErrorCode() != code:
		t.Fatalf("%s: native error of %v is not the API error %s", op, err, code)
	case native != nil && !errors.As(err, native):
		t.Fatalf("%s: %v does not unwrap to %T", op, err, native)
	}
}

func TestRetryableFaultIsRetriedAway(t *testing.T) {
	s, client := setup(t, awskmstest.WithGeneratedKeys(30),
		awskmstest.WithFault(awskmstest.Fault{Op: awskms.OpListKeys, Every: 2, Status: 500}),
		awskmstest.WithFault(awskmstest.Fault{Op: awskms.OpDescribeKey, Every: 3, Status: 503}))
	// One describe at a time: every 3rd DescribeKey fails, so a retry (the
	// next request) never fails too. With describes in flight together, a
	// key's retries could keep landing on the failing turns.
	l := awskms.New(client, awskms.WithDescribeConcurrency(1),
		awskms.WithRetry(pagination.Retry{BaseDelay: time.Microsecond, MaxDelay: time.Millisecond}))
	keys, err := kmstest.Collect(l.ListKeys(context.Background(), kms.ListOptions{PageSize: 10, Detail: kms.DetailFull}))
	if err != nil || len(keys) != 30 {
		t.Fatalf("got %d keys, %v", len(keys), err)
	}
	for _, k := range keys {
		if k.DetailErr != nil {
			t.Fatalf("key %s: %v", k.ID, k.DetailErr)
		}
	}
	if n := s.Requests(awskms.OpListKeys); n != 5 {
		t.Errorf("ListKeys: %d requests, want 5 (3 pages; the 2nd and 4th request fail)", n)
	}
}

func TestContextAndTransportErrors(t *testing.T) {
	s, client := setup(t, awskmstest.WithGeneratedKeys(1))
	l := awskms.New(client, fastRetry)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.DescribeKey(ctx, s.Keys()[0].ID); err != context.Canceled {
		t.Fatalf("cancelled: got %v, want context.Canceled itself", err)
	}
	ctx, cancel = context.WithDeadline(context.Background(), time.Unix(1, 0))
	defer cancel()
	if _, err := kmstest.Collect(l.ListKeys(ctx, kms.ListOptions{})); err != context.DeadlineExceeded {
		t.Fatalf("past deadline: got %v, want context.DeadlineExceeded itself", err)
	}
	s.Close()
	_, err := l.DescribeKey(context.Background(), s.Keys()[0].ID)
	if !errors.Is(err, kms.ErrUnavailable) {
		t.Fatalf("emulator down: got %v, want ErrUnavailable", err)
	}
}
