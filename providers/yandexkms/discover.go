package yandexkms

import (
	"context"
	"slices"
	"strings"
	"sync"

	ycsdk "github.com/yandex-cloud/go-sdk"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

// The Resource Manager operations of discovery: the Op of the *kms.Error a
// failed discovery call returns.
const (
	OpListClouds  = "CloudService.List"
	OpListFolders = "FolderService.List"
)

// Limits of the Resource Manager API, checked before any request.
const (
	// MaxCloudIDLen and MaxOrganizationIDLen are the longest cloud_id and
	// organization_id, in characters.
	MaxCloudIDLen        = 50
	MaxOrganizationIDLen = 50
	// MaxDiscoveryPageToken is the longest page_token of CloudService.List
	// and FolderService.List, in characters.
	MaxDiscoveryPageToken = 2000
	// DiscoveryPageSize is the page_size of discovery calls: the largest
	// the API takes, for the fewest round trips.
	DiscoveryPageSize = 1000
)

// Discovery says what a Fleet lists: every ACTIVE folder of cloud CloudID,
// or of every cloud of organization OrganizationID. Set exactly one.
type Discovery struct {
	CloudID        string
	OrganizationID string
}

// Fleet is a kms.Lister over the folders discovery found when it was made
// (Discover, DiscoverFromConfig, kms.Open of yandexkms://?cloud= or
// ?organization=): each folder is one scope of a kms.Merge, named
// "yandex/<cloudID>/<folderID>", listed concurrently, its keys carrying
// Key.FolderID and Key.CloudID.
//
// Discovery happens once, when the Fleet is made, through the engine
// (paged by page token, rate-limited by the Lister's limiter, retried,
// observed, failures as *kms.Error; an organization's clouds have their
// folders listed up to WithConcurrency at once): a Fleet's listings all
// cover the same folders, and listing costs no discovery. (Once per
// listing would need ListKeys to fetch before it returns, or a fan-out
// that learns its scopes part-way: an Iterator fetches nothing when made,
// and a fleet checks every scope's options before its first request.) A folder whose listing fails (a
// folder denied) is an isolated scope failure: the listing ends with a
// *kms.ScopeError naming it, after every other folder. In an organization,
// each cloud is a scope of its own too, named "yandex/<cloudID>": of no
// keys, costing no request, when discovery listed its folders; failing
// each listing with the error discovery got when it could not. (So a
// cursor made while a cloud was denied resumes, once its folders are
// seen, by listing them whole, rather than reporting the cloud as a scope
// no longer found.)
//
// The cursor resumes exactly the folders it was made over, in this process
// or another, by the folders' scope names (see kms.NewMerge), even when a
// fresh Fleet's discovery found other folders: a folder the cursor had in
// flight or failed resumes where it was; a folder created since is listed
// whole, never in part, wherever it sorts; a folder that had finished is
// not listed again; a folder the cursor had in flight or failed that is no
// longer found (deleted, pending deletion, its cloud no longer seen) ends
// the listing as a *kms.ScopeError naming it, whose error matches
// kms.ErrNotFound and pagination.ErrScopeGone (or, when its cloud is seen
// but its folders could not be listed, the cloud's error, such as
// kms.ErrPermissionDenied, and ErrScopeGone: see kms.MergeGoneReason),
// reported with the other failed scopes after every other folder, and kept
// in the cursor: a later resume reports it again, or resumes it where it
// was if it is back. A
// cursor is refused with kms.ErrInvalidCursor before any request only if it
// is not one of this kind of listing (tampered, another filter) or the
// folders before its resume point changed by more than it can tell apart
// (about 8 created or deleted): start a fresh listing then.
type Fleet struct {
	spec    string  // see Scope
	base    *Lister // the SDK, limiter and settings every folder shares
	scopes  []kms.ScopedLister
	cloudOf map[string]string // folder ID -> cloud ID
	merged  kms.Lister
	names   []string
}

// Discover discovers d's folders through sdk (the caller's: Close leaves it
// alone) and returns a Fleet over them. It takes the options New takes
// (WithFolders excepted); the Fleet's folders share the limiter, retry
// policy and observer. IDs are checked first (1..50 lowercase Latin
// letters and digits): a bad one, or a bad option, is a *kms.Error
// (kms.ErrInvalidArgument naming it) before any request. A failed
// discovery call (the cloud or organization not visible, credentials
// refused) fails Discover with its *kms.Error.
func Discover(ctx context.Context, sdk *ycsdk.SDK, d Discovery, opts ...Option) (*Fleet, error) {
	id, err := checkDiscovery("Discover", d, opts)
	if err != nil {
		return nil, err
	}
	base := New(sdk, id, opts...)
	if base.optErr != nil {
		return nil, base.optErr
	}
	return discover(ctx, base, d)
}

// DiscoverFromConfig is Discover over an SDK it builds as NewFromConfig
// does (WithEndpoint, WithCredentials, WithSDKConfig); the Fleet owns it:
// Close shuts it down.
func DiscoverFromConfig(ctx context.Context, d Discovery, opts ...Option) (*Fleet, error) {
	id, err := checkDiscovery("Discover", d, opts)
	if err != nil {
		return nil, err
	}
	base, err := NewFromConfig(ctx, id, opts...)
	if err != nil {
		return nil, err
	}
	f, err := discover(ctx, base, d)
	if err != nil {
		_ = base.Close()
		return nil, err
	}
	return f, nil
}

// checkDiscovery checks d and refuses WithFolders, before any request; it
// returns the ID the base Lister is made with.
func checkDiscovery(op string, d Discovery, opts []Option) (string, error) {
	if s := newSettings(opts); s.Err != nil {
		return "", s.Err
	} else if len(s.folders) > 0 {
		return "", kms.InvalidArgument(kms.ProviderYandex, op, "Folders", "does not go with discovery: the folders are discovered")
	}
	switch {
	case d.CloudID != "" && d.OrganizationID != "":
		return "", kms.InvalidArgument(kms.ProviderYandex, op, "Discovery", "set CloudID or OrganizationID, not both")
	case d.CloudID != "":
		return d.CloudID, checkID(op, "CloudID", d.CloudID, MaxCloudIDLen)
	case d.OrganizationID != "":
		return d.OrganizationID, checkID(op, "OrganizationID", d.OrganizationID, MaxOrganizationIDLen)
	}
	return "", kms.InvalidArgument(kms.ProviderYandex, op, "Discovery", "set CloudID or OrganizationID")
}

// discover runs discovery over base's SDK and builds the Fleet.
func discover(ctx context.Context, base *Lister, d Discovery) (*Fleet, error) {
	clouds := []string{d.CloudID}
	if d.OrganizationID != "" {
		var err error
		if clouds, err = base.listClouds(ctx, d.OrganizationID); err != nil {
			return nil, err
		}
	}
	f := &Fleet{base: base, cloudOf: map[string]string{}, spec: "cloud/" + d.CloudID}
	if d.OrganizationID != "" {
		f.spec = "organization/" + d.OrganizationID
	}
	found := base.foldersOf(ctx, clouds)
	hidden := map[string]error{} // clouds whose folders discovery could not list
	for i, cloud := range clouds {
		folders, err := found[i].ids, found[i].err
		switch {
		case err != nil && ctx.Err() != nil:
			return nil, ctx.Err()
		case err != nil && d.OrganizationID == "":
			return nil, err
		case d.OrganizationID != "":
			// The cloud's own scope, failing or of no keys: see Fleet.
			f.scopes = append(f.scopes, &cloudScope{Lister: base.forFolder(cloud), cloud: cloud, err: err})
		}
		if err != nil {
			hidden[cloud] = err
			continue
		}
		for _, id := range folders {
			f.cloudOf[id] = cloud
			f.scopes = append(f.scopes, &folderLister{Lister: base.forFolder(id), cloud: cloud})
		}
	}
	slices.SortFunc(f.scopes, func(a, b kms.ScopedLister) int { return strings.Compare(a.Scope(), b.Scope()) })
	listers := make([]kms.Lister, len(f.scopes))
	for i, s := range f.scopes {
		listers[i] = s
		f.names = append(f.names, s.Scope())
	}
	mopts := []kms.MergeOption{kms.MergeConcurrency(base.concurrency), kms.MergeGoneReason(hiddenBy(hidden))}
	if base.observer != nil {
		// The Merge tells the folders' requests, named by their scope, and
		// the scopes' starts and ends; the folders' own Listers tell none.
		mopts = append(mopts, kms.MergeObserver(base.observer))
	}
	f.merged = kms.NewMerge(listers, mopts...)
	return f, nil
}

// hiddenBy tells why a folder scope ("yandex/<cloudID>/<folderID>") of a
// cursor is not among the Fleet's: its cloud's folders could not be listed
// (hidden maps those clouds to discovery's error); nil when the folder is
// simply gone.
func hiddenBy(hidden map[string]error) func(scope string) error {
	return func(scope string) error {
		cloud, _, ok := strings.Cut(strings.TrimPrefix(scope, "yandex/"), "/")
		if !ok {
			return nil
		}
		return hidden[cloud]
	}
}

// cloudFolders is what discovery found in one cloud.
type cloudFolders struct {
	ids []string
	err error
}

// foldersOf lists the active folders of every cloud, up to the Lister's
// concurrency of clouds at once.
func (l *Lister) foldersOf(ctx context.Context, clouds []string) []cloudFolders {
	out := make([]cloudFolders, len(clouds))
	sem := make(chan struct{}, l.concurrency)
	var wg sync.WaitGroup
	for i, cloud := range clouds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				out[i].err = ctx.Err()
				return
			}
			defer func() { <-sem }()
			out[i].ids, out[i].err = l.activeFolders(ctx, cloud)
		}()
	}
	wg.Wait()
	return out
}

