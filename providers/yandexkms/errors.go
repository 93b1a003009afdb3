package yandexkms

import (
	"context"
	"errors"
	"strings"

	"github.com/yandex-cloud/go-sdk/pkg/grpcclient"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

var (
	errTokenTooLong = errors.New("the cursor's page token is not valid UTF-8 or longer than the 100 characters the API allows")
	errNextTooLong  = errors.New("the server answered a next page token longer than the 100 characters the API allows")
)

// grpcCodes maps gRPC status codes to portable codes; any other is
// CodeUnknown. CANCELLED comes here only while the caller's context is alive
// (mapError returns the context's own error once it is done): an RPC that
// gRPC or the SDK cancelled under the call (work the SDK shares between
// calls, such as its first endpoint discovery, ends with the context of
// the call that started it), or a request the server abandoned. Either is
// transient: ErrUnavailable, retried.
var grpcCodes = map[codes.Code]kms.Code{
	codes.Canceled:           kms.CodeUnavailable,
	codes.NotFound:           kms.CodeNotFound,
	codes.InvalidArgument:    kms.CodeInvalidArgument,
	codes.OutOfRange:         kms.CodeInvalidArgument,
	codes.PermissionDenied:   kms.CodePermissionDenied,
	codes.Unauthenticated:    kms.CodeUnauthenticated,
	codes.ResourceExhausted:  kms.CodeThrottled,
	codes.Unavailable:        kms.CodeUnavailable,
	codes.DeadlineExceeded:   kms.CodeUnavailable,
	codes.Internal:           kms.CodeUnavailable,
	codes.FailedPrecondition: kms.CodeUnsupported,
	codes.Unimplemented:      kms.CodeUnsupported,
}

// badAnswer marks an answer the client could not take (it failed to
// decode, was larger than the gRPC client accepts, or broke the API's
// limits): ErrUnavailable, but never retried, since the same answer would
// come again. Unwrap gives the native error (the gRPC status).
type badAnswer struct{ error }

func (b badAnswer) Unwrap() error { return b.error }

// mapError turns an SDK error into a *kms.Error of the right Code whose
// Unwrap is the gRPC status error (status.FromError and errors.As find it).
// When ctx is done, its error is returned as it is, whatever gRPC made of it.
func mapError(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if code, ok := clientSide(err); ok {
		if code == kms.CodeUnavailable {
			err = badAnswer{err}
		}
		return kms.NewError(kms.ProviderYandex, op, code, err)
	}
	return kms.NewError(kms.ProviderYandex, op, classify(err), err)
}

// clientSide recognises the errors gRPC makes about a message rather than
// a server's verdict on the request: a message that could not be encoded
// or decoded, or was larger than the client takes. Their codes (INTERNAL,
// RESOURCE_EXHAUSTED) would otherwise read as a server fault or throttling
// and be retried, but the same message would fail again: an answer the
// client cannot take, or one the server could not encode (the server's
// gRPC answers INTERNAL "error while marshaling" then) are ErrUnavailable,
// never retried (badAnswer); a request too large to send is
// ErrInvalidArgument. Every field of a request is checked before it is sent
// (IDs, page size, page token), so a request the client cannot encode does
// not arise.
func clientSide(err error) (kms.Code, bool) {
	st, ok := status.FromError(err)
	if !ok {
		return 0, false
	}
	msg := st.Message()
	switch st.Code() {
	case codes.Internal:
		for _, p := range []string{"grpc: error while marshaling", "grpc: failed to unmarshal", "grpc: failed to decompress"} {
			if strings.HasPrefix(msg, p) {
				return kms.CodeUnavailable, true
			}
		}
	case codes.ResourceExhausted:
		switch {
		case strings.HasPrefix(msg, "grpc: received message"):
			return kms.CodeUnavailable, true
		case strings.HasPrefix(msg, "grpc: message too large"):
			return kms.CodeInvalidArgument, true
		}
	}
	return 0, false
}

func classify(err error) kms.Code {
	if st, ok := status.FromError(err); ok {
		return grpcCodes[st.Code()]
	}
	var dial *grpcclient.DialError
	if errors.As(err, &dial) {
		return kms.CodeUnavailable
	}
	return kms.CodeUnknown
}

// retryPolicy is r with a Retryable that never retries a bad answer.
func retryPolicy(r pagination.Retry) pagination.Retry {
	retryable := r.Retryable
	if retryable == nil {
		retryable = pagination.IsRetryable
	}
	r.Retryable = func(err error) bool {
		var b badAnswer
		return !errors.As(err, &b) && retryable(err)
	}
	return r
}

// isNotFound reports whether err is a portable NotFound error.
func isNotFound(err error) bool { return errors.Is(err, kms.ErrNotFound) }
