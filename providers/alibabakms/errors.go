package alibabakms

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"

	"github.com/multikms/multikms/kms"
)

// codes maps the KMS error codes the references and the service error list
// name to portable codes; codePrefixes covers code families.
var codes = map[string]kms.Code{
	"InvalidParameter":               kms.CodeInvalidArgument,
	"MissingParameter":               kms.CodeInvalidArgument,
	"InvalidVersion":                 kms.CodeInvalidArgument,
	"InvalidAction.NotFound":         kms.CodeUnsupported,
	"UnsupportedOperation":           kms.CodeUnsupported,
	"Forbidden.KeyNotFound":          kms.CodeNotFound,
	"Forbidden.ResourceNotFound":     kms.CodeNotFound,
	"Forbidden.AliasNotFound":        kms.CodeNotFound,
	"EntityNotExist.Key":             kms.CodeNotFound,
	"InvalidAccessKeyId.NotFound":    kms.CodeUnauthenticated,
	"InvalidAccessKeyId":             kms.CodeUnauthenticated,
	"InvalidAccessKeyId.Inactive":    kms.CodeUnauthenticated,
	"InvalidAccessKeySecret":         kms.CodeUnauthenticated,
	"Forbidden.AccessKeyDisabled":    kms.CodeUnauthenticated,
	"SignatureDoesNotMatch":          kms.CodeUnauthenticated,
	"IncompleteSignature":            kms.CodeUnauthenticated,
	"InvalidTimeStamp.Expired":       kms.CodeUnauthenticated,
	"MissingSecurityToken":           kms.CodeUnauthenticated,
	"Rejected.Throttling":            kms.CodeThrottled,
	"Throttling":                     kms.CodeThrottled,
	"Throttling.User":                kms.CodeThrottled,
	"Throttling.Api":                 kms.CodeThrottled,
	"ServiceUnavailable":             kms.CodeUnavailable,
	"ServiceUnavailableError":        kms.CodeUnavailable,
	"InternalError":                  kms.CodeUnavailable,
	"UnknownError":                   kms.CodeUnavailable,
	sdkerrors.JsonUnmarshalErrorCode: kms.CodeUnavailable,
	sdkerrors.TimeoutErrorCode:       kms.CodeUnavailable,
}

var codePrefixes = []struct {
	prefix string
	code   kms.Code
}{
	{"Throttling.", kms.CodeThrottled},
	{"InvalidSecurityToken", kms.CodeUnauthenticated},
	{"InvalidAccessKeyId.", kms.CodeUnauthenticated},
	{"Unsupported", kms.CodeUnsupported},
	{"InvalidParameter.", kms.CodeInvalidArgument},
	{"Missing", kms.CodeInvalidArgument},
	{"Forbidden.", kms.CodePermissionDenied},
	{"NoPermission", kms.CodePermissionDenied},
}

// codeOf returns the portable code of an Alibaba error code and HTTP status.
func codeOf(status int, code string) kms.Code {
	if c, ok := codes[code]; ok {
		return c
	}
	for _, p := range codePrefixes {
		if strings.HasPrefix(code, p.prefix) {
			return p.code
		}
	}
	switch {
	case status == 429:
		return kms.CodeThrottled
	case status == 501:
		return kms.CodeUnsupported
	case status >= 500:
		return kms.CodeUnavailable
	case status == 401:
		return kms.CodeUnauthenticated
	case status == 403:
		return kms.CodePermissionDenied
	case status == 404:
		return kms.CodeNotFound
	case status == 400, status == 413, status == 414, status == 431:
		return kms.CodeInvalidArgument
	}
	return kms.CodeUnknown
}

// nativeError carries the (scrubbed) native error under a one-line
// message that holds no credential.
type nativeError struct {
	msg string
	err error
}

func (e *nativeError) Error() string { return e.msg }
func (e *nativeError) Unwrap() error { return e.err }

// mapError turns an SDK error of operation op into a *kms.Error whose
// whole chain is scrubbed of credentials (see scrubbed); info is what the
// transport saw of the request. The caller's context errors
// (which caller.do returns as they are) pass through; the SDK's own read
// timeout, a wrapped deadline, is a transport failure.
func mapError(op string, err error, info callInfo) error {
	if err == nil || err == context.Canceled || err == context.DeadlineExceeded {
		return err
	}
	var ke *kms.Error
	if errors.As(err, &ke) {
		return err
	}
	native := scrubbed(err, info.secrets())
	var se *sdkerrors.ServerError
	if errors.As(native, &se) {
		msg := fmt.Sprintf("%s (HTTP %d, RequestId %s): %s", se.ErrorCode(), se.HttpStatus(), se.RequestId(), se.Message())
		return kms.NewError(provider, op, codeOf(se.HttpStatus(), se.ErrorCode()), &nativeError{oneLine(msg), native})
	}
	code := kms.CodeUnknown
	var ce *sdkerrors.ClientError
	var ne net.Error
	var ue *url.Error
	switch {
	case errors.Is(err, errTooLarge):
		code = kms.CodeUnavailable
	case !info.reached:
		// The SDK failed before sending: it could not sign, for want of
		// credentials (the region and endpoint are checked before).
		code = kms.CodeUnauthenticated
		if strings.Contains(err.Error(), "regionId") || strings.Contains(err.Error(), "endpoint") {
			code = kms.CodeInvalidArgument
		}
	case errors.As(err, &ce):
		code = codeOf(0, ce.ErrorCode())
	case errors.As(err, &ne), errors.As(err, &ue), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		code = kms.CodeUnavailable
	}
	return kms.NewError(provider, op, code, &nativeError{oneLine(native.Error()), native})
}

// malformed is the error of an answer that parsed but is not what the API
// returns (no RequestId, an ID that is not one): a broken server or proxy.
func malformed(op, format string, args ...any) error {
	return kms.NewError(provider, op, kms.CodeUnavailable, fmt.Errorf("malformed answer: "+format, args...))
}

// oneLine makes msg one valid-UTF-8 line of at most 400 bytes.
func oneLine(msg string) string {
	msg = strings.ToValidUTF8(msg, "\uFFFD")
	msg = strings.Join(strings.Fields(msg), " ")
	if len(msg) > 400 {
		msg = strings.ToValidUTF8(msg[:400], "") + "..."
	}
	return msg
}
