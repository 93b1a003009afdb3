package awskms

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/multikms/multikms/kms"
)

var (
	errNoMetadata  = errors.New("answer without KeyMetadata")
	errMarkerShape = errors.New("the cursor's marker is not 1..1024 characters in U+0020..U+00FF")
)

// codes maps AWS error codes (the __type of the answer) to portable codes.
var codes = map[string]kms.Code{
	"NotFoundException":                   kms.CodeNotFound,
	"InvalidArnException":                 kms.CodeInvalidArgument,
	"ValidationException":                 kms.CodeInvalidArgument,
	"InvalidGrantTokenException":          kms.CodeInvalidArgument,
	"InvalidAliasNameException":           kms.CodeInvalidArgument,
	"InvalidMarkerException":              kms.CodeInvalidCursor,
	"KMSInvalidStateException":            kms.CodeUnsupported,
	"UnsupportedOperationException":       kms.CodeUnsupported,
	"DependencyTimeoutException":          kms.CodeUnavailable,
	"KMSInternalException":                kms.CodeUnavailable,
	"ServiceUnavailableException":         kms.CodeUnavailable,
	"InternalFailure":                     kms.CodeUnavailable,
	"AccessDeniedException":               kms.CodePermissionDenied,
	"ThrottlingException":                 kms.CodeThrottled,
	"Throttling":                          kms.CodeThrottled,
	"RequestLimitExceeded":                kms.CodeThrottled,
	"TooManyRequestsException":            kms.CodeThrottled,
	"UnrecognizedClientException":         kms.CodeUnauthenticated,
	"InvalidSignatureException":           kms.CodeUnauthenticated,
	"IncompleteSignatureException":        kms.CodeUnauthenticated,
	"MissingAuthenticationTokenException": kms.CodeUnauthenticated,
	"ExpiredTokenException":               kms.CodeUnauthenticated,
	"InvalidClientTokenId":                kms.CodeUnauthenticated,
}

// mapError turns an SDK error into a *kms.Error of the right Code, keeping
// the native error reachable with errors.As. When ctx is done, its error is
// returned as it is; a timeout that is not ctx's (a dial or header timeout
// of the HTTP client) is a retryable transport failure.
func mapError(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	return kms.NewError(kms.ProviderAWS, op, classify(err), err)
}

func classify(err error) kms.Code {
	var creds *credentialsError
	switch {
	case errors.As(err, &creds):
		return kms.CodeUnauthenticated
	case errors.Is(err, errResponseTooLarge):
		return kms.CodeUnknown // a broken or hostile server: not worth a retry
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		if c, ok := codes[ae.ErrorCode()]; ok {
			return c
		}
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		switch s := re.HTTPStatusCode(); {
		case s == http.StatusTooManyRequests:
			return kms.CodeThrottled
		case s == http.StatusUnauthorized:
			return kms.CodeUnauthenticated
		case s == http.StatusForbidden:
			return kms.CodePermissionDenied
		case s == http.StatusNotImplemented:
			return kms.CodeUnsupported // never retried
		case s >= 500:
			return kms.CodeUnavailable
		}
	}
	var sendErr *smithyhttp.RequestSendError
	var netErr net.Error
	var params smithy.InvalidParamsError
	switch {
	case errors.As(err, &sendErr), errors.As(err, &netErr),
		errors.Is(err, net.ErrClosed), errors.Is(err, io.ErrUnexpectedEOF):
		// The request did not get through, or its answer was cut off:
		// the calls are reads, safe to send again.
		return kms.CodeUnavailable
	case errors.As(err, &params):
		return kms.CodeInvalidArgument
	}
	return kms.CodeUnknown
}
