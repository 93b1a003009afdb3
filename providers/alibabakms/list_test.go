package alibabakms_test

import (
	"errors"
	"slices"
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
	for _, ref := range []string{"", "  ", "alias/", "acs:kms:cn-hangzhou:123:alias/x", "acs:kms::123:key/x", "acs:ecs:r:a:key/x", "a b", "key/x"} {
		if _, err := l.DescribeKey(bg, ref); !errors.Is(err, kms.ErrInvalidArgument) {
			t.Errorf("DescribeKey %q: %v", ref, err)
		}
		if _, err := kmstest.Collect(l.ListKeyVersions(bg, ref, kms.ListOptions{})); !errors.Is(err, kms.ErrInvalidArgument) {
			t.Errorf("ListKeyVersions %q: %v", ref, err)
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
	s.FailNext("ListAliasesByKeyId", 2, 429, "Rejected.Throttling")
	got, err := kmstest.Collect(l.ListKeys(bg, kms.ListOptions{Detail: kms.DetailFull, PageSize: 5}))
	if err != nil || len(got) != 40 {
		t.Fatalf("%d keys, %v", len(got), err)
	}
	for _, k := range got {
		if k.DetailErr != nil {
			t.Fatalf("key %s: %v", k.ID, k.DetailErr)
		}
	}
	if want := 8 + 3 + 40 + 4 + 40 + 2; s.Requests() != want {
		t.Errorf("%d requests, want %d (each failure retried once)", s.Requests(), want)
	}
}

func TestTotalCountChangesMidListing(t *testing.T) {
	grow := func(_ string, call, actual int) int { return actual - 10 + call*3 }
	_, l := setup(t, []emu.Option{emu.WithGeneratedKeys(30, 1), emu.WithTotalCount(grow)}, alibabakms.WithConcurrency(1, 1))
	got, err := kmstest.Collect(l.ListKeys(bg, kms.ListOptions{PageSize: 5}))
	if err != nil || len(got) != 30 {
		t.Fatalf("%d keys, %v", len(got), err)
	}
	// Sequential pages: page 3 is fetched after the key is added.
	s, l2 := demo(t, alibabakms.WithConcurrency(1, 1))
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
	listers := []*alibabakms.Lister{alibabakms.New(c, alibabakms.WithRateLimit(0, 1)), alibabakms.New(c, alibabakms.WithRateLimit(0, 1))}
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

// TestCloseIdleConnections: after a listing, CloseIdleConnections leaves no
// connection goroutine of the client (nor of the emulator) running.
func TestCloseIdleConnections(t *testing.T) {
	_, l := demo(t)
	before := goleak.IgnoreCurrent()
	if _, err := kmstest.Collect(l.ListKeys(bg, kms.ListOptions{Detail: kms.DetailFull})); err != nil {
		t.Fatal(err)
	}
	l.CloseIdleConnections()
	goleak.VerifyNone(t, before)
}

// TestPagesAreFetchedConcurrently: once the first page told the total, the
// default Lister has up to 4 ListKeys requests in flight; WithConcurrency(1,
// 0) one. The emulator holds every request 50 ms, long enough for the pages
// started together to overlap.
func TestPagesAreFetchedConcurrently(t *testing.T) {
	for _, tc := range []struct {
		pages    int
		min, max int
	}{{0, 2, 4}, {1, 1, 1}} {
		s, l := setup(t, []emu.Option{emu.WithGeneratedKeys(100, 3), emu.WithLatency(50 * time.Millisecond)},
			alibabakms.WithConcurrency(tc.pages, 0))
		keys, err := kmstest.Collect(l.ListKeys(bg, kms.ListOptions{PageSize: 10}))
		if err != nil || len(keys) != 100 {
			t.Fatalf("WithConcurrency(%d): %d keys, %v", tc.pages, len(keys), err)
		}
		if got := s.MaxInFlight(); got < tc.min || got > tc.max {
			t.Errorf("WithConcurrency(%d): %d requests at once, want %d to %d", tc.pages, got, tc.min, tc.max)
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
