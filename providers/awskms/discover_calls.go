package awskms

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	accountsdk "github.com/aws/aws-sdk-go-v2/service/account"
	accounttypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

// Page sizes of the discovery calls: the largest each API allows.
const (
	listAccountsPageSize = 20 // ListAccounts MaxResults 1..20
	listRegionsPageSize  = 50 // ListRegions MaxResults 1..50
)

// DiscoveryPace is the client-side pace of the discovery calls, in
// requests a second, shared by a fleet's calls of each operation (AWS
// publishes no quota for ListAccounts or ListRegions; STS's AssumeRole and
// GetCallerIdentity quotas are far above this), with a burst of
// DiscoveryConcurrency. Each adapts as the engine's limiters do:
// throttling slows it down and is retried.
var DiscoveryPace = map[string]float64{OpAssumeRole: 100, OpGetCallerIdentity: 10, OpListAccounts: 10, OpListRegions: 100}

// discovery holds what NewFleet needs to find the fleet's scopes.
type discovery struct {
	cfg      aws.Config // the caller's, or the assumed role's, credentials
	s        settings
	f        fleetSettings
	obs      *observerSwitch
	base     string // the account of WithAssumeRole's role, if any
	limiters map[string]*pagination.Limiter
}

// account is one account of the fleet: its credentials, its Regions, or
// why it cannot be reached.
type account struct {
	id      string
	creds   aws.CredentialsProvider
	regions []string
	err     error
}

func newDiscovery(cfg aws.Config, s settings, f fleetSettings) *discovery {
	d := &discovery{cfg: cfg, s: s, f: f, obs: &observerSwitch{obs: s.Observer}, limiters: map[string]*pagination.Limiter{}}
	for op, q := range DiscoveryPace {
		// A burst of DiscoveryConcurrency: the accounts reached at once
		// are not held back by their own pace.
		d.limiters[op] = pagination.NewLimiter(q, min(DiscoveryConcurrency, max(1, int(q))))
	}
	if f.roleARN != "" {
		d.base = accountOfARN(f.roleARN)
		d.cfg.Credentials = d.roleCredentials(cfg, f.roleARN, d.base)
	}
	return d
}

// listing marks the end of discovery (see observerSwitch).
func (d *discovery) listing() { d.obs.listing.Store(true) }

// accountOfARN returns the account field of an ARN.
func accountOfARN(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 5 {
		return ""
	}
	return parts[4]
}

// accounts returns the accounts of the fleet: the caller's (or the
// assumed role's), or every ACTIVE account of the organization, each
// reached through its member role but the caller's own, reached with the
// fleet's credentials.
func (d *discovery) accounts(ctx context.Context) ([]*account, error) {
	if d.f.org == "" {
		return []*account{{id: d.base, creds: d.cfg.Credentials}}, nil
	}
	listed, caller, err := d.organization(ctx)
	if err != nil {
		return nil, err
	}
	var out []*account
	for _, a := range listed {
		id := aws.ToString(a.Id)
		if !accountIDShape.MatchString(id) {
			return nil, kms.NewError(kms.ProviderAWS, OpListAccounts, kms.CodeUnknown, errors.New("the answer holds an account ID that is not 12 digits"))
		}
		if d.f.org != "*" && !strings.Contains(aws.ToString(a.Arn), "/"+d.f.org+"/") {
			return nil, kms.InvalidArgument(kms.ProviderAWS, OpListAccounts, "Organization",
				"the credentials' organization is not the one asked for (account %s is not in it)", id)
		}
		if !active(a) {
			continue
		}
		if id == caller {
			out = append(out, &account{id: id, creds: d.cfg.Credentials})
			continue
		}
		role := fmt.Sprintf("arn:%s:iam::%s:role/%s", partitionOf(aws.ToString(a.Arn)), id, d.f.memberRole)
		out = append(out, &account{id: id, creds: d.roleCredentials(d.cfg, role, id)})
	}
	return out, nil
}

// active reports whether an account is ACTIVE: its State, or, from a
// server that still sends only the Status retired in 2026, its Status.
func active(a orgtypes.Account) bool {
	if a.State != "" {
		return a.State == orgtypes.AccountStateActive
	}
	return a.Status == orgtypes.AccountStatusActive
}

