package alibabakms_test

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	alikms "github.com/aliyun/alibaba-cloud-sdk-go/services/kms"
	"go.uber.org/goleak"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
	"github.com/multikms/multikms/providers/alibabakms"
	emu "github.com/multikms/multikms/providers/alibabakms/alibabakmstest"
)

// TestBadInputSendsNothing: every bad input is refused with
// ErrInvalidArgument (or ErrInvalidCursor) before any request.
func TestBadInputSendsNothing(t *testing.T) {
	s, l := demo(t)
	tooMany := make([]kms.KeyState, 11)
	for i := range tooMany {
		tooMany[i] = kms.StateEnabled
	}
	lists := map[string]kms.ListOptions{
		"PageSize -1":     {PageSize: -1},
		"PageSize 101":    {PageSize: 101},
		"MaxItems -1":     {MaxItems: -1},
		"unknown state":   {Filter: kms.Filter{States: []kms.KeyState{"Bogus"}}},
		"unknown usage":   {Filter: kms.Filter{Usages: []kms.KeyUsage{"Wrap"}}},
		"11 states":       {Filter: kms.Filter{States: tooMany}},
		"empty spec":      {Filter: kms.Filter{Specs: []string{" "}}},
		"garbage cursor":  {Cursor: "garbage!"},
		"cursor of other": {Cursor: otherCursor(t)},
	}
	for name, opts := range lists {
		_, err := kmstest.Collect(l.ListKeys(bg, opts))
		if !errors.Is(err, kms.ErrInvalidArgument) && !errors.Is(err, kms.ErrInvalidCursor) {
			t.Errorf("ListKeys %s: %v", name, err)
		}
	}
	for name, opts := range map[string]kms.ListOptions{"PageSize 101": {PageSize: 101}, "PageSize -1": {PageSize: -1}, "MaxItems -1": {MaxItems: -1}} {
		if _, err := kmstest.Collect(l.ListKeyVersions(bg, "key-hzz630494460001", opts)); !errors.Is(err, kms.ErrInvalidArgument) {
			t.Errorf("ListKeyVersions %s: %v", name, err)
		}
	}
	for _, ref := range badRefs() {
		_, err := l.DescribeKey(bg, ref)
		checkBadRef(t, "DescribeKey", ref, err)
		_, err = kmstest.Collect(l.ListKeyVersions(bg, ref, kms.ListOptions{}))
		checkBadRef(t, "ListKeyVersions", ref, err)
		_, err = l.DescribeKeyVersion(bg, ref, "v1")
		checkBadRef(t, "DescribeKeyVersion", ref, err)
	}
	versions := map[string]kms.ListOptions{
		"Filter":  {Filter: kms.Filter{States: []kms.KeyState{kms.StateEnabled}}},
		"Include": {Include: kms.IncludeTags},
		"Detail":  {Detail: kms.DetailFull},
	}
	for param, opts := range versions {
		_, err := kmstest.Collect(l.ListKeyVersions(bg, "key-hzz630494460001", opts))
		if !errors.Is(err, kms.ErrInvalidArgument) || !strings.Contains(err.Error(), "parameter "+param) {
			t.Errorf("ListKeyVersions with %s: %v", param, err)
		}
	}
	if _, err := l.DescribeKeyVersion(bg, "key-hzz630494460001", ""); !errors.Is(err, kms.ErrInvalidArgument) {
		t.Errorf("DescribeKeyVersion: %v", err)
	}
	c, err := s.Client()
	if err != nil {
		t.Fatal(err)
	}
	for name, opt := range map[string]alibabakms.Option{
		"creator": alibabakms.WithCreatorTypes("Robot"), "instance": alibabakms.WithDKMSInstances("abc"),
	} {
		if _, err := kmstest.Collect(alibabakms.New(c, opt).ListKeys(bg, kms.ListOptions{})); !errors.Is(err, kms.ErrInvalidArgument) {
			t.Errorf("option %s: %v", name, err)
		}
	}
	if n := s.Requests(); n != 0 {
		t.Fatalf("%d requests reached the emulator", n)
	}
}

