package kms_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/mock"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
	"github.com/multikms/multikms/pagination"
)

// cloud is one Fake of a merged set and how its keys look.
type cloud struct {
	provider kms.Provider
	prefix   string
	arn      string // ARN prefix; "" for none
	n        int
	shape    kmstest.Shape
}

var clouds = []cloud{
	{kms.ProviderAWS, "aws", "arn:aws:kms:eu-west-1:111122223333:key/", 5, kmstest.ByMarker},
	{kms.ProviderAlibaba, "ali", "acs:kms:cn-hangzhou:123456:key/", 4, kmstest.ByPageNumber},
	{kms.ProviderYandex, "yc", "", 5, kmstest.ByPageToken},
}

// fakes returns one Fake per cloud, with versions for the first key of each.
func fakes() []*kmstest.Fake {
	states := []kms.KeyState{kms.StateEnabled, kms.StateDisabled, kms.StatePendingDeletion}
	usages := []kms.KeyUsage{kms.UsageEncryptDecrypt, kms.UsageSignVerify}
	var out []*kmstest.Fake
	for c, cl := range clouds {
		keys := make([]kms.Key, cl.n)
		for i := range keys {
			id := fmt.Sprintf("%s-%02d", cl.prefix, i)
			keys[i] = kms.Key{ID: id, State: states[(c+i)%3], Usage: usages[i%2], Spec: "SPEC", Protection: kms.ProtectionSoftware}
			if cl.arn != "" {
				keys[i].ARN = cl.arn + id
			}
		}
		first := keys[0].ID
		versions := map[string][]kms.KeyVersion{first: {
			{KeyID: first, ID: first + "-v1", State: kms.VersionEnabled},
			{KeyID: first, ID: first + "-v2", State: kms.VersionEnabled, Primary: true},
		}}
		out = append(out, kmstest.NewFake(keys, kmstest.WithProvider(cl.provider), kmstest.WithShape(cl.shape),
			kmstest.WithMaxPageSize(50), kmstest.WithVersions(versions)))
	}
	return out
}

func merge(fs []*kmstest.Fake) kms.Lister {
	ls := make([]kms.Lister, len(fs))
	for i, f := range fs {
		ls[i] = f
	}
	return kms.Merge(ls...)
}

// TestMergeConformance runs the suite on a Merge that lists one lister at a
// time, as the suite expects the keys in the fixture's order; the fleet
// cases (kmstest.RunFleetConformance) run the default, concurrent Merge.
func TestMergeConformance(t *testing.T) {
	kmstest.RunConformance(t, kmstest.Harness{Setup: func(t *testing.T) kmstest.Fixture {
		return mergeFixture(func(ls []kms.Lister) kms.Lister { return kms.NewMerge(ls, kms.MergeConcurrency(1)) })
	}})
}

// mergeFixture is the conformance fixture of a Merge (made by merge) of
// uniformFakes: their keys and versions, their requests counted.
func mergeFixture(merge func([]kms.Lister) kms.Lister) kmstest.Fixture {
	fs := uniformFakes()
	ls := make([]kms.Lister, len(fs))
	for i, f := range fs {
		ls[i] = f
	}
	fx := kmstest.Fixture{Lister: merge(ls), Versions: map[string][]kms.KeyVersion{},
		MissingKeyRef: "no-such-key", MaxPageSize: 50, Provider: kms.ProviderYandex}
	for _, f := range fs {
		fx.Keys = append(fx.Keys, f.Keys()...)
		for id, vs := range f.Versions() {
			fx.Versions[id] = vs
		}
	}
	fx.Requests = func() int { return totalCalls(fs) }
	return fx
}

// uniformFakes are fakes() all of one provider (Yandex): the conformance
// suite wants one provider on every key and error.
func uniformFakes() []*kmstest.Fake {
	fs := fakes()
	for i, f := range fs {
		keys := f.Keys()
		for j := range keys {
			keys[j].Provider, keys[j].ARN = kms.ProviderYandex, ""
		}
		fs[i] = kmstest.NewFake(keys, kmstest.WithProvider(kms.ProviderYandex), kmstest.WithShape(clouds[i].shape),
			kmstest.WithMaxPageSize(50), kmstest.WithVersions(f.Versions()))
	}
	return fs
}