// partitionOf returns the partition of an ARN ("aws" when unknown).
func partitionOf(arn string) string {
	if parts := strings.SplitN(arn, ":", 3); len(parts) == 3 && strings.HasPrefix(parts[1], "aws") {
		return parts[1]
	}
	return "aws"
}

// regions fills the Regions of every account: the list asked, the home
// Region, or, for "*", ListRegions in each account (several at once).
func (d *discovery) regions(ctx context.Context, accounts []*account) error {
	switch {
	case d.f.regions == nil:
		for _, a := range accounts {
			a.regions = []string{d.cfg.Region}
		}
		return nil
	case d.f.regions[0] != "*":
		for _, a := range accounts {
			a.regions = slices.Sorted(slices.Values(d.f.regions))
		}
		return nil
	}
	forEach(accounts, d.limit(), func(a *account) { a.regions, a.err = d.listRegions(ctx, a) })
	if err := ctx.Err(); err != nil {
		return err
	}
	if d.f.org == "" && accounts[0].err != nil && !isAssumeRole(accounts[0].err) {
		return accounts[0].err // the caller's own ListRegions failed
	}
	return nil
}

func isAssumeRole(err error) bool {
	var ke *kms.Error
	return errors.As(err, &ke) && ke.Op == OpAssumeRole
}

// listAccounts pages ListAccounts through the engine.
func (d *discovery) listAccounts(ctx context.Context) ([]orgtypes.Account, error) {
	client := organizations.NewFromConfig(d.cfg, func(o *organizations.Options) {
		o.Retryer = aws.NopRetryer{}
		o.HTTPClient = limitedClient{next: o.HTTPClient}
	})
	fetch := func(ctx context.Context, token string, size int) ([]orgtypes.Account, string, error) {
		in := &organizations.ListAccountsInput{MaxResults: aws.Int32(int32(size))}
		if token != "" {
			in.NextToken = aws.String(token)
		}
		out, err := client.ListAccounts(ctx, in)
		if err != nil {
			return nil, "", discoveryError(ctx, OpListAccounts, err)
		}
		return out.Accounts, aws.ToString(out.NextToken), nil
	}
	return pagination.Collect(pagination.ByPageToken(ctx, fetch, d.pageOptions(OpListAccounts, "organization", listAccountsPageSize)))
}

// listRegions pages ListRegions (ENABLED, ENABLED_BY_DEFAULT) in account a
// with a's credentials, through the engine; the names come back sorted.
func (d *discovery) listRegions(ctx context.Context, a *account) ([]string, error) {
	client := accountsdk.NewFromConfig(d.cfg, func(o *accountsdk.Options) {
		o.Retryer = aws.NopRetryer{}
		o.HTTPClient = limitedClient{next: o.HTTPClient}
		o.Credentials = a.creds
	})
	fetch := func(ctx context.Context, token string, size int) ([]string, string, error) {
		in := &accountsdk.ListRegionsInput{
			MaxResults:              aws.Int32(int32(size)),
			RegionOptStatusContains: []accounttypes.RegionOptStatus{accounttypes.RegionOptStatusEnabled, accounttypes.RegionOptStatusEnabledByDefault},
		}
		if token != "" {
			in.NextToken = aws.String(token)
		}
		out, err := client.ListRegions(ctx, in)
		if err != nil {
			return nil, "", discoveryError(ctx, OpListRegions, err)
		}
		names := make([]string, 0, len(out.Regions))
		for _, r := range out.Regions {
			name := aws.ToString(r.RegionName)
			if !regionRe.MatchString(name) {
				return nil, "", kms.NewError(kms.ProviderAWS, OpListRegions, kms.CodeUnknown, errors.New("the answer holds a Region name of an unknown shape"))
			}
			names = append(names, name)
		}
		return names, aws.ToString(out.NextToken), nil
	}
	names, err := pagination.Collect(pagination.ByPageToken(ctx, fetch, d.pageOptions(OpListRegions, a.id, listRegionsPageSize)))
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}

// pageOptions are the engine options of a discovery listing.
func (d *discovery) pageOptions(op, scope string, size int) pagination.Options {
	return pagination.Options{
		PageSize: size, Op: op, Scope: "aws/discovery/" + op + "/" + scope, Prefetch: -1,
		Retry: d.s.Retry, Observer: d.s.Observer, Limiter: d.limiters[op],
		WrapErr: func(err error) error { return kms.WrapEngineError(kms.ProviderAWS, op, err) },
	}
}