// forFolder is a Lister of one folder over l's SDK and settings, which
// closes nothing and tells no observer (the Fleet's Merge tells its
// requests).
func (l *Lister) forFolder(folderID string) *Lister {
	c := *l
	c.folders, c.owned, c.observer = []string{folderID}, false, nil
	return &c
}

// Provider returns kms.ProviderYandex.
func (f *Fleet) Provider() kms.Provider { return kms.ProviderYandex }

// Scope names the Fleet by what it discovered, "cloud/<cloudID>" or
// "organization/<organizationID>", so that a kms.Merge of fleets tells it
// apart from its other listers by name, not by place (see
// kms.ScopedLister).
func (f *Fleet) Scope() string { return f.spec }

// Scopes returns the names of the Fleet's scopes, sorted: "<cloudID>/<folderID>"
// for each folder and, in an organization, "<cloudID>" for each cloud (of
// no keys, or failing when discovery could not list its folders).
func (f *Fleet) Scopes() []string { return slices.Clone(f.names) }

// Folders returns the IDs of the discovered folders, sorted by scope.
func (f *Fleet) Folders() []string {
	var out []string
	for _, s := range f.scopes {
		if fl, ok := s.(*folderLister); ok {
			out = append(out, fl.folders[0])
		}
	}
	return out
}