// badRefs are key references of the wrong shape or size.
func badRefs() []string {
	return []string{"", "  ", "alias/", "alias/a b", "acs:kms::123:key/x", "acs:ecs:r:a:key/x", "acs:kms:cn-hangzhou:12a:key/x",
		"acs:kms:cn-hangzhou:123:key/", "a b", "key/x", "key-\x00nul", "key-\xff\xfe", strings.Repeat("k", 5000),
		strings.Repeat("k", 10<<20), "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
		"alias/" + strings.Repeat("a", 250)}
}

// checkBadRef asserts err refuses ref naming keyRef, with one "kms: " prefix
// and without quoting it.
func checkBadRef(t *testing.T, call, ref string, err error) {
	t.Helper()
	short := ref
	if len(short) > 40 {
		short = short[:40] + "..."
	}
	var ke *kms.Error
	switch {
	case !errors.Is(err, kms.ErrInvalidArgument) || !errors.As(err, &ke) || ke.Op != call || ke.Provider != kms.ProviderAlibaba:
		t.Errorf("%s(%q): %v", call, short, err)
	case !strings.Contains(err.Error(), "parameter keyRef") || strings.Count(err.Error(), "kms: ") != 1 || len(err.Error()) > 300:
		t.Errorf("%s(%q): message %q", call, short, err)
	case len(ref) > 8 && strings.Contains(err.Error(), ref):
		t.Errorf("%s(%q): the message quotes the reference", call, short)
	}
}

// otherCursor returns a valid cursor of another listing (another filter).
func otherCursor(t *testing.T) string {
	_, l := demo(t)
	it := l.ListKeys(bg, kms.ListOptions{PageSize: 2, Filter: kms.Filter{States: []kms.KeyState{kms.StateEnabled}}})
	for range it.All() {
		break
	}
	return it.Cursor()
}

func TestDeniedDescribeKeepsKey(t *testing.T) {
	keys := emu.DemoKeys(emu.DefaultAccount)
	keys[4].DenyDescribe = true
	_, l := setup(t, []emu.Option{emu.WithKeys(keys...)})
	got, err := kmstest.Collect(l.ListKeys(bg, kms.ListOptions{Detail: kms.DetailFull, Include: kms.IncludeTags}))
	if err != nil || len(got) != len(keys) {
		t.Fatalf("%d keys, %v", len(got), err)
	}
	for i, k := range got {
		if i == 4 {
			if !errors.Is(k.DetailErr, kms.ErrPermissionDenied) || k.ID != keys[4].ID || k.ARN == "" || k.Detail != kms.DetailBasic {
				t.Errorf("denied key: %+v", k)
			}
			continue
		}
		if k.DetailErr != nil || k.State == kms.StateUnknown || k.Detail != kms.DetailFull {
			t.Errorf("key %d: %+v", i, k)
		}
	}
	if got[0].Labels["env"] != "prod" || !slices.Equal(got[0].Aliases, keys[0].Aliases) {
		t.Errorf("first key: labels %v aliases %v", got[0].Labels, got[0].Aliases)
	}
	var listed alikms.Key
	var meta alikms.KeyMetadata
	if !got[0].As(&listed) || !got[0].As(&meta) || listed.KeyArn != got[0].ARN || meta.KeyId != got[0].ID {
		t.Errorf("natives: %+v %+v", listed, meta)
	}
}

