package awskms

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"github.com/multikms/multikms/internal/adapter"
	"github.com/multikms/multikms/kms"
)

// FleetURLParams are the scope-discovery parameters of an awskms:// URL,
// beside URLParams; any of them (or a region of "*" or a list) makes
// kms.Open return a Fleet (NewFleet):
//
//	awskms://?region=*                               every Region enabled for the account
//	awskms://?region=eu-west-1,us-east-1             those Regions
//	awskms://?region=*&role_arn=arn:aws:iam::111122223333:role/audit&external_id=x&session_name=inv
//	awskms://?organization=*&region=*                every ACTIVE account of the caller's organization, every enabled Region
//	awskms://?organization=o-a1b2c3d4e5&member_role=Audit&region=eu-west-1
//
// organization takes the organization's ID, checked against every account
// ListAccounts returns, or "*" for the organization of the credentials;
// the same parameter names an organization on yandexkms://. Do not modify.
var FleetURLParams = []string{"role_arn", "external_id", "session_name", "organization", "member_role"}

// isFleetURL reports whether u asks for scope discovery.
func isFleetURL(u *url.URL) bool {
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return false
	}
	for _, p := range FleetURLParams {
		if q.Has(p) {
			return true
		}
	}
	for _, r := range q["region"] {
		if strings.ContainsAny(r, "*,") {
			return true
		}
	}
	return false
}

// openFleetURL opens a discovery URL with NewFleet; the Lister is a nil
// interface on error.
func openFleetURL(ctx context.Context, u *url.URL) (kms.Lister, error) {
	opts, err := fleetURLOptions(u)
	if err != nil {
		return nil, err
	}
	f, err := NewFleet(ctx, opts...)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// fleetURLOptions checks every parameter of a discovery URL, naming the
// bad one and never quoting its value, and turns them into options.
func fleetURLOptions(u *url.URL) ([]FleetOption, error) {
	spec := adapter.URLSpec{Provider: kms.ProviderAWS, Params: append(slices.Clone(URLParams), FleetURLParams...)}
	q, err := adapter.ParseURL(u, spec)
	if err != nil {
		return nil, err
	}
	bad := func(param, format string, args ...any) ([]FleetOption, error) {
		return nil, kms.InvalidArgument(kms.ProviderAWS, "Open", param, format, args...)
	}
	// The other parameters mean what they mean for one Lister.
	rest := url.Values{}
	for k, v := range q.Values {
		if !slices.Contains(FleetURLParams, k) && k != "region" {
			rest[k] = v
		}
	}
	base, err := urlOptions(&url.URL{Scheme: u.Scheme, RawQuery: rest.Encode()})
	if err != nil {
		return nil, err
	}
	var opts []FleetOption
	for _, o := range base {
		opts = append(opts, o)
	}
	if v := q.Get("region"); v != "" {
		regions := strings.Split(v, ",")
		if v != "*" {
			for i, r := range regions {
				switch {
				case !regionRe.MatchString(r):
					return bad("region", "item %d must be an AWS Region name such as eu-west-1 (or * alone, for every enabled Region)", i+1)
				case slices.Contains(regions[:i], r):
					return bad("region", "item %d repeats a Region", i+1)
				}
			}
			if len(regions) > 64 {
				return bad("region", "at most 64 Regions, got %d", len(regions))
			}
		}
		opts = append(opts, WithRegions(regions...))
	}
	roleOpts, err := roleURLOptions(q, bad)
	if err != nil {
		return nil, err
	}
	return append(opts, roleOpts...), nil
}

// roleURLOptions checks role_arn, external_id, session_name, organization
// and member_role.
func roleURLOptions(q adapter.Query, bad func(string, string, ...any) ([]FleetOption, error)) ([]FleetOption, error) {
	var opts []FleetOption
	arn, ext, session := q.Get("role_arn"), q.Get("external_id"), q.Get("session_name")
	org, member := q.Get("organization"), q.Get("member_role")
	switch {
	case arn != "" && (len(arn) < 20 || len(arn) > 2048 || !roleARNShape.MatchString(arn)):
		return bad("role_arn", "must be an IAM role ARN, arn:aws:iam::<12-digit account>:role/<name>")
	case ext != "" && !validExternalID(ext):
		return bad("external_id", "must be 2..1224 characters of letters, digits and +=,.@:/-_")
	case session != "" && !sessionNameShape.MatchString(session):
		return bad("session_name", "must be 2..64 characters of letters, digits and +=,.@-_")
	case (ext != "" || session != "") && arn == "" && org == "":
		return bad(map[bool]string{true: "external_id", false: "session_name"}[ext != ""], "needs role_arn or organization (it is sent with their AssumeRole)")
	case org != "" && org != "*" && !orgIDShape.MatchString(org):
		return bad("organization", "must be an organization ID such as o-a1b2c3d4e5, or * for the credentials' organization")
	case member != "" && !roleNameShape.MatchString(member):
		return bad("member_role", "must be an IAM role name, 1..64 characters of letters, digits and +=,.@-_")
	case member != "" && org == "":
		return bad("member_role", "needs organization")
	}
	if arn != "" {
		opts = append(opts, WithAssumeRole(arn, ext, session))
	} else if ext != "" || session != "" {
		opts = append(opts, WithRoleSession(ext, session))
	}
	if org != "" {
		opts = append(opts, WithOrganization(org))
	}
	if member != "" {
		opts = append(opts, WithMemberRole(member))
	}
	return opts, nil
}
