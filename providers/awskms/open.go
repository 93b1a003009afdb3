package awskms

import (
	"context"
	"net/url"
	"slices"

	"github.com/multikms/multikms/internal/adapter"
	"github.com/multikms/multikms/kms"
)

// Scheme is the URL scheme kms.Open understands once this package is imported.
const Scheme = "awskms"

// URLParams are the parameters of an awskms:// URL for one account and
// Region (see the package doc); do not modify.
var URLParams = []string{"region", "endpoint", "profile", "rate"}

func init() { kms.Register(Scheme, openURL) }

// openURL opens awskms://?region=...&endpoint=...&profile=...&rate=... with
// NewFromConfig: the default credential chain, never credentials in the
// URL. Every check is made before any request; the Lister is a nil
// interface on error.
func openURL(ctx context.Context, u *url.URL) (kms.Lister, error) {
	if isFleetURL(u) { // region=*, a Region list, a role or an organization: NewFleet
		return openFleetURL(ctx, u)
	}
	opts, err := urlOptions(u)
	if err != nil {
		return nil, err
	}
	l, err := NewFromConfig(ctx, opts...)
	if err != nil {
		return nil, err
	}
	return l, nil
}

// urlOptions turns the URL's parameters into options, refusing unknown,
// repeated or empty ones and bad values, naming them, without quoting them.
func urlOptions(u *url.URL) ([]Option, error) {
	// The discovery parameters are known too (a typo's error lists them);
	// a URL with any of them went to openFleetURL.
	q, err := adapter.ParseURL(u, adapter.URLSpec{Provider: kms.ProviderAWS, Params: append(slices.Clone(URLParams), FleetURLParams...)})
	if err != nil {
		return nil, err
	}
	var opts []Option
	if v := q.Get("region"); v != "" {
		if !regionRe.MatchString(v) {
			return nil, kms.InvalidArgument(kms.ProviderAWS, "Open", "region", "must be an AWS Region name such as eu-west-1")
		}
		opts = append(opts, WithRegion(v))
	}
	if v := q.Get("endpoint"); v != "" {
		e, err := adapter.ParseEndpoint(kms.ProviderAWS, "Open", "endpoint", v)
		if err != nil {
			return nil, err
		}
		opts = append(opts, WithEndpoint(e.String()))
	}
	if v := q.Get("profile"); v != "" {
		opts = append(opts, WithProfile(v))
	}
	if v := q.Get("rate"); v != "" {
		r, err := adapter.ParseRate(kms.ProviderAWS, "rate", v)
		if err != nil {
			return nil, err
		}
		opts = append(opts, WithRateLimit(r, max(1, int(r/20))))
	}
	return opts, nil
}
