package alibabakms

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"

	"github.com/multikms/multikms/kms"
)

// codes maps the KMS error codes the references and the service error list
// name to portable codes; codePrefixes covers code families.
var codes = map[string]kms.Code{
	"InvalidParameter":            kms.CodeInvalidArgument,
	"MissingParameter":            kms.CodeInvalidArgument,
	"InvalidVersion":              kms.CodeInvalidArgument,
	"InvalidAction.NotFound":      kms.CodeUnsupported,
	"Forbidden.KeyNotFound":       kms.CodeNotFound,
	"Forbidden.ResourceNotFound":  kms.CodeNotFound,
	"Forbidden.AliasNotFound":     kms.CodeNotFound,
	"EntityNotExist.Key":          kms.CodeNotFound,
	"InvalidAccessKeyId.NotFound": kms.CodeUnauthenticated,
	"InvalidAccessKeyId":          kms.CodeUnauthenticated,
	"InvalidAccessKeyId.Inactive": kms.CodeUnauthenticated,
	"SignatureDoesNotMatch":       kms.CodeUnauthenticated,
	"IncompleteSignature":         kms.CodeUnauthenticated,
	"InvalidTimeStamp.Expired":    kms.CodeUnauthenticated,
	"Rejected.Throttling":         kms.CodeThrottled,
	"Throttling":                  kms.CodeThrottled,
	"Throttling.User":             kms.CodeThrottled,
	"Throttling.Api":              kms.CodeThrottled,
	"ServiceUnavailable":          kms.CodeUnavailable,
	"ServiceUnavailableError":     kms.CodeUnavailable,
	"InternalError":               kms.CodeUnavailable,
	"UnknownError":                kms.CodeUnavailable,
}

var codePrefixes = []struct {
	prefix string
	code   kms.Code
}{
	{"Throttling.", kms.CodeThrottled},
	{"InvalidSecurityToken.", kms.CodeUnauthenticated},
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
	case status >= 500:
		return kms.CodeUnavailable
	case status == 401:
		return kms.CodeUnauthenticated
	case status == 403:
		return kms.CodePermissionDenied
	case status == 404:
		return kms.CodeNotFound
	case status == 400:
		return kms.CodeInvalidArgument
	}
	return kms.CodeUnknown
}

// nativeError carries the SDK's error under a message that holds no
// credential: the SDK's own messages may quote the request URL (with the
// AccessKeyId and Signature) or the string to sign.
type nativeError struct {
	msg string
	err error
}

func (e *nativeError) Error() string { return e.msg }
func (e *nativeError) Unwrap() error { return e.err }

// mapError turns an SDK error of operation op into a *kms.Error. The
// caller's context errors (which caller.do returns as they are) pass
// through; the SDK's own read timeout, a wrapped deadline, is a transport
// failure.
func mapError(op string, err error) error {
	if err == nil || err == context.Canceled || err == context.DeadlineExceeded {
		return err
	}
	var se *sdkerrors.ServerError
	if errors.As(err, &se) {
		msg := fmt.Sprintf("%s (HTTP %d, RequestId %s): %s", se.ErrorCode(), se.HttpStatus(), se.RequestId(), scrub(serverMessage(se)))
		return kms.NewError(kms.ProviderAlibaba, op, codeOf(se.HttpStatus(), se.ErrorCode()), &nativeError{msg, se})
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		// Network failure: keep the reason, drop the URL.
		code := kms.CodeUnavailable
		var ne net.Error
		if !errors.As(ue.Err, &ne) && !strings.Contains(ue.Err.Error(), "connection") {
			code = kms.CodeUnknown
		}
		return kms.NewError(kms.ProviderAlibaba, op, code, &nativeError{fmt.Sprintf("%s request failed: %s", ue.Op, scrub(ue.Err.Error())), err})
	}
	var ce *sdkerrors.ClientError
	if errors.As(err, &ce) {
		code := kms.CodeUnknown
		if ce.ErrorCode() == sdkerrors.TimeoutErrorCode {
			code = kms.CodeUnavailable
		}
		return kms.NewError(kms.ProviderAlibaba, op, code, &nativeError{ce.ErrorCode() + ": " + scrub(ce.Message()), err})
	}
	return kms.NewError(kms.ProviderAlibaba, op, kms.CodeUnknown, &nativeError{scrub(err.Error()), err})
}

// serverMessage is the server's message, or its body when it sent no JSON.
func serverMessage(se *sdkerrors.ServerError) string {
	m := se.Message()
	if len(m) > 300 {
		m = m[:300] + "..."
	}
	return m
}

// scrub removes what could identify a credential from a message: the
// string to sign a SignatureDoesNotMatch answer quotes, and any
// AccessKeyId, Signature or SecurityToken parameter.
func scrub(msg string) string {
	if i := strings.Index(msg, "string to sign is:"); i >= 0 {
		msg = msg[:i] + "string to sign is: [redacted]"
	}
	for _, p := range []string{"AccessKeyId", "Signature", "SecurityToken", "BearerToken"} {
		msg = redactParam(msg, p)
	}
	return msg
}

// redactParam replaces the value of name=value (also %3D-encoded, as in a
// string to sign) in msg.
func redactParam(msg, name string) string {
	for _, sep := range []string{"=", "%3D", "%253D"} {
		key := name + sep
		for from := 0; ; {
			i := strings.Index(msg[from:], key)
			if i < 0 {
				break
			}
			start := from + i + len(key)
			end := start
			for end < len(msg) && !strings.ContainsRune("& \"'\n", rune(msg[end])) &&
				!strings.HasPrefix(msg[end:], "%26") && !strings.HasPrefix(msg[end:], "%2526") {
				end++
			}
			msg = msg[:start] + "[redacted]" + msg[end:]
			from = start + len("[redacted]")
		}
	}
	return msg
}