func TestClientSideFilters(t *testing.T) {
	s, l := demo(t)
	got, err := kmstest.Collect(l.ListKeys(bg, kms.ListOptions{Filter: kms.Filter{Origins: []string{"EXTERNAL"}}}))
	if err != nil || !slices.Equal(ids(got), []string{"key-hzz630494460009", "key-hzz630494460010"}) {
		t.Fatalf("origins: %v %v", ids(got), err)
	}
	if got[0].Detail != kms.DetailBasic || got[0].Origin != "EXTERNAL" {
		t.Errorf("described key: %+v", got[0])
	}
	s.ResetCounts()
	got, err = kmstest.Collect(l.ListKeys(bg, kms.ListOptions{Filter: kms.Filter{States: []kms.KeyState{kms.StateCreating}}}))
	if err != nil || len(got) != 0 || s.Requests() != 0 {
		t.Fatalf("unmatchable filter: %v %v, %d requests", ids(got), err, s.Requests())
	}
	_, l2 := demo(t, alibabakms.WithCreatorTypes("Service"))
	got, err = kmstest.Collect(l2.ListKeys(bg, kms.ListOptions{}))
	if err != nil || !slices.Equal(ids(got), []string{"key-hzz630494460011", "key-hzz630494460012"}) {
		t.Fatalf("creator types: %v %v", ids(got), err)
	}
	_, l3 := demo(t, alibabakms.WithDKMSInstances("kst-hzz65f176a0ogplgq****"))
	got, err = kmstest.Collect(l3.ListKeys(bg, kms.ListOptions{}))
	if err != nil || !slices.Equal(ids(got), []string{"key-hzz630494460002"}) {
		t.Fatalf("instances: %v %v", ids(got), err)
	}
}

// TestThrottlingAndFailuresAreRetried: throttled (429 Rejected.Throttling,
// 400 Throttling.User) and 5xx answers to pages and describes are retried;
// the listing completes and no failure reaches the caller.
func TestThrottlingAndFailuresAreRetried(t *testing.T) {
	s, l := setup(t, []emu.Option{emu.WithGeneratedKeys(40, 3)})
	s.FailNext("ListKeys", 2, 429, "Rejected.Throttling")
	s.FailNext("ListKeys", 1, 503, "ServiceUnavailable")
	s.FailNext("DescribeKey", 2, 400, "Throttling.User")
	s.FailNext("DescribeKey", 2, 500, "InternalError")
	s.FailNext("ListAliases", 2, 429, "Rejected.Throttling")
	got, err := kmstest.Collect(l.ListKeys(bg, kms.ListOptions{Detail: kms.DetailFull, PageSize: 5}))
	if err != nil || len(got) != 40 {
		t.Fatalf("%d keys, %v", len(got), err)
	}
	for _, k := range got {
		if k.DetailErr != nil {
			t.Fatalf("key %s: %v", k.ID, k.DetailErr)
		}
	}
	// 8 pages, 40 describes, one ListAliases page (40 aliases: one pass is
	// cheaper than 40 ListAliasesByKeyId), and the 9 failures retried.
	if want := 8 + 3 + 40 + 4 + 1 + 2; s.Requests() != want {
		t.Errorf("%d requests, want %d (each failure retried once)", s.Requests(), want)
	}
}

func TestTotalCountChangesMidListing(t *testing.T) {
	grow := func(_ string, call, actual int) int { return actual - 10 + call*3 }
	_, l := setup(t, []emu.Option{emu.WithGeneratedKeys(30, 1), emu.WithTotalCount(grow)}, alibabakms.WithPrefetch(0))
	got, err := kmstest.Collect(l.ListKeys(bg, kms.ListOptions{PageSize: 5}))
	if err != nil || len(got) != 30 {
		t.Fatalf("%d keys, %v", len(got), err)
	}
	// Sequential pages: page 3 is fetched after the key is added.
	s, l2 := demo(t, alibabakms.WithPrefetch(0))
	it := l2.ListKeys(bg, kms.ListOptions{PageSize: 5})
	var seen []string
	for k, err := range it.All() {
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, k.ID)
		if len(seen) == 1 {
			s.AddKeys(emu.Key{ID: "key-late-arrival", State: "Enabled"})
		}
	}
	if len(seen) != 15 || seen[14] != "key-late-arrival" {
		t.Fatalf("growing list: %v", seen)
	}
}