// Limiter returns the limiter every request of the Fleet shares.
func (f *Fleet) Limiter() *pagination.Limiter { return f.base.limiter }

// ListKeys lists the keys of every folder of the Fleet, concurrently (see
// kms.NewMerge; up to WithConcurrency folders at once), each folder as
// Lister.ListKeys lists it, with Key.CloudID set. Options are checked
// before any request; see Fleet for failed scopes and the cursor.
func (f *Fleet) ListKeys(ctx context.Context, opts kms.ListOptions) *pagination.Iterator[kms.Key] {
	if err := f.base.checkList("ListKeys", opts); err != nil {
		return pagination.Err[kms.Key](err)
	}
	return f.merged.ListKeys(ctx, opts)
}

// DescribeKey describes a key by ID as Lister.DescribeKey does (key IDs are
// unique across folders: one lookup, not one per folder), with Key.CloudID
// set when the key's folder is one of the Fleet's.
func (f *Fleet) DescribeKey(ctx context.Context, keyRef string) (kms.Key, error) {
	return f.DescribeKeyInclude(ctx, keyRef, 0)
}

// DescribeKeyInclude is DescribeKey with the extras include asks for, as
// Lister.DescribeKeyInclude fetches them.
func (f *Fleet) DescribeKeyInclude(ctx context.Context, keyRef string, include kms.Include) (kms.Key, error) {
	k, err := f.base.DescribeKeyInclude(ctx, keyRef, include)
	if err == nil {
		k.CloudID = f.cloudOf[k.FolderID]
	}
	return k, err
}

