package alibabakms

import (
	"context"
	"net/url"
	"strings"

	"github.com/multikms/multikms/internal/adapter"
	"github.com/multikms/multikms/kms"
)

// isDiscoveryURL reports whether u is a discovery form: region=* or a
// comma-separated list, or role_arn= (its parameters are checked by
// openDiscoveryURL).
func isDiscoveryURL(u *url.URL) bool {
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return false
	}
	r := q.Get("region")
	return r == AllRegions || strings.Contains(r, ",") || q.Has("role_arn") || q.Has("role_session_name") || q.Has("external_id") || q.Has("sts_endpoint")
}

// openDiscoveryURL opens alibabakms://?region=* (every region KMS
// DescribeRegions lists, asked from ALIBABA_CLOUD_REGION_ID),
// ?region=a,b (those regions) or either with role_arn=<RAM role ARN>
// (and external_id=, sts_endpoint=<https URL>), with endpoint=, profile=
// and rate= as in the one-region form, through DiscoverFromConfig. Every
// parameter is checked before any request, naming it, never quoting it.
func openDiscoveryURL(ctx context.Context, u *url.URL) (kms.Lister, error) {
	const op = "Open"
	q, err := adapter.ParseURL(u, urlSpec)
	if err != nil {
		return nil, err
	}
	d := Discovery{RoleARN: q.Get("role_arn"), RoleSessionName: q.Get("role_session_name"), ExternalID: q.Get("external_id"), STSEndpoint: q.Get("sts_endpoint")}
	if r := q.Get("region"); r != "" {
		d.Regions = strings.Split(r, ",")
	} else if q.Has("role_arn") {
		return nil, kms.InvalidArgument(provider, op, "region", "missing: give region=<id>, region=a,b or region=* with role_arn")
	}
	if err := checkDiscovery(op, d, urlNames); err != nil {
		return nil, err
	}
	var opts []Option
	if len(d.Regions) > 0 && d.Regions[0] == AllRegions {
		if home := firstEnv(envRegion); home == "" {
			return nil, kms.InvalidArgument(provider, op, "region", "region=* is discovered from the home region: set ALIBABA_CLOUD_REGION_ID")
		}
	} else {
		opts = append(opts, WithRegion(d.Regions[0]))
	}
	more, err := clientURLOptions(q)
	if err != nil {
		return nil, err
	}
	opts = append(opts, more...)
	f, err := DiscoverFromConfig(ctx, d, opts...)
	if err != nil {
		return nil, err // a nil kms.Lister, not a typed nil
	}
	return f, nil
}
