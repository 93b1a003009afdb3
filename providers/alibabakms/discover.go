package alibabakms

import (
	"context"
	"slices"
	"strings"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth"
	alikms "github.com/aliyun/alibaba-cloud-sdk-go/services/kms"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

// OpDescribeRegions is the Op of a failed KMS DescribeRegions call.
const OpDescribeRegions = "DescribeRegions"

// AllRegions, as Discovery.Regions' only element (region=* in a URL),
// asks for every region KMS DescribeRegions lists.
const AllRegions = "*"

// Discovery says which regions a Fleet lists, and as whom.
type Discovery struct {
	// Regions are region IDs (cn-hangzhou), or AllRegions alone.
	Regions []string
	// RoleARN, when set, is a RAM role (acs:ram::<uid>:role/<name>) that
	// signs every KMS call of every region: the SDK's RAM-role credential
	// provider (what a credentials.RamRoleArnCredential becomes) assumes it
	// through STS AssumeRole with the credential chain's AccessKey, caches
	// the temporary credentials and assumes it again before they expire.
	// One session serves every region. The SDK's AssumeRole call takes no
	// context: it is bounded by the SDK's own timeouts (5 s to connect,
	// 10 s to read), not by the caller's.
	RoleARN string
	// RoleSessionName names the session (2..64 of letters, digits and
	// ".@_-"; default DefaultRoleSessionName).
	RoleSessionName string
	// ExternalID is the external ID the role's trust policy may ask for.
	ExternalID string
	// STSEndpoint is the STS endpoint as a full https URL (default the
	// SDK's, https://sts.aliyuncs.com).
	STSEndpoint string
	// Concurrency is how many regions are listed at once (0 means
	// pagination.DefaultFanOutConcurrency).
	Concurrency int
}

// DefaultRoleSessionName is the session name of an assumed role.
const DefaultRoleSessionName = "multikms"

// Fleet is a kms.Lister over the regions of a Discovery, found when it was
// made (DiscoverFromConfig, kms.Open of alibabakms://?region=*,
// region=a,b, role_arn=): each region is one scope of a kms.Merge, named
// "alibaba/<region>", listed concurrently with its own client and its own
// limiter (each region has its own 50/s quota), its keys carrying
// Key.Region and Key.Account.
//
// Discovery happens once, when the Fleet is made: KMS DescribeRegions,
// from the home region (WithRegion or ALIBABA_CLOUD_REGION_ID), through
// the engine (rate-limited, retried, observed, failures as *kms.Error),
// signed with the credential chain's own credentials, not the role's (as
// a region list is the account's, and so that a role that cannot be
// assumed fails each region's scope rather than discovery). A region
// whose listing fails (the role cannot be assumed, the region refuses the
// caller, it cannot be reached) is an isolated scope failure: the listing
// ends with a *kms.ScopeError naming it, after every other region. Once
// per Fleet rather than once per listing: a Fleet's listings all cover the
// same regions, listing costs no discovery, and ListKeys fetches nothing
// before it returns (every region's options are checked first).
//
// The cursor resumes exactly the regions it was made over, in this process
// or another, by the regions' scope names (see kms.NewMerge), even when a
// fresh Fleet's DescribeRegions (or region list) has other regions: a
// region the cursor had in flight or failed resumes where it was; a region
// new since is listed whole, never in part, wherever it sorts; a region
// that had finished is not listed again; a region the cursor had in flight
// or failed that the Fleet no longer has ends the listing as a
// *kms.ScopeError naming it ("alibaba/<region>"), whose error matches
// kms.ErrNotFound and pagination.ErrScopeGone, reported with the other
// failed regions after every other region, and kept in the cursor: a later
// resume reports it again, or resumes it where it was if it is back. A
// cursor is refused with kms.ErrInvalidCursor before any request only if it
// is not one of this kind of listing (tampered, another filter, another
// endpoint) or the regions before its resume point changed by more than it
// can tell apart (about 8 added or removed): start a fresh listing then.
type Fleet struct {
	spec    string // see Scope
	regions map[string]*regionLister
	names   []string
	merged  kms.Lister // lists the regions
	// lookup asks every region at once for a key that is not an ARN
	// (kms.Merge's DescribeKey), through the region Listers that tell the
	// observer; it owns nothing (Close closes the regions).
	lookup kms.IncludeDescriber
}

// DiscoverFromConfig returns a Fleet of d's regions. It takes the options
// NewFromConfig takes (WithRegion is the home region, WithEndpoint the
// endpoint of every region, for a test server that routes by RegionId).
// Every option and every field of d is checked first: a bad one is a
// *kms.Error (kms.ErrInvalidArgument naming it) before any request, as are
// missing credentials (kms.ErrUnauthenticated). A failed DescribeRegions
// fails DiscoverFromConfig with its *kms.Error.
func DiscoverFromConfig(ctx context.Context, d Discovery, opts ...Option) (*Fleet, error) {
	const op = "Discover"
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s := newSettings(opts)
	s.validate()
	if s.Err != nil {
		return nil, s.Err
	}
	if err := checkDiscovery(op, d, goNames); err != nil {
		return nil, err
	}
	home := s.region
	if home == "" {
		home = firstEnv(envRegion)
	}
	if d.Regions[0] == AllRegions && home == "" {
		return nil, kms.InvalidArgument(provider, op, "region", "every region is discovered from the home region: give WithRegion or ALIBABA_CLOUD_REGION_ID")
	}
	base := s.cred
	if base == nil {
		var err error
		if base, err = chainCredential(op, s.profile); err != nil {
			return nil, err
		}
	}
	cred, err := roleCredential(op, base, d)
	if err != nil {
		return nil, err
	}
	regions := d.Regions
	if regions[0] == AllRegions {
		if regions, err = describeRegions(ctx, home, base, s); err != nil {
			return nil, err
		}
	}
	f, err := newFleet(op, regions, d.Concurrency, cred, s)
	if f != nil {
		f.spec = fleetSpec(d)
	}
	return f, err
}

// fleetSpec is what a Fleet of d lists, as its Scope names it: the role
// (which names the account) if any, then the regions asked for.
func fleetSpec(d Discovery) string {
	spec := "regions/" + strings.Join(d.Regions, ",")
	if d.RoleARN != "" {
		spec = "role/" + d.RoleARN + "/" + spec
	}
	return spec
}

// newFleet builds one Lister per region, each over its own client.
func newFleet(op string, regions []string, conc int, cred auth.Credential, s settings) (*Fleet, error) {
	regions = slices.Compact(slices.Sorted(slices.Values(regions)))
	f := &Fleet{regions: map[string]*regionLister{}}
	listers := make([]kms.Lister, 0, len(regions))
	telling := make([]kms.Lister, 0, len(regions))
	for _, r := range regions {
		client, err := newClient(op, r, s.endpoint, cred)
		if err != nil {
			_ = f.Close()
			return nil, err
		}
		rl := &regionLister{Lister: build(client, s, true, r)}
		f.regions[r] = rl
		f.names = append(f.names, r)
		telling = append(telling, rl)
		// The Merge lists a copy that tells no observer: the Merge tells
		// the region's listing requests, named by its scope, and the
		// region's start and end (describes go through rl, which tells).
		quiet := *rl.Lister
		quiet.observer, quiet.owned = nil, false
		listers = append(listers, &regionLister{Lister: &quiet})
	}
	var mopts []kms.MergeOption
	if s := conc; s > 0 {
		mopts = append(mopts, kms.MergeConcurrency(s))
	}
	if s.Observer != nil {
		mopts = append(mopts, kms.MergeObserver(s.Observer))
	}
	f.merged = kms.NewMerge(listers, mopts...)
	f.lookup = kms.NewMerge(telling, kms.MergeConcurrency(max(len(telling), 1))).(kms.IncludeDescriber)
	return f, nil
}

// describeRegions lists the regions of KMS from the home region, with the
// chain's own credentials, through the engine.
func describeRegions(ctx context.Context, home string, cred auth.Credential, s settings) ([]string, error) {
	client, err := newClient("Discover", home, s.endpoint, cred)
	if err != nil {
		return nil, err
	}
	l := build(client, s, true, home)
	defer func() { _ = l.Close() }()
	resp, err := invoke(ctx, l.call, OpDescribeRegions, alikms.CreateDescribeRegionsRequest(), l.client.DescribeRegions)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range resp.Regions.Region {
		if !validRegion(r.RegionId) {
			return nil, malformed(OpDescribeRegions, "a region ID that is not one")
		}
		out = append(out, r.RegionId)
	}
	if len(out) == 0 {
		return nil, malformed(OpDescribeRegions, "no region")
	}
	return out, nil
}

// Provider returns kms.ProviderAlibaba.
func (f *Fleet) Provider() kms.Provider { return provider }

// Scope names the Fleet by what it was asked to discover, the same in
// every process ("regions/*", "regions/cn-hangzhou,eu-central-1", after
// "role/<RoleARN>/" when it assumes a role), so that a kms.Merge of fleets
// tells it apart from its other listers by name, not by place (see
// kms.ScopedLister).
func (f *Fleet) Scope() string { return f.spec }

// Regions returns the Fleet's regions, sorted: its scopes.
func (f *Fleet) Regions() []string { return slices.Clone(f.names) }

// Region returns the Lister of one of the Fleet's regions (nil for another
// region), for its limiter.
func (f *Fleet) Region(region string) *Lister {
	if rl := f.regions[region]; rl != nil {
		return rl.Lister
	}
	return nil
}

// ListKeys lists the keys of every region concurrently (see kms.NewMerge),
// each as Lister.ListKeys lists it. Options are checked before any request
// (by every region's Lister); see Fleet for failed regions and the cursor.
func (f *Fleet) ListKeys(ctx context.Context, opts kms.ListOptions) *pagination.Iterator[kms.Key] {
	// Every region's Lister checks options alike: the first one's error is
	// the listing's, as a Lister's own (not one *kms.ScopeError per region).
	if _, err := f.regions[f.names[0]].checkList("ListKeys", opts); err != nil {
		return pagination.Err[kms.Key](err)
	}
	return f.merged.ListKeys(ctx, opts)
}

// ListKeyVersions lists a key's versions: a key ARN's in its own region;
// for a key ID or alias, the options are checked first (before any
// request), then the key is looked up in every region at once (as
// DescribeKey does) and its versions listed in the region that has it.
func (f *Fleet) ListKeyVersions(ctx context.Context, keyRef string, opts kms.ListOptions) *pagination.Iterator[kms.KeyVersion] {
	if rl := f.byARN(keyRef); rl != nil {
		return rl.ListKeyVersions(ctx, keyRef, opts)
	}
	first := f.regions[f.names[0]]
	if err := pagination.Rejected(first.ListKeyVersions(ctx, keyRef, opts)); err != nil {
		return pagination.Err[kms.KeyVersion](err)
	}
	k, err := f.DescribeKey(ctx, keyRef)
	if err != nil {
		return pagination.Err[kms.KeyVersion](err)
	}
	if rl := f.regions[k.Region]; rl != nil {
		return rl.ListKeyVersions(ctx, keyRef, opts)
	}
	return first.ListKeyVersions(ctx, keyRef, opts)
}

// byARN returns the region Lister of a key ARN acs:kms:<region>:..., if the
// Fleet has that region.
func (f *Fleet) byARN(ref string) *regionLister {
	rest, ok := strings.CutPrefix(ref, "acs:kms:")
	if !ok {
		return nil
	}
	region, _, _ := strings.Cut(rest, ":")
	return f.regions[region]
}

// Close shuts down every region's client.
func (f *Fleet) Close() error {
	for _, rl := range f.regions {
		_ = rl.Close()
	}
	return nil
}

// regionLister is one region of a Fleet, a kms.ScopedLister.
type regionLister struct{ *Lister }

// Scope names the region.
func (rl *regionLister) Scope() string { return rl.region }

var (
	_ kms.ProviderLister = (*Fleet)(nil)
	_ kms.ScopedLister   = (*regionLister)(nil)
)