// ListKeyVersions lists a key's versions as Lister.ListKeyVersions does.
func (f *Fleet) ListKeyVersions(ctx context.Context, keyRef string, opts kms.ListOptions) *pagination.Iterator[kms.KeyVersion] {
	return f.base.ListKeyVersions(ctx, keyRef, opts)
}

// Close shuts down the SDK if the Fleet built it (DiscoverFromConfig,
// kms.Open); a Fleet made by Discover closes nothing.
func (f *Fleet) Close() error { return f.base.Close() }

// folderLister is one folder of a Fleet: a kms.ScopedLister whose keys
// carry their cloud.
type folderLister struct {
	*Lister
	cloud string
}

// Scope names the folder: "<cloudID>/<folderID>".
func (fl *folderLister) Scope() string { return fl.cloud + "/" + fl.folders[0] }

// ListKeys lists the folder's keys with Key.CloudID set.
func (fl *folderLister) ListKeys(ctx context.Context, opts kms.ListOptions) *pagination.Iterator[kms.Key] {
	return pagination.Map(fl.Lister.ListKeys(ctx, opts), 1, func(_ context.Context, k kms.Key) (kms.Key, bool) {
		k.CloudID = fl.cloud
		return k, true
	})
}

// cloudScope is the scope of a cloud of an organization: of no keys when
// discovery listed its folders (err nil), failing every listing with
// discovery's error when it could not.
type cloudScope struct {
	*Lister
	cloud string
	err   error
}

// Scope names the cloud.
func (cs *cloudScope) Scope() string { return cs.cloud }

// ListKeys lists nothing, sending nothing, or fails at its first fetch (not
// when made, so that the fleet's other scopes run) with discovery's error.
// Either way there is nothing to resume: the cursor, which the fan-out's
// checked, is not looked at, so that a cursor made while the cloud failed
// resumes once its folders are seen, and the other way round.
func (cs *cloudScope) ListKeys(ctx context.Context, opts kms.ListOptions) *pagination.Iterator[kms.Key] {
	if err := cs.checkList("ListKeys", opts); err != nil {
		return pagination.Err[kms.Key](err)
	}
	if cs.err == nil {
		return pagination.Concat[kms.Key](ctx, pagination.Options{})
	}
	fetch := func(context.Context, string, int) ([]kms.Key, string, error) { return nil, "", cs.err }
	return pagination.ByPageToken(ctx, fetch, pagination.Options{
		Scope: cs.scopeOf(OpListFolders, cs.cloud), Retry: pagination.Retry{MaxAttempts: 1}, Op: OpListFolders,
	})
}

var (
	_ kms.ProviderLister   = (*Fleet)(nil)
	_ kms.IncludeDescriber = (*Fleet)(nil)
	_ kms.ScopedLister     = (*folderLister)(nil)
	_ kms.ScopedLister     = (*cloudScope)(nil)
)
