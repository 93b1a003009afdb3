package yandexkms

import (
	"context"
	"errors"

	"github.com/yandex-cloud/go-sdk/pkg/grpcclient"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/multikms/multikms/kms"
)

var errTokenTooLong = errors.New("the cursor's page token is longer than the 100 characters the API allows")

// grpcCodes maps gRPC status codes to portable codes; any other is CodeUnknown.
var grpcCodes = map[codes.Code]kms.Code{
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
	return kms.NewError(kms.ProviderYandex, op, classify(err), err)
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

// isNotFound reports whether err is a portable NotFound error.
func isNotFound(err error) bool { return errors.Is(err, kms.ErrNotFound) }