// TestConcurrentUse lists and describes from many goroutines through two
// Listers over one SDK client: -race checks the adapter serialises the
// SDK's writes to shared client state.
func TestConcurrentUse(t *testing.T) {
	s := emu.New(emu.WithGeneratedKeys(60, 5))
	t.Cleanup(s.Close)
	c, err := s.Client()
	if err != nil {
		t.Fatal(err)
	}
	listers := []*alibabakms.Lister{alibabakms.New(c, noPacing), alibabakms.New(c, noPacing)}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 4 {
		l := listers[i%2]
		wg.Add(2)
		go func() {
			defer wg.Done()
			keys, err := kmstest.Collect(l.ListKeys(bg, kms.ListOptions{PageSize: 7, Detail: kms.DetailFull}))
			if err == nil && len(keys) != 60 {
				err = errors.New("short listing")
			}
			errs <- err
		}()
		go func() {
			defer wg.Done()
			_, err := l.DescribeKey(bg, "alias/gen5-3")
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestCloseOverCallersClient: after a listing, Close leaves no connection
// goroutine of the client (nor of the test server) running, and the
// caller's client still works.
func TestCloseOverCallersClient(t *testing.T) {
	s, l := demo(t)
	before := goleak.IgnoreCurrent()
	if _, err := kmstest.Collect(l.ListKeys(bg, kms.ListOptions{Detail: kms.DetailFull})); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	goleak.VerifyNone(t, before)
	c, err := s.Client()
	if err != nil {
		t.Fatal(err)
	}
	l2 := alibabakms.New(c)
	l2.Close()
	if _, err := l2.DescribeKey(bg, "alias/app-data"); err != nil {
		t.Fatalf("the client is not usable after Close: %v", err)
	}
	l2.Close()
}

// TestConcurrencyBoundsRequestsInFlight: once the first page told the
// total, the default Lister has up to 4 ListKeys requests in flight;
// WithPrefetch(0) one; WithConcurrency(n) bounds the pages, describes and
// alias pages of a DetailFull listing together to n. The server holds every
// request 30 ms, long enough for the requests started together to overlap.
func TestConcurrencyBoundsRequestsInFlight(t *testing.T) {
	for _, tc := range []struct {
		name     string
		opts     []alibabakms.Option
		detail   kms.Detail
		min, max int
	}{
		{"default pages", nil, kms.DetailBasic, 2, 4},
		{"WithPrefetch(0)", []alibabakms.Option{alibabakms.WithPrefetch(0)}, kms.DetailBasic, 1, 1},
		{"WithConcurrency(1) full", []alibabakms.Option{alibabakms.WithConcurrency(1)}, kms.DetailFull, 1, 1},
		{"WithConcurrency(5) full", []alibabakms.Option{alibabakms.WithConcurrency(5)}, kms.DetailFull, 2, 5},
	} {
		s, l := setup(t, []emu.Option{emu.WithGeneratedKeys(60, 3), emu.WithLatency(30 * time.Millisecond)}, tc.opts...)
		keys, err := kmstest.Collect(l.ListKeys(bg, kms.ListOptions{PageSize: 10, Detail: tc.detail}))
		if err != nil || len(keys) != 60 {
			t.Fatalf("%s: %d keys, %v", tc.name, len(keys), err)
		}
		if got := s.MaxInFlight(); got < tc.min || got > tc.max {
			t.Errorf("%s: %d requests at once, want %d to %d", tc.name, got, tc.min, tc.max)
		}
	}
}

func TestDefaultQuotaIs50PerSecond(t *testing.T) {
	s := emu.New()
	t.Cleanup(s.Close)
	c, err := s.Client()
	if err != nil {
		t.Fatal(err)
	}
	if got := alibabakms.New(c).Limiter().Limit(); got != 50 || alibabakms.DefaultRateLimit != 50 {
		t.Errorf("default pace %v a second, want the published 50", got)
	}
}
