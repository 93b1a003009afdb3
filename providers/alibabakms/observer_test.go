package alibabakms_test

import (
	"errors"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	alikms "github.com/aliyun/alibaba-cloud-sdk-go/services/kms"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
	"github.com/multikms/multikms/pagination"
	"github.com/multikms/multikms/providers/alibabakms"
	emu "github.com/multikms/multikms/providers/alibabakms/alibabakmstest"
)

// events records what an Observer is told.
type events struct {
	mu  sync.Mutex
	ops map[string]int
	bad int
}

func (e *events) observe(ev pagination.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if ev.Kind == pagination.EventRequest {
		e.ops[ev.Op]++
	}
	if ev.Kind == pagination.EventDetailFailed || ev.Kind == pagination.EventRetryWait {
		e.bad++
	}
}

// TestObserverSeesEveryRequest: WithObserver is told of every request of
// pages, describes, alias pages, tags and single calls, with its Op, as
// many as the server received.
func TestObserverSeesEveryRequest(t *testing.T) {
	ev := &events{ops: map[string]int{}}
	s, l := demo(t, alibabakms.WithObserver(ev.observe))
	s.FailNext("DescribeKey", 1, 503, "ServiceUnavailable")
	if _, err := kmstest.Collect(l.ListKeys(bg, kms.ListOptions{PageSize: 5, Detail: kms.DetailFull, Include: kms.IncludeTags})); err != nil {
		t.Fatal(err)
	}
	if _, err := l.DescribeKey(bg, "alias/app-data"); err != nil {
		t.Fatal(err)
	}
	if _, err := kmstest.Collect(l.ListKeyVersions(bg, "alias/app-data", kms.ListOptions{})); err != nil {
		t.Fatal(err)
	}
	for _, op := range []string{"ListKeys", "DescribeKey", "ListAliasesByKeyId", "ListResourceTags", "ListKeyVersions"} {
		if ev.ops[op] == 0 || ev.ops[op] != s.Count(op) {
			t.Errorf("%s: observed %d requests, the server received %d", op, ev.ops[op], s.Count(op))
		}
	}
	if ev.bad != 1 {
		t.Errorf("%d retry waits observed, want 1", ev.bad)
	}
}

// TestScopeNamesTheClientsRegion: New takes the region the client was made
// for into the cursor scope, so that a cursor of one region is refused by a
// Lister of another.
func TestScopeNamesTheClientsRegion(t *testing.T) {
	s := emu.New(emu.WithKeys(emu.DemoKeys(emu.DefaultAccount)...))
	t.Cleanup(s.Close)
	lister := func(region string) *alibabakms.Lister {
		cfg := sdk.NewConfig()
		cfg.Scheme = "HTTP"
		id, secret := s.AccessKey()
		c, err := alikms.NewClientWithOptions(region, cfg, credentials.NewAccessKeyCredential(id, secret))
		if err != nil {
			t.Fatal(err)
		}
		c.Domain = s.Host()
		return alibabakms.New(c, noPacing)
	}
	a, b := lister("cn-hangzhou"), lister("cn-shanghai")
	it := a.ListKeys(bg, kms.ListOptions{PageSize: 3})
	for range it.All() {
		break
	}
	if _, err := kmstest.Collect(b.ListKeys(bg, kms.ListOptions{Cursor: it.Cursor()})); !errors.Is(err, kms.ErrInvalidCursor) {
		t.Errorf("a cn-hangzhou cursor resumed a cn-shanghai listing: %v", err)
	}
	if keys, err := kmstest.Collect(lister("cn-hangzhou").ListKeys(bg, kms.ListOptions{Cursor: it.Cursor()})); err != nil || len(keys) != 13 {
		t.Errorf("same region: %d keys, %v", len(keys), err)
	}
}

// TestCloseOwnedClient: Close of a Lister from NewFromConfig leaves no
// connection goroutine behind.
func TestCloseOwnedClient(t *testing.T) {
	s := emu.New(emu.WithKeys(emu.DemoKeys(emu.DefaultAccount)...))
	t.Cleanup(s.Close)
	setEnv(t, s, false)
	before := goleak.IgnoreCurrent()
	l, err := alibabakms.NewFromConfig(bg, alibabakms.WithEndpoint(s.URL()), noPacing)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kmstest.Collect(l.ListKeys(bg, kms.ListOptions{Detail: kms.DetailFull})); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	goleak.VerifyNone(t, append(leakOptions[2:], before)...)
}

// TestScope: the Lister names its region and endpoint for kms.Merge.
func TestScope(t *testing.T) {
	s, l := demo(t)
	var sl kms.ScopedLister = l
	if got, want := sl.Scope(), "cn-hangzhou/"+s.Host(); got != want {
		t.Errorf("Scope() = %q, want %q", got, want)
	}
}
