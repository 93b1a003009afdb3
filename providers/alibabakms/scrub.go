package alibabakms

import (
	"encoding/json"
	"errors"
	"net/url"
	"regexp"
	"strings"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
)

// The SDK's errors may carry credentials: a SignatureDoesNotMatch answer
// quotes the server's string to sign (with the AccessKeyId and the STS
// SecurityToken, percent-encoded), a transport failure the request URL
// (with AccessKeyId, Signature and SecurityToken in its query), and a
// server may echo anything. scrubbed rebuilds the native errors of the
// SDK's own types (*errors.ServerError, *errors.ClientError, *url.Error)
// with every such part removed, keeping their codes, status and request
// IDs, so that errors.As to them still works and logging them leaks
// nothing.

// secretParams are the request parameters that identify or prove a
// credential.
var secretParams = []string{"AccessKeyId", "AccessKeySecret", "Signature", "SecurityToken", "BearerToken"}

const redacted = "[redacted]"

// scrubbed returns err rebuilt without credentials; secrets are the values
// the request carried (AccessKeyId, SecurityToken, Signature), removed
// wherever they appear.
func scrubbed(err error, secrets []string) error {
	var se *sdkerrors.ServerError
	if errors.As(err, &se) {
		return rebuildServer(se, secrets)
	}
	var ce *sdkerrors.ClientError
	if errors.As(err, &ce) {
		var origin error
		if o := ce.OriginError(); o != nil {
			origin = scrubbed(o, secrets)
		}
		return sdkerrors.NewClientError(ce.ErrorCode(), scrub(ce.Message(), secrets), origin)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return &url.Error{Op: ue.Op, URL: bareURL(ue.URL), Err: scrubbedLeaf(ue.Err, secrets)}
	}
	return scrubbedLeaf(err, secrets)
}

// scrubbedLeaf keeps err if its message holds nothing to remove (so that
// errors.Is still reaches what it wraps), else replaces it by its scrubbed
// message.
func scrubbedLeaf(err error, secrets []string) error {
	if msg := err.Error(); scrub(msg, secrets) != msg {
		return errors.New(scrub(msg, secrets))
	}
	return err
}

// rebuildServer returns a ServerError with se's status, code, request and
// host IDs, and its message, recommendation and access-denied detail
// scrubbed; its response headers are left out.
func rebuildServer(se *sdkerrors.ServerError, secrets []string) *sdkerrors.ServerError {
	msg := se.Message()
	if len(msg) > 300 {
		msg = strings.ToValidUTF8(msg[:300], "") + "..."
	}
	body := map[string]any{
		"RequestId": scrub(se.RequestId(), secrets), "HostId": scrub(se.HostId(), secrets),
		"Code": scrub(se.ErrorCode(), secrets), "Recommend": scrub(se.Recommend(), secrets),
		"Message": scrub(msg, secrets),
	}
	if d := se.AccessDeniedDetail(); d != nil {
		if b, err := json.Marshal(d); err == nil {
			var clean map[string]any
			if json.Unmarshal([]byte(scrub(string(b), secrets)), &clean) == nil {
				body["AccessDeniedDetail"] = clean
			}
		}
	}
	b, _ := json.Marshal(body) // strings and maps of strings: cannot fail
	return sdkerrors.NewServerError(se.HttpStatus(), string(b), scrub(se.Comment(), secrets)).(*sdkerrors.ServerError)
}

// bareURL is u without user info, query or fragment.
func bareURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return redacted
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}

var userInfo = regexp.MustCompile(`://[^/?#@\s]*@`)

// scrub removes from msg what could identify or prove a credential: the
// string to sign a SignatureDoesNotMatch answer quotes, the value of every
// secret parameter (plain or percent-encoded, as in a string to sign), the
// user info of URLs, and each of the request's secret values wherever it
// appears.
func scrub(msg string, secrets []string) string {
	if i := strings.Index(msg, "string to sign is:"); i >= 0 {
		msg = msg[:i] + "string to sign is: " + redacted
	}
	for _, p := range secretParams {
		msg = redactParam(msg, p)
	}
	msg = userInfo.ReplaceAllString(msg, "://"+redacted+"@")
	for _, s := range secrets {
		if len(s) < 4 {
			continue
		}
		for _, form := range []string{s, url.QueryEscape(s), url.QueryEscape(url.QueryEscape(s)), url.PathEscape(s)} {
			msg = strings.ReplaceAll(msg, form, redacted)
		}
	}
	return msg
}

// redactParam replaces the value of name=value (also %3D-encoded, as in a
// string to sign) in msg.
func redactParam(msg, name string) string {
	for _, sep := range []string{"=", "%3D", "%253D", `":"`, `": "`} {
		key := name + sep
		for from := 0; ; {
			i := strings.Index(msg[from:], key)
			if i < 0 {
				break
			}
			start := from + i + len(key)
			end := start
			for end < len(msg) && !strings.ContainsRune("& \"'\n,}", rune(msg[end])) &&
				!strings.HasPrefix(msg[end:], "%26") && !strings.HasPrefix(msg[end:], "%2526") {
				end++
			}
			msg = msg[:start] + redacted + msg[end:]
			from = start + len(redacted)
		}
	}
	return msg
}
