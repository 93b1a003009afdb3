package adapter

import (
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/multikms/multikms/internal/urlpart"
	"github.com/multikms/multikms/kms"
)

// URLSpec says what URL an adapter's kms.Open accepts.
type URLSpec struct {
	Provider kms.Provider
	// Params are the query parameters allowed, each at most once.
	Params []string
	// Repeatable are the parameters that may be given more than once.
	Repeatable []string
	// Host names what the URL's host is (such as "folder ID"); "" means the
	// URL must have no host.
	Host string
}

// Query is a parsed URL: its host and its parameters.
type Query struct {
	Host   string
	Values url.Values
}

// Get returns the value of a parameter given once, or "".
func (q Query) Get(name string) string { return q.Values.Get(name) }

// Has reports whether the parameter was given.
func (q Query) Has(name string) bool { return q.Values.Has(name) }

// ParseURL checks u strictly against spec: no user info (never echoed), no
// opaque part or path, a host only where spec names one, no unknown,
// repeated or empty parameter, each refused naming it, before any request.
// Parameter values are never quoted in errors: they may hold a secret.
func ParseURL(u *url.URL, spec URLSpec) (Query, error) {
	bad := func(param, format string, args ...any) (Query, error) {
		return Query{}, kms.InvalidArgument(spec.Provider, "Open", param, format, args...)
	}
	switch {
	case u.User != nil:
		return bad("url", "must not carry user info or credentials; use the cloud's credential chain")
	case u.Opaque != "":
		return bad("url", "want %s://%s?%s", u.Scheme, hostHint(spec), strings.Join(spec.Params, "=...&")+"=...")
	case strings.Trim(u.Path, "/") != "":
		return bad("url", "must have no path")
	case u.Fragment != "":
		return bad("url", "must have no fragment")
	case spec.Host == "" && u.Host != "":
		return bad("url", "must have no host; give parameters only, such as %s://?%s=...", u.Scheme, first(spec.Params))
	case spec.Host != "" && u.Port() != "":
		return bad("url", "the host is the %s and takes no port", spec.Host)
	}
	vals, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return bad("url", "malformed query (bad escape or separator)")
	}
	names := make([]string, 0, len(vals))
	for k := range vals {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		vs := vals[k]
		if !slices.Contains(spec.Params, k) {
			return bad(k, "unknown URL parameter (known: %s)", strings.Join(spec.Params, ", "))
		}
		if len(vs) > 1 && !slices.Contains(spec.Repeatable, k) {
			return bad(k, "URL parameter given %d times; give it once", len(vs))
		}
		for _, v := range vs {
			if v == "" {
				return bad(k, "URL parameter must not be empty")
			}
		}
	}
	return Query{Host: u.Host, Values: vals}, nil
}

func hostHint(spec URLSpec) string {
	if spec.Host == "" {
		return ""
	}
	return "<" + strings.ReplaceAll(spec.Host, " ", "-") + ">"
}

func first(s []string) string {
	if len(s) == 0 {
		return "param"
	}
	return s[0]
}

// ParseRate parses a rate parameter: a finite number in (0, MaxRate].
func ParseRate(p kms.Provider, param, v string) (float64, error) {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f != f || f <= 0 || f > MaxRate {
		return 0, kms.InvalidArgument(p, "Open", param, "must be a finite number of requests a second in (0, %g]", MaxRate)
	}
	return f, nil
}

// ParseEndpoint checks an endpoint given as a full URL: https://host[:port],
// or http://host[:port] only for a loopback or private host (an emulator, a
// private installation); no user info, path, query or fragment. The URL is
// never echoed. op and param name the caller (such as "Open", "endpoint").
func ParseEndpoint(p kms.Provider, op, param, raw string) (*url.URL, error) {
	bad := func(format string, args ...any) (*url.URL, error) {
		return nil, kms.InvalidArgument(p, op, param, format, args...)
	}
	if !strings.Contains(raw, "://") {
		return bad("must be a full URL with its scheme, such as https://host[:port]")
	}
	e, err := url.Parse(raw)
	if err != nil {
		return bad("malformed URL (%s)", urlpart.Of(err))
	}
	switch {
	case e.User != nil:
		return bad("must not carry user info")
	case e.Host == "" || e.Hostname() == "":
		return bad("must have a host")
	case strings.Trim(e.Path, "/") != "" || e.RawQuery != "" || e.Fragment != "":
		return bad("must have no path, query or fragment")
	}
	if port := e.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return bad("port must be 1..65535")
		}
	}
	switch strings.ToLower(e.Scheme) {
	case "https":
	case "http":
		if !IsPrivateHost(e.Hostname()) {
			return bad("plain http is allowed only for loopback or private hosts; use https")
		}
	default:
		return bad("scheme must be https (or http for a loopback or private host)")
	}
	e.Scheme = strings.ToLower(e.Scheme)
	return e, nil
}

// IsPrivateHost reports whether host is localhost, a loopback, private or
// link-local address: where plain text may be asked for.
func IsPrivateHost(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	a, err := netip.ParseAddr(strings.Trim(host, "[]"))
	if err != nil {
		return false
	}
	return a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast()
}
