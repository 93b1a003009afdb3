package awskmstest

import (
	"net/http"
	"strings"
)

// The shapes the server checks on every request, as scanners rather than
// regular expressions (sigv4_test.go checks each against the expression it
// replaces, which the comments give).

// header returns the first value of a header by its canonical name (the
// server canonicalizes the names of what arrives): Header.Get without the
// canonicalization.
func header(r *http.Request, canonical string) string {
	if v := r.Header[canonical]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// authParams returns the Credential, SignedHeaders and Signature
// parameters of an Authorization header (after its algorithm): a
// comma-separated list of name=value, spaces around each trimmed; the last
// of a repeated name wins; a missing one is "".
func authParams(rest string) (credential, signed, signature string) {
	for p := range strings.SplitSeq(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		switch k {
		case "Credential":
			credential = v
		case "SignedHeaders":
			signed = v
		case "Signature":
			signature = v
		}
	}
	return credential, signed, signature
}

// parseCredential checks a KMS credential scope,
// ^\w{4,128}/(\d{8})/([a-z0-9-]+)/kms/aws4_request$, and returns its date
// and Region.
func parseCredential(c string) (date, region string, ok bool) {
	_, date, region, service, ok := parseScope(c)
	if !ok || service != "kms" {
		return "", "", false
	}
	return date, region, true
}

// parseScope checks a credential scope of any service,
// ^(\w{4,128})/(\d{8})/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request$, and returns
// its parts.
func parseScope(c string) (akid, date, region, service string, ok bool) {
	akid, rest, _ := strings.Cut(c, "/")
	date, rest, _ = strings.Cut(rest, "/")
	region, rest, _ = strings.Cut(rest, "/")
	service, rest, _ = strings.Cut(rest, "/")
	if rest != "aws4_request" || len(akid) < 4 || len(akid) > 128 || len(date) != 8 ||
		region == "" || service == "" || !allLowerDigitDash(region) || !allLowerDigitDash(service) {
		return "", "", "", "", false
	}
	for i := range len(akid) {
		if !isWord(akid[i]) {
			return "", "", "", "", false
		}
	}
	for i := range len(date) {
		if !isDigit(date[i]) {
			return "", "", "", "", false
		}
	}
	return akid, date, region, service, true
}

// signedHeadersOK checks SignedHeaders, ^[a-z0-9-]+(;[a-z0-9-]+)*$, and
// that it names host and x-amz-date.
func signedHeadersOK(signed string) bool {
	var host, date bool
	for h := range strings.SplitSeq(signed, ";") {
		if h == "" || !allLowerDigitDash(h) {
			return false
		}
		host = host || h == "host"
		date = date || h == "x-amz-date"
	}
	return host && date
}

// isSignature checks ^[0-9a-f]{64}$.
func isSignature(s string) bool {
	return len(s) == 64 && allLowerHex(s)
}

// isKeyID checks a key ID, ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$
// (a UUID) or ^mrk-[0-9a-f]{32}$ (a multi-Region key).
func isKeyID(id string) bool {
	if hex, ok := strings.CutPrefix(id, "mrk-"); ok {
		return len(hex) == 32 && allLowerHex(hex)
	}
	if len(id) != 36 {
		return false
	}
	for i := range len(id) {
		switch i {
		case 8, 13, 18, 23:
			if id[i] != '-' {
				return false
			}
		default:
			if !isLowerHex(id[i]) {
				return false
			}
		}
	}
	return true
}

// isAliasName checks ^alias/[a-zA-Z0-9:/_-]+$.
func isAliasName(name string) bool {
	rest, ok := strings.CutPrefix(name, "alias/")
	if !ok || rest == "" {
		return false
	}
	for i := range len(rest) {
		c := rest[i]
		if !isWord(c) && c != ':' && c != '/' && c != '-' {
			return false
		}
	}
	return true
}

func allLowerDigitDash(s string) bool {
	for i := range len(s) {
		if c := s[i]; !(c >= 'a' && c <= 'z' || isDigit(c) || c == '-') {
			return false
		}
	}
	return true
}

func allLowerHex(s string) bool {
	for i := range len(s) {
		if !isLowerHex(s[i]) {
			return false
		}
	}
	return true
}

func isLowerHex(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isWord is \w of RE2: an ASCII letter, digit or underscore.
func isWord(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || c == '_'
}