func TestMergeResumeAcrossListers(t *testing.T) {
	fs := fakes()
	m := merge(fs)
	var want []string
	for _, f := range fs {
		for _, k := range f.Keys() {
			want = append(want, k.ID)
		}
	}
	for _, size := range []int{1, 2, 3, 50} {
		for stop := 0; stop <= len(want); stop++ {
			got := resumeAfter(t, m, kms.ListOptions{PageSize: size}, stop)
			if msg := exactlyOnce(got, want); msg != "" {
				t.Errorf("PageSize %d, stop after %d: %s", size, stop, msg)
			}
		}
	}
}

// resumeAfter takes stop items, then lists the rest from the cursor with a
// new iterator, and returns all the IDs.
func resumeAfter(t *testing.T, l kms.Lister, opts kms.ListOptions, stop int) []string {
	t.Helper()
	var got []string
	it := l.ListKeys(context.Background(), opts)
	if stop > 0 {
		for k, err := range it.All() {
			if err != nil {
				t.Fatal(err)
			}
			if got = append(got, k.ID); len(got) == stop {
				break
			}
		}
	}
	if opts.Cursor = it.Cursor(); stop > 0 && opts.Cursor == "" {
		return got
	}
	for k, err := range l.ListKeys(context.Background(), opts).All() {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, k.ID)
	}
	return got
}

// exactlyOnce checks that got holds every ID of want exactly once and, as a
// merged listing keeps each lister's order, that the IDs of one lister
// (their prefix up to the "-") come in want's order; "" if so.
func exactlyOnce(got, want []string) string {
	seen := map[string]int{}
	for _, id := range got {
		seen[id]++
	}
	var lost, repeated []string
	for _, id := range want {
		switch seen[id] {
		case 0:
			lost = append(lost, id)
		case 1:
		default:
			repeated = append(repeated, id)
		}
		delete(seen, id)
	}
	if len(lost) > 0 || len(repeated) > 0 || len(seen) > 0 || len(got) != len(want) {
		return fmt.Sprintf("got %v: lost %v, repeated %v, unexpected %v", got, lost, repeated, seen)
	}
	group := func(id string) string { return id[:strings.LastIndex(id, "-")] }
	for g := range slices.Values(want) {
		var a, b []string
		for _, id := range got {
			if group(id) == group(g) {
				a = append(a, id)
			}
		}
		for _, id := range want {
			if group(id) == group(g) {
				b = append(b, id)
			}
		}
		if !slices.Equal(a, b) {
			return fmt.Sprintf("got %v: lister %s out of order: %v, want %v", got, group(g), a, b)
		}
	}
	return ""
}

// TestMergeResumeManyListers resumes a merge of more listers than it
// lists at once, from every break point.
func TestMergeResumeManyListers(t *testing.T) {
	var listers []kms.Lister
	var want []string
	for i := range 6 {
		keys := []kms.Key{{ID: fmt.Sprintf("l%d-a", i)}, {ID: fmt.Sprintf("l%d-b", i)}}
		listers = append(listers, kmstest.NewFake(keys, kmstest.WithProvider(kms.Provider(fmt.Sprint("p", i)))))
		want = append(want, keyIDs(keys)...)
	}
	m := kms.NewMerge(listers, kms.MergeConcurrency(4))
	for stop := 0; stop <= len(want); stop++ {
		if msg := exactlyOnce(resumeAfter(t, m, kms.ListOptions{PageSize: 1}, stop), want); msg != "" {
			t.Errorf("stop after %d: %s", stop, msg)
		}
	}
}

func totalCalls(fs []*kmstest.Fake) int {
	n := 0
	for _, f := range fs {
		n += f.Calls()
	}
	return n
}

func keyIDs(keys []kms.Key) []string {
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = k.ID
	}
	return ids
}

func TestMergeMaxItems(t *testing.T) {
	m := merge(fakes())
	it := m.ListKeys(context.Background(), kms.ListOptions{PageSize: 2, MaxItems: 7})
	var got []string
	for k, err := range it.All() {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, k.ID)
	}
	if len(got) != 7 || exactlyOnce(got, got) != "" {
		t.Errorf("MaxItems 7: got %v, want 7 distinct keys", got)
	}
	all := map[string]bool{}
	for _, f := range fakes() {
		for _, k := range f.Keys() {
			all[k.ID] = true
		}
	}
	for _, id := range got {
		if !all[id] {
			t.Errorf("MaxItems 7: unexpected key %s", id)
		}
	}
	if _, err := collectKeys(m.ListKeys(context.Background(), kms.ListOptions{MaxItems: -1})); !errors.Is(err, kms.ErrInvalidArgument) {
		t.Errorf("MaxItems -1: %v", err)
	}
}

