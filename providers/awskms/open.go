package awskms

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"github.com/multikms/multikms/kms"
)

// Scheme is the URL scheme kms.Open understands once this package is imported.
const Scheme = "awskms"

func init() { kms.Register(Scheme, openURL) }

// openURL opens awskms://?region=<region>&profile=<profile>&endpoint=<url>
// (every parameter optional) with NewFromConfig: the default credential
// chain, never credentials in the URL.
func openURL(ctx context.Context, u *url.URL) (kms.Lister, error) {
	bad := func(format string, args ...any) error {
		return kms.InvalidArgument(kms.ProviderAWS, "Open", "url", format, args...)
	}
	if u.User != nil || u.Host != "" || strings.Trim(u.Path, "/") != "" || u.Opaque != "" {
		return nil, bad("want awskms://?region=...&profile=...&endpoint=... with no user, host or path")
	}
	var opts []Option
	keys := make([]string, 0, len(u.Query()))
	for k := range u.Query() {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		vs := u.Query()[k]
		if len(vs) != 1 || vs[0] == "" {
			return nil, bad("parameter %q must be given once, non-empty", k)
		}
		v := vs[0]
		switch k {
		case "region":
			opts = append(opts, WithRegion(v))
		case "profile":
			opts = append(opts, WithProfile(v))
		case "endpoint":
			e, err := url.Parse(v)
			if err != nil || (e.Scheme != "https" && e.Scheme != "http") || e.Host == "" || e.User != nil {
				return nil, bad("endpoint must be an http(s) URL with a host and no user info")
			}
			opts = append(opts, WithEndpoint(v))
		default:
			return nil, bad("unknown parameter %q (known: region, profile, endpoint)", k)
		}
	}
	return NewFromConfig(ctx, opts...)
}
