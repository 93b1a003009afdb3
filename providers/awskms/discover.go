package awskms

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmssdk "github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

// Fleet is a kms.Lister over every scope (account and Region) NewFleet
// discovered: a kms.NewMerge of one Lister per scope, each named
// "<account>/<region>" (or "<region>" when the account is not known
// without a request: the caller's own account, no role, no organization),
// sorted; errors and events name them "aws/<account>/<region>". Every key
// carries its Account and Region. A scope that fails (a Region not enabled
// answers UnrecognizedClientException: ErrUnauthenticated; a Region a
// service control policy denies: ErrPermissionDenied; a role that cannot be
// assumed) is isolated as kms.Merge isolates it: the others are listed to
// their end and the listing ends with one error joining a *kms.ScopeError
// per failed scope. DescribeKey of an ARN asks the one scope of its account
// and Region (the others answer ErrNotFound without a request); of a key ID,
// every scope.
//
// Discovery happens once per Fleet (NewFleet, kms.Open), not once per
// listing: a Lister's listings, DescribeKey and Stats then agree on one set
// of scopes, and discovery's requests (ListAccounts, and one AssumeRole and
// one ListRegions per account, GetCallerIdentity) are paid once, not by every listing. A
// long-lived program sees new accounts and Regions by making a new Fleet.
//
// The cursor rule: a cursor resumes the scopes it was made over, in this
// process or another, matched by name, also when a fresh Fleet's discovery
// finds a scope more or less (kms.Merge: "A cursor may resume a Merge over
// other listers"). A scope the cursor had in flight or failed resumes
// where it was; one discovery no longer finds (a Region disabled, an
// account gone from the organization or suspended) while the cursor had it
// in flight ends as a failed scope: a *kms.ScopeError naming it whose
// error is kms.ErrNotFound (pagination.ErrScopeGone) or, when its account
// is still in the organization but cannot be reached (its role no longer
// assumed), that account's error (kms.ErrPermissionDenied, say, and
// ErrScopeGone: see kms.MergeGoneReason), reported with the
// others at the end of the listing and kept in the cursor (a later resume
// reports it again, or resumes it if it is back); one it had finished, or
// not started, is simply not listed. A new scope (a Region enabled since,
// an account added) is listed whole, never in part; a scope that had
// finished is not listed again. Each scope's keys come out once over the
// chain of resumed listings. The scopes are sorted by name, as the Merge
// needs to find where a cursor stopped when the scope it had not started
// is gone; a cursor whose scopes before that point changed by more than
// about 8 is refused with kms.ErrInvalidCursor before any request.
//
// Regions come from account:ListRegions rather than ec2:DescribeRegions:
// it says ENABLED and ENABLED_BY_DEFAULT as the account's opt-in status is,
// works with a member account's own credentials and needs
// github.com/aws/aws-sdk-go-v2/service/account, a small module, where
// service/ec2 is among the largest of the SDK to compile (minutes on the
// cold cache CI starts from) for one call.
//
// A Fleet owns its HTTP client (unless WithLoadOptions gave one): Close
// closes its idle connections.
type Fleet struct {
	kms.Lister
	spec    string // see Scope
	scopes  []string
	byScope map[string]kms.Lister // by name
	owned   *http.Transport
}

// Scope names the Fleet by what it was asked to discover, the same in
// every process ("organization/*/regions/*", "account/regions/home"),
// so that a kms.Merge of fleets tells it apart from its other listers by
// name, not by place (see kms.ScopedLister).
func (f *Fleet) Scope() string { return f.spec }

// Scopes returns the names of the fleet's scopes, sorted, as its
// *kms.ScopeError and events name them (without the "aws/" prefix).
func (f *Fleet) Scopes() []string { return slices.Clone(f.scopes) }

// Close closes every scope's Lister and the fleet's idle connections.
func (f *Fleet) Close() error {
	err := f.Lister.Close()
	if f.owned != nil {
		f.owned.CloseIdleConnections()
	}
	return err
}

// NewFleet discovers the scopes the options ask for and returns a Fleet
// over them; see the package doc, "Scope discovery". Discovery happens
// here, once: with WithOrganization, ListAccounts and, beside it (the same
// round trip), GetCallerIdentity for the caller's own account (none with
// WithAssumeRole: the role's account is the caller's); then, for each
// account at once (DiscoveryConcurrency of them), the member role's
// AssumeRole and ListRegions (WithRegions("*")), each through the engine
// (retried, observed, classified as *kms.Error): 3 round trips for up to
// 20 accounts (one more with WithAssumeRole, whose AssumeRole comes first).
// The caller's own account (the management account, or a delegated
// administrator's) is listed with the fleet's credentials, not through
// the member role, which Organizations creates in the member accounts it
// creates only: no AssumeRole into it. Bad options are refused before any
// request; a failure of the caller's own discovery calls (ListAccounts or
// GetCallerIdentity failing, or ListRegions of the caller's account
// denied when there is no organization) fails NewFleet with that call's
// *kms.Error before any KMS request; an account that cannot be reached
// (its role cannot be assumed, its ListRegions is denied) becomes one
// failed scope "<account>/*" of the fleet, so that the other accounts are
// still listed. On error the Fleet is nil.
func NewFleet(ctx context.Context, opts ...FleetOption) (*Fleet, error) {
	f := fleetSettings{memberRole: DefaultMemberRole}
	for _, o := range opts {
		if o != nil {
			o.applyFleet(&f)
		}
	}
	if f.err != nil {
		return nil, f.err
	}
	s := apply(f.lister)
	if s.Err != nil {
		return nil, s.Err
	}
	if f.memberRole != DefaultMemberRole && f.org == "" {
		return nil, kms.InvalidArgument(kms.ProviderAWS, "NewFleet", "MemberRole", "needs WithOrganization (organization= in a URL)")
	}
	cfg, tr, err := loadFleetConfig(ctx, s, f)
	if err != nil {
		return nil, err
	}
	d := newDiscovery(cfg, s, f)
	accounts, err := d.accounts(ctx)
	if err == nil {
		err = d.regions(ctx, accounts)
	}
	if err != nil {
		if tr != nil {
			tr.CloseIdleConnections()
		}
		return nil, err
	}
	d.listing() // from now on AssumeRole is observed through the listing's fan-out
	listers, names := d.scopes(accounts)
	mopts := []kms.MergeOption{kms.MergeObserver(s.Observer), kms.MergeGoneReason(unreachable(accounts))}
	if f.scopesConc > 0 {
		mopts = append(mopts, kms.MergeConcurrency(f.scopesConc))
	}
	if f.failFast {
		mopts = append(mopts, kms.MergeFailFast())
	}
	byScope := make(map[string]kms.Lister, len(names))
	for i, n := range names {
		byScope[n] = listers[i]
	}
	return &Fleet{Lister: kms.NewMerge(listers, mopts...), spec: fleetSpec(f, accounts), scopes: names, byScope: byScope, owned: tr}, nil
}

