// Package urlpart tells which part of a URL failed to parse, without quoting
// the URL: a URL may hold a secret (a password, a token in a parameter), so
// kms.Open and the adapters' endpoint checks report the failing part only.
package urlpart

import (
	"errors"
	"net/url"
	"strings"
)

// Of says which part of a URL failed to parse in err (an error of url.Parse),
// never quoting it.
func Of(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var esc url.EscapeError
	var host url.InvalidHostError
	switch msg := err.Error(); {
	case errors.As(err, &esc):
		return "bad escape (a % not followed by two hexadecimal digits)"
	case errors.As(err, &host):
		return "bad host (a character not allowed in a host name)"
	case strings.Contains(msg, "port"):
		return "bad port (it must be digits after the host's colon)"
	case strings.Contains(msg, "control character"):
		return "bad character (a control character)"
	case strings.Contains(msg, "userinfo"):
		return "bad user info (credentials never go in a URL)"
	case strings.Contains(msg, "scheme"):
		return "bad scheme"
	case strings.Contains(msg, "colon"):
		return "bad scheme (a colon in the first path segment)"
	case strings.Contains(msg, "]") || strings.Contains(msg, "IP"):
		return "bad host (a malformed IP literal)"
	}
	return "malformed URL"
}
