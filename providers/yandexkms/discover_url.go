package yandexkms

import (
	"context"
	"net/url"

	"github.com/multikms/multikms/internal/adapter"
	"github.com/multikms/multikms/kms"
)

// URL parameters of the discovery forms of yandexkms:// URLs.
var discoveryURLSpec = adapter.URLSpec{
	Provider: kms.ProviderYandex,
	Params:   []string{"cloud", "organization", "endpoint", "rate"},
}

// isDiscoveryURL reports whether u is one of the discovery forms: it names
// a cloud or an organization (its other parameters and host are checked by
// openDiscoveryURL).
func isDiscoveryURL(u *url.URL) bool {
	q, err := url.ParseQuery(u.RawQuery)
	return err == nil && (q.Has("cloud") || q.Has("organization"))
}

// openDiscoveryURL opens yandexkms://?cloud=<cloudID> (every ACTIVE folder
// of the cloud) or yandexkms://?organization=<orgID> (every ACTIVE folder of
// every cloud of the organization), with endpoint= and rate= as in the
// folder form, through DiscoverFromConfig and CredentialsFromEnv. Every
// parameter is checked before any request: no host, no unknown, repeated
// or empty parameter, cloud and organization not both, IDs of the
// documented shape.
func openDiscoveryURL(ctx context.Context, u *url.URL) (kms.Lister, error) {
	q, err := adapter.ParseURL(u, discoveryURLSpec)
	if err != nil {
		return nil, err
	}
	d := Discovery{CloudID: q.Get("cloud"), OrganizationID: q.Get("organization")}
	switch {
	case q.Has("cloud") && q.Has("organization"):
		return nil, kms.InvalidArgument(kms.ProviderYandex, "Open", "organization", "does not go with cloud: give one of them")
	case q.Has("cloud"):
		err = checkID("Open", "cloud", d.CloudID, MaxCloudIDLen)
	default:
		err = checkID("Open", "organization", d.OrganizationID, MaxOrganizationIDLen)
	}
	if err != nil {
		return nil, err
	}
	opts, err := urlOptions(q)
	if err != nil {
		return nil, err
	}
	f, err := DiscoverFromConfig(ctx, d, opts...)
	if err != nil {
		return nil, err // a nil kms.Lister, not a typed nil
	}
	return f, nil
}