func collectKeys(it *pagination.Iterator[kms.Key]) ([]kms.Key, error) {
	var out []kms.Key
	for k, err := range it.All() {
		if err != nil {
			return out, err
		}
		out = append(out, k)
	}
	return out, nil
}

func describeCalls(fs []*kmstest.Fake) []int {
	n := make([]int, len(fs))
	for i, f := range fs {
		n[i] = f.CallsTo("DescribeKey")
	}
	return n
}

func TestMergeDescribeKeyRouting(t *testing.T) {
	tests := []struct {
		ref   string
		id    string // "" = not found
		calls []int  // DescribeKey requests per lister
	}{
		{"arn:aws:kms:eu-west-1:111122223333:key/aws-02", "aws-02", []int{1, 0, 0}},
		{"acs:kms:cn-hangzhou:123456:key/ali-01", "ali-01", []int{0, 1, 0}},
		{"aws-01", "aws-01", []int{1, 1, 1}}, // asked concurrently
		{"yc-03", "yc-03", []int{1, 1, 1}},   // asked concurrently

		{"arn:aws:kms:eu-west-1:111122223333:key/nope", "", []int{1, 0, 0}},
		{"nope", "", []int{1, 1, 1}},
	}
	for _, tt := range tests {
		fs := fakes()
		k, err := merge(fs).DescribeKey(context.Background(), tt.ref)
		switch {
		case tt.id == "" && !errors.Is(err, kms.ErrNotFound):
			t.Errorf("DescribeKey(%q): %v, want ErrNotFound", tt.ref, err)
		case tt.id != "" && (err != nil || k.ID != tt.id):
			t.Errorf("DescribeKey(%q): %v, %v; want key %s", tt.ref, k.ID, err, tt.id)
		}
		if got := describeCalls(fs); !atMost(got, tt.calls) {
			t.Errorf("DescribeKey(%q): requests per lister %v, want at most %v", tt.ref, got, tt.calls)
		}
	}
}

// atMost reports whether got[i] <= limit[i] for every i, and got[i] ==
// limit[i] where limit[i] is 0 or the lister holding the key (limit 1 in the
// tables, with other listers cancelled once it answers, may get 0 or 1).
func atMost(got, limit []int) bool {
	for i := range got {
		if got[i] > limit[i] {
			return false
		}
	}
	return len(got) == len(limit)
}

func TestMergeDescribeKeyErrors(t *testing.T) {
	denied := kms.NewError(kms.ProviderAWS, "DescribeKey", kms.CodePermissionDenied, errors.New("denied"))
	fs := fakes()
	fs[0] = kmstest.NewFake(fs[0].Keys(), kmstest.WithProvider(kms.ProviderAWS), kmstest.WithFailure(1, denied))
	_, err := merge(fs).DescribeKey(context.Background(), "nope")
	if !errors.Is(err, kms.ErrPermissionDenied) {
		t.Errorf("a denied lister, no lister holding the key: got %v, want its ErrPermissionDenied", err)
	}
	// A key another lister holds is found whatever a denied lister says.
	fs[0] = kmstest.NewFake(fs[0].Keys(), kmstest.WithProvider(kms.ProviderAWS), kmstest.WithFailure(1, denied))
	if k, err := merge(fs).DescribeKey(context.Background(), "yc-00"); err != nil || k.ID != "yc-00" {
		t.Errorf("a denied lister, the key in another: got %v, %v; want yc-00", k.ID, err)
	}
	if _, err := merge(fakes()).DescribeKey(context.Background(), ""); !errors.Is(err, kms.ErrInvalidArgument) {
		t.Errorf(`DescribeKey(""): %v`, err)
	}
	if _, err := kms.Merge().DescribeKey(context.Background(), "x"); !errors.Is(err, kms.ErrNotFound) {
		t.Errorf("empty Merge: %v", err)
	}
}

func TestMergeSkipsListersThatRejectTheRef(t *testing.T) {
	invalid := kms.InvalidArgument(kms.ProviderYandex, "DescribeKey", "keyId", "bad format")
	picky := new(kmstest.Mock)
	picky.On("DescribeKey", mock.Anything, "aws-01").Return(kms.Key{}, invalid)
	fs := fakes()
	k, err := kms.Merge(picky, fs[0]).DescribeKey(context.Background(), "aws-01")
	if err != nil || k.ID != "aws-01" {
		t.Errorf("got %v, %v; want aws-01 from the second lister", k.ID, err)
	}
	picky.On("DescribeKey", mock.Anything, "zz").Return(kms.Key{}, invalid)
	if _, err := kms.Merge(picky, picky).DescribeKey(context.Background(), "zz"); !errors.Is(err, kms.ErrInvalidArgument) {
		t.Errorf("every lister rejects the ref: got %v, want ErrInvalidArgument", err)
	}
	picky.AssertExpectations(t)
}

