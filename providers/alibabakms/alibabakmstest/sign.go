package alibabakmstest

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/url"
	"sort"
	"strings"
)

// percentEncode encodes s as the RPC signature algorithm requires (RFC 3986:
// only A-Z a-z 0-9 - _ . ~ stay as they are, space is %20).
func percentEncode(s string) string {
	e := url.QueryEscape(s)
	e = strings.ReplaceAll(e, "+", "%20")
	e = strings.ReplaceAll(e, "*", "%2A")
	return strings.ReplaceAll(e, "%7E", "~")
}

// StringToSign returns the RPC string to sign of a request: the method,
// "/" and the sorted, percent-encoded parameters (all but Signature).
func StringToSign(method string, params url.Values) string {
	names := make([]string, 0, len(params))
	for name := range params {
		if name != "Signature" {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	var b strings.Builder
	for i, name := range names {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(percentEncode(name))
		b.WriteByte('=')
		b.WriteString(percentEncode(params.Get(name)))
	}
	return method + "&" + percentEncode("/") + "&" + percentEncode(b.String())
}

// Sign returns the HMAC-SHA1 signature of stringToSign under the AccessKey
// secret, base64-encoded, as the RPC style defines it.
func Sign(stringToSign, secret string) string {
	mac := hmac.New(sha1.New, []byte(secret+"&"))
	mac.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
