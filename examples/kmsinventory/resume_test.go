package main

import (
	"bufio"
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/providers/alibabakms/alibabakmstest"
	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

// decodeKeys reads JSON lines into keys.
func decodeKeys(t *testing.T, s string) []kms.Key {
	t.Helper()
	var keys []kms.Key
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var k kms.Key
		if err := json.Unmarshal(sc.Bytes(), &k); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		keys = append(keys, k)
	}
	return keys
}

// keyName identifies a key across the fleet.
func keyName(k kms.Key) string {
	return string(k.Provider) + "|" + scopeOf(k) + "|" + k.ID
}

// assertExactlyOnce checks that got holds every key of want exactly once
// and nothing else.
func assertExactlyOnce(t *testing.T, got, want []kms.Key) {
	t.Helper()
	seen := map[string]int{}
	for _, k := range got {
		seen[keyName(k)]++
	}
	for _, k := range want {
		switch n := seen[keyName(k)]; n {
		case 1:
		case 0:
			t.Errorf("key %s never listed", keyName(k))
		default:
			t.Errorf("key %s listed %d times", keyName(k), n)
		}
		delete(seen, keyName(k))
	}
	for name := range seen {
		t.Errorf("key %s listed but not in the fleet", name)
	}
}

// TestResumeChain interrupts runs at random keys (a cancelled context, as
// SIGINT gives, or -max), appending their JSON, and resumes each from the
// same -resume FILE: at the end every key of the fleet is there exactly once.
func TestResumeChain(t *testing.T) {
	want := listDemo(t, kms.ListOptions{Detail: kms.DetailFull})
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	for chain := range 3 {
		t.Run(strconv.Itoa(chain), func(t *testing.T) { resumeChain(t, rng, want) })
	}
}