func TestMergeARNAsksListersOfUnknownProvider(t *testing.T) {
	arn := "arn:aws:kms:eu-west-1:111122223333:key/aws-00"
	m := new(kmstest.Mock)
	m.On("DescribeKey", mock.Anything, arn).Return(kms.Key{ID: "aws-00"}, nil)
	ali := fakes()[1]
	k, err := kms.Merge(ali, m).DescribeKey(context.Background(), arn)
	if err != nil || k.ID != "aws-00" {
		t.Errorf("got %v, %v", k.ID, err)
	}
	if n := ali.Calls(); n != 0 {
		t.Errorf("the Alibaba lister got %d requests for an AWS ARN", n)
	}
}

func TestMergeListKeyVersionsRouting(t *testing.T) {
	tests := []struct {
		ref      string
		want     []string
		describe []int
	}{
		{"arn:aws:kms:eu-west-1:111122223333:key/aws-00", []string{"aws-00-v1", "aws-00-v2"}, []int{0, 0, 0}},
		{"yc-00", []string{"yc-00-v1", "yc-00-v2"}, []int{1, 1, 1}},
		{"ali-00", []string{"ali-00-v1", "ali-00-v2"}, []int{1, 1, 1}}, // asked concurrently
	}
	for _, tt := range tests {
		fs := fakes()
		var got []string
		for v, err := range merge(fs).ListKeyVersions(context.Background(), tt.ref, kms.ListOptions{PageSize: 1}).All() {
			if err != nil {
				t.Fatalf("ListKeyVersions(%q): %v", tt.ref, err)
			}
			got = append(got, v.ID)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("ListKeyVersions(%q) = %v, want %v", tt.ref, got, tt.want)
		}
		if calls := describeCalls(fs); !atMost(calls, tt.describe) {
			t.Errorf("ListKeyVersions(%q): DescribeKey requests %v, want at most %v", tt.ref, calls, tt.describe)
		}
	}
}

func TestMergeNil(t *testing.T) {
	f := fakes()[2]
	keys, err := collectKeys(kms.Merge(nil, f, nil).ListKeys(context.Background(), kms.ListOptions{}))
	if err != nil || len(keys) != 5 {
		t.Errorf("got %d keys, %v", len(keys), err)
	}
	keys, err = collectKeys(kms.Merge().ListKeys(context.Background(), kms.ListOptions{}))
	if err != nil || len(keys) != 0 {
		t.Errorf("empty Merge: %d keys, %v", len(keys), err)
	}
}

// TestMergeFleetConformance runs the fleet cases on the default
// (concurrent) Merge of three Fakes of 5 keys each, one per page shape,
// named (ScopedLister) so that a Merge of some of them (Subset) names them
// alike.
func TestMergeFleetConformance(t *testing.T) {
	var (
		mu      sync.Mutex
		members = map[kms.Lister][]kms.Lister{}
	)
	subset := func(t *testing.T, fx kmstest.FleetFixture, keep []int) kms.Lister {
		mu.Lock()
		defer mu.Unlock()
		var ls []kms.Lister
		for _, i := range keep {
			ls = append(ls, members[fx.Lister][i])
		}
		return kms.Merge(ls...)
	}
	kmstest.RunFleetConformance(t, kmstest.FleetHarness{Subset: subset, Setup: func(t *testing.T, failScope int) kmstest.FleetFixture {
		shapes := []kmstest.Shape{kmstest.ByMarker, kmstest.ByPageNumber, kmstest.ByPageToken}
		providers := []kms.Provider{kms.ProviderAWS, kms.ProviderAlibaba, kms.ProviderYandex}
		var (
			fx      = kmstest.FleetFixture{MaxPageSize: 50, PerScope: 1, PerKey: 1} // a DetailFull Fake describes each key
			listers []kms.Lister
		)
		for i, shape := range shapes {
			keys := make([]kms.Key, 5)
			for j := range keys {
				keys[j] = kms.Key{ID: fmt.Sprintf("s%d-%02d", i, j), State: kms.StateEnabled}
			}
			versions := map[string][]kms.KeyVersion{keys[0].ID: {{KeyID: keys[0].ID, ID: "v1"}, {KeyID: keys[0].ID, ID: "v2"}}}
			opts := []kmstest.Option{kmstest.WithProvider(providers[i]), kmstest.WithShape(shape),
				kmstest.WithMaxPageSize(50), kmstest.WithVersions(versions)}
			if i == failScope {
				denied := kms.NewError(providers[i], "ListKeys", kms.CodePermissionDenied, errors.New("denied (injected)"))
				opts = append(opts, kmstest.WithFailure(2, denied))
			}
			f := kmstest.NewFake(keys, opts...)
			listers = append(listers, scoped{f, fmt.Sprintf("s%d", i)})
			fx.Scopes = append(fx.Scopes, kmstest.FleetScope{Name: fmt.Sprintf("%s/s%d", providers[i], i), Keys: f.Keys(), Requests: f.Calls})
		}
		fx.Lister = kms.Merge(listers...)
		mu.Lock()
		members[fx.Lister] = listers
		mu.Unlock()
		return fx
	}})
}

