package awskms

import (
	"context"
	"errors"
	"reflect"
	"regexp"
	"strings"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/multikms/multikms/kms"
)

// What a server's message may echo of the request that must not reach an
// error: AWS answers a bad signature with the canonical request and the
// string to sign (which hold the session token's header), and a hostile
// server may echo anything.
var (
	echoRe      = regexp.MustCompile(`(?is)(the canonical string for this request should have been|the string-to-sign should have been|canonical request|string to sign).*`)
	tokenRe     = regexp.MustCompile(`(?i)(x-amz-security-token\s*[:=]\s*)[^\s&,;'"]+`)
	signatureRe = regexp.MustCompile(`(?i)(signature\s*=\s*)[0-9a-f]{16,}`)
)

const redacted = "[redacted]"

// redact removes secrets and request echoes from a message.
func redact(msg string, secrets []string) string {
	for _, s := range secrets {
		msg = strings.ReplaceAll(msg, s, redacted)
	}
	msg = echoRe.ReplaceAllString(msg, "${1} "+redacted)
	msg = tokenRe.ReplaceAllString(msg, "${1}"+redacted)
	return signatureRe.ReplaceAllString(msg, "${1}"+redacted)
}

// scrub makes err safe to log: the messages of the native errors in its
// chain are redacted in place (the errors keep their types and codes, so
// errors.As still finds them), the request kept by an HTTP response error
// loses its credential headers, a deserialization error its body snapshot.
// Should a secret still show (in an error type it cannot edit), the native
// error is replaced by its redacted message.
func scrub(err error, secrets []string) error {
	if err == nil {
		return nil
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		scrubOne(e, secrets)
	}
	msg := err.Error()
	if clean := redact(msg, secrets); clean != msg {
		var ke *kms.Error
		if errors.As(err, &ke) {
			return kms.NewError(ke.Provider, ke.Op, ke.Code, errors.New(strings.TrimPrefix(clean, "kms: ")))
		}
		return errors.New(clean)
	}
	return err
}

func scrubOne(e error, secrets []string) {
	switch v := e.(type) {
	case *smithy.GenericAPIError:
		v.Message = redact(v.Message, secrets)
	case *smithy.DeserializationError:
		v.Snapshot = nil
	case *awshttp.ResponseError:
		if v.Response != nil && v.Response.Response != nil && v.Response.Request != nil {
			req := v.Response.Request.Clone(context.Background())
			req.Header.Del("Authorization")
			req.Header.Del("X-Amz-Security-Token")
			v.Response.Request = req
		}
	case smithy.APIError:
		setMessage(v, redact(v.ErrorMessage(), secrets))
	}
}

// setMessage sets the Message field (a *string) of a modelled AWS error
// (*types.NotFoundException and the like, all of that shape).
func setMessage(e any, msg string) {
	rv := reflect.ValueOf(e)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return
	}
	f := rv.Elem().FieldByName("Message")
	if f.IsValid() && f.CanSet() && f.Type() == reflect.TypeOf((*string)(nil)) && !f.IsNil() && *f.Interface().(*string) != msg {
		f.Set(reflect.ValueOf(&msg))
	}
}