// unreachable tells why a scope ("aws/<account>/<region>") of a cursor is
// not among the Fleet's: its account could not be reached (its role not
// assumed, its ListRegions denied), the reason being that account's
// error; nil when the scope is simply gone (the Region disabled, the
// account closed).
func unreachable(accounts []*account) func(scope string) error {
	hidden := map[string]error{}
	for _, a := range accounts {
		if a.err != nil {
			hidden[a.id] = a.err
		}
	}
	return func(scope string) error {
		acct, _, ok := strings.Cut(strings.TrimPrefix(scope, "aws/"), "/")
		if !ok {
			return nil
		}
		return hidden[acct]
	}
}

// fleetSpec is what a Fleet lists, as its Scope names it: the organization
// asked for ("*": the caller's) or the one account (its ID when discovery
// learnt it, as with a role), then the Regions asked for ("*": every
// enabled one; "home": the configuration's).
func fleetSpec(f fleetSettings, accounts []*account) string {
	spec := "organization/" + f.org
	if f.org == "" {
		spec = "account"
		if len(accounts) == 1 && accounts[0].id != "" {
			spec += "/" + accounts[0].id
		}
	}
	regions := "home"
	if len(f.regions) > 0 {
		regions = strings.Join(f.regions, ",")
	}
	return spec + "/regions/" + regions
}

// loadFleetConfig loads the default configuration as NewFromConfig does,
// with an HTTP client of the fleet's own; the Region is the home Region of
// the discovery calls (us-east-1 if none is configured).
func loadFleetConfig(ctx context.Context, s settings, f fleetSettings) (aws.Config, *http.Transport, error) {
	cfg, err := loadConfig(ctx, s)
	if err != nil {
		return aws.Config{}, nil, err
	}
	// The scopes of one Region (one per account) share its endpoint: keep
	// a connection for every request they may have in flight, or each
	// burst of describes dials and drops hundreds.
	inFlight := f.scopesConc
	if inFlight == 0 {
		inFlight = pagination.DefaultFanOutConcurrency
	}
	tr := ownHTTPClient(&cfg, min(4096, inFlight*idlePerHost(s)))
	if tr != nil {
		tr.MaxIdleConns = 0 // no limit across hosts (one a Region)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
		if len(f.regions) > 0 && f.regions[0] != "*" {
			cfg.Region = f.regions[0]
		}
	}
	return cfg, tr, nil
}

// scopes makes one Lister per account and Region, sorted by name, and a
// failing one per account that could not be reached.
func (d *discovery) scopes(accounts []*account) ([]kms.Lister, []string) {
	type named struct {
		name string
		l    kms.Lister
	}
	var all []named
	for _, a := range accounts {
		if a.err != nil {
			name := a.id + "/*"
			all = append(all, named{name, &failedScope{name: name, account: a.id, err: a.err}})
			continue
		}
		for _, r := range a.regions {
			client := kmssdk.NewFromConfig(d.cfg, func(o *kmssdk.Options) {
				o.Region = r
				o.Credentials = a.creds
			})
			// The fleet's observer is the Merge's: a scope's own would tell
			// every request twice.
			l := New(client, append(slices.Clone(d.f.lister), WithObserver(nil))...)
			sl := &scopeLister{Lister: l, name: scopeName(a.id, r), account: a.id, region: r}
			all = append(all, named{sl.name, sl})
		}
	}
	slices.SortFunc(all, func(x, y named) int { return strings.Compare(x.name, y.name) })
	listers, names := make([]kms.Lister, len(all)), make([]string, len(all))
	for i, n := range all {
		listers[i], names[i] = n.l, n.name
	}
	return listers, names
}

func scopeName(account, region string) string {
	if account == "" {
		return region
	}
	return account + "/" + region
}

// forEach runs fn on every account, at most n at once, and waits.
func forEach(accounts []*account, n int, fn func(*account)) {
	sem := make(chan struct{}, n)
	var wg sync.WaitGroup
	for _, a := range accounts {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			fn(a)
		}()
	}
	wg.Wait()
}

// DiscoveryConcurrency is the number of accounts NewFleet reaches at once
// (AssumeRole, then ListRegions), within DiscoveryPace.
const DiscoveryConcurrency = 32

// limit is the number of accounts discovery reaches at once.
func (d *discovery) limit() int { return DiscoveryConcurrency }

// Provider returns kms.ProviderAWS: a Fleet is AWS scopes only, so that a
// Merge of fleets of several clouds routes ARNs to it.
func (f *Fleet) Provider() kms.Provider { return kms.ProviderAWS }