// scoped is a Fake that names its scope.
type scoped struct {
	*kmstest.Fake
	name string
}

func (s scoped) Scope() string { return s.name }

func TestMergeScopeNamesAndOptions(t *testing.T) {
	denied := kms.NewError(kms.ProviderAWS, "ListKeys", kms.CodePermissionDenied, errors.New("denied (injected)"))
	keys := []kms.Key{{ID: "a"}, {ID: "b"}}
	named := scoped{kmstest.NewFake(keys, kmstest.WithProvider(kms.ProviderAWS), kmstest.WithFailure(1, denied)), "eu-south-2/111122223333"}
	plain := kmstest.NewFake(keys, kmstest.WithProvider(kms.ProviderAWS), kmstest.WithFailure(1, denied))
	var mu sync.Mutex
	events := map[pagination.EventKind][]string{}
	obs := func(e pagination.Event) {
		mu.Lock()
		events[e.Kind] = append(events[e.Kind], e.Scope)
		mu.Unlock()
	}
	_, err := collectKeys(kms.NewMerge([]kms.Lister{named, plain}, kms.MergeObserver(obs)).ListKeys(context.Background(), kms.ListOptions{}))
	var names []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var se *kms.ScopeError
		if !errors.As(e, &se) || !errors.Is(e, kms.ErrPermissionDenied) {
			t.Fatalf("failure %v: want a *kms.ScopeError reaching ErrPermissionDenied", e)
		}
		names = append(names, se.Scope)
	}
	slices.Sort(names)
	if want := []string{"aws#0", "aws/eu-south-2/111122223333"}; !slices.Equal(names, want) {
		t.Errorf("scope names %v, want %v", names, want)
	}
	mu.Lock()
	failed, started := slices.Sorted(slices.Values(events[pagination.EventScopeFailed])), len(events[pagination.EventScopeStarted])
	requests := len(events[pagination.EventRequest])
	mu.Unlock()
	if !slices.Equal(failed, names) || started != 2 || requests < 2 {
		t.Errorf("events: failed %v, %d started, %d requests", failed, started, requests)
	}
	for _, n := range []int{0, -1} {
		_, err := collectKeys(kms.NewMerge([]kms.Lister{plain}, kms.MergeConcurrency(n)).ListKeys(context.Background(), kms.ListOptions{}))
		if !errors.Is(err, kms.ErrInvalidArgument) || !strings.Contains(err.Error(), "MergeConcurrency") {
			t.Errorf("MergeConcurrency(%d): %v", n, err)
		}
	}
}

// TestMergeDescribeKeyInclude: a Merge is a kms.IncludeDescriber that asks
// the listers that may hold the key for its extras.
func TestMergeDescribeKeyInclude(t *testing.T) {
	fs := uniformFakes()
	m := merge(fs)
	if _, ok := m.(kms.IncludeDescriber); !ok {
		t.Fatal("a Merge is no kms.IncludeDescriber")
	}
	want := fs[2].Keys()[1]
	k, err := kms.Describe(context.Background(), m, want.ID, 0)
	if err != nil || k.ID != want.ID {
		t.Fatalf("Describe(%s, 0): %v, %v", want.ID, k.ID, err)
	}
	if _, err := kms.Describe(context.Background(), m, want.ID, kms.Include(1<<10)); !errors.Is(err, kms.ErrInvalidArgument) {
		t.Errorf("a bad Include: %v, want ErrInvalidArgument", err)
	}
	if _, err := kms.Describe(context.Background(), m, "no-such-key", kms.IncludeTags); err == nil {
		t.Error("a missing key with IncludeTags: no error")
	}
}