// resumeChain runs one chain of interrupted runs to its end.
func resumeChain(t *testing.T, rng *rand.Rand, want []kms.Key) {
	file := filepath.Join(t.TempDir(), "inventory.cursor")
	var all strings.Builder
	runs := 0
	for ; ; runs++ {
		if runs > 4*len(want) {
			t.Fatalf("no end after %d runs", runs)
		}
		stopAt := 1 + rng.IntN(10)
		args := []string{"-o", "json", "-resume", file}
		ctx, cancel := context.WithCancel(context.Background())
		if rng.IntN(3) == 0 {
			args = append(args, "-max", strconv.Itoa(stopAt))
		} else {
			withHooks(t, func() {
				hooks.afterKey = func(n int) {
					if n == stopAt {
						cancel()
					}
				}
			})
		}
		r := runArgs(t, ctx, args...)
		cancel()
		all.WriteString(r.stdout)
		if r.code == exitDone && !strings.Contains(r.stderr, "(-max)") {
			break
		}
		if r.code != exitInterrupted && r.code != exitDone {
			t.Fatalf("run %d: exit %d\n%s", runs, r.code, r.stderr)
		}
		if !strings.Contains(r.stderr, "the cursor is saved in "+file) {
			t.Errorf("run %d: stderr does not say the cursor is saved:\n%s", runs, r.stderr)
		}
	}
	if runs == 0 {
		t.Fatal("the first run was not interrupted")
	}
	assertExactlyOnce(t, decodeKeys(t, all.String()), want)

	// The file now says the listing is done: a rerun lists nothing.
	r := runArgs(t, context.Background(), "-o", "json", "-resume", file)
	if r.code != exitDone || r.stdout != "" || !strings.Contains(r.stderr, "completed") {
		t.Errorf("rerun of a completed listing: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

// TestResumeFileRefused checks that a FILE of another fleet or filter, or
// not a resume file, is a usage error.
func TestResumeFileRefused(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "c")
	withHooks(t, func() {})
	r := runArgs(t, context.Background(), "-o", "json", "-max", "2", "-resume", file)
	if r.code != exitDone {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	r = runArgs(t, context.Background(), "-o", "json", "-filter", "state=Enabled", "-resume", file)
	if r.code != exitUsage || !strings.Contains(r.stderr, "another fleet") || r.stdout != "" {
		t.Errorf("other filter: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	junk := filepath.Join(dir, "junk")
	if err := os.WriteFile(junk, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = runArgs(t, context.Background(), "-o", "json", "-resume", junk)
	if r.code != exitUsage || !strings.Contains(r.stderr, "-resume") || r.stdout != "" {
		t.Errorf("junk file: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

// TestPartialFailure denies one scope of the demo fleet: the run exits 3,
// names the scope, and a rerun with -resume lists exactly that scope.
func TestPartialFailure(t *testing.T) {
	want := listDemo(t, kms.ListOptions{Detail: kms.DetailFull})
	file := filepath.Join(t.TempDir(), "cursor")
	withHooks(t, func() { hooks.demo.deny = map[string]bool{"aws/" + awskmstest.DemoManagement + "/eu-west-1": true} })
	r := runArgs(t, context.Background(), "-o", "json", "-resume", file)
	if r.code != exitPartial {
		t.Fatalf("exit %d, want %d\n%s", r.code, exitPartial, r.stderr)
	}
	if !strings.Contains(r.stderr, "kmsinventory: scope aws/"+awskmstest.DemoManagement+"/eu-west-1 failed: ") {
		t.Errorf("stderr does not name the failed scope:\n%s", r.stderr)
	}
	first := decodeKeys(t, r.stdout)
	hooks.demo.deny = nil
	r2 := runArgs(t, context.Background(), "-o", "json", "-resume", file)
	if r2.code != exitDone {
		t.Fatalf("rerun: exit %d\n%s", r2.code, r2.stderr)
	}
	second := decodeKeys(t, r2.stdout)
	var denied, others []kms.Key
	for _, k := range want {
		if k.Provider == kms.ProviderAWS && k.Account == awskmstest.DemoManagement && k.Region == "eu-west-1" {
			denied = append(denied, k)
		} else {
			others = append(others, k)
		}
	}
	if len(denied) == 0 {
		t.Fatal("the demo fleet has no key in the denied scope")
	}
	assertExactlyOnce(t, first, others)
	assertExactlyOnce(t, second, denied)
}

// TestSignalSavesTheCursor sends the test process a real SIGINT in the
// middle of a listing run under main's signal context: the run stops with
// exit 130 and the cursor saved, and the rerun lists the rest exactly.
func TestSignalSavesTheCursor(t *testing.T) {
	want := listDemo(t, kms.ListOptions{Detail: kms.DetailFull})
	file := filepath.Join(t.TempDir(), "cursor")
	ctx, stop := interruptContext()
	defer stop()
	withHooks(t, func() {
		hooks.afterKey = func(n int) {
			if n == 3 {
				if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
					t.Error(err)
				}
				<-ctx.Done() // the signal has arrived
			}
		}
	})
	r := runArgs(t, ctx, "-o", "json", "-resume", file)
	if r.code != exitInterrupted || !strings.Contains(r.stderr, "interrupted after ") {
		t.Fatalf("exit %d, want %d\n%s", r.code, exitInterrupted, r.stderr)
	}
	hooks.afterKey = nil
	r2 := runArgs(t, context.Background(), "-o", "json", "-resume", file)
	if r2.code != exitDone {
		t.Fatalf("rerun: exit %d\n%s", r2.code, r2.stderr)
	}
	assertExactlyOnce(t, decodeKeys(t, r.stdout+r2.stdout), want)
}

// TestGoneScopeResumesWhenBack: a scope that failed is kept in the cursor;
// a rerun over a fleet without it reports it gone (exit 3, with a hint on
// what the resume file will do), lists nothing again, and a rerun once it
// is back lists its keys: every key exactly once over the chain.
func TestGoneScopeResumesWhenBack(t *testing.T) {
	const region = "alibaba/" + alibabakmstest.DefaultAccount + "/eu-central-1"
	want := listDemo(t, kms.ListOptions{Detail: kms.DetailFull})
	file := filepath.Join(t.TempDir(), "cursor")
	withHooks(t, func() { hooks.demo.deny = map[string]bool{region: true} })
	r1 := runArgs(t, context.Background(), "-o", "json", "-resume", file)
	if r1.code != exitPartial {
		t.Fatalf("exit %d, want %d\n%s", r1.code, exitPartial, r1.stderr)
	}
	hooks.demo.deny, hooks.demo.drop = nil, map[string]bool{region: true}
	r2 := runArgs(t, context.Background(), "-o", "json", "-resume", file)
	if r2.code != exitPartial {
		t.Fatalf("rerun without the region: exit %d, want %d\n%s", r2.code, exitPartial, r2.stderr)
	}
	if !strings.Contains(r2.stderr, "eu-central-1.alibaba.demo.localhost is no longer in the fleet; "+file+" keeps its cursor") {
		t.Errorf("stderr does not say the scope is gone and what the file does:\n%s", r2.stderr)
	}
	if got := decodeKeys(t, r2.stdout); len(got) != 0 {
		t.Errorf("rerun without the region listed %d keys, want none", len(got))
	}
	hooks.demo.drop = nil
	r3 := runArgs(t, context.Background(), "-o", "json", "-resume", file)
	if r3.code != exitDone {
		t.Fatalf("rerun with the region back: exit %d\n%s", r3.code, r3.stderr)
	}
	assertExactlyOnce(t, append(decodeKeys(t, r1.stdout), decodeKeys(t, r3.stdout)...), want)
}
