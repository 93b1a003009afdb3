package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/multikms/multikms/kms"
)

// requestID matches the request IDs the SDKs put in error messages: the
// test servers make them random, so goldens hold a placeholder.
var requestID = regexp.MustCompile(`RequestID: [0-9a-f-]+`)

// checkGolden compares got with testdata/name, or rewrites it with -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	got = requestID.ReplaceAllString(got, "RequestID: <id>")
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it):\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// sortedLines sorts the lines of a stream after its first header lines:
// the fleet interleaves scopes in no promised order.
func sortedLines(s string, header int) string {
	lines := strings.SplitAfter(s, "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) > header {
		slices.Sort(lines[header:])
	}
	return strings.Join(lines, "")
}

func TestGoldenTable(t *testing.T) {
	r := runArgs(t, context.Background(), "-o", "table")
	if r.code != exitDone {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	checkGolden(t, "table.golden", r.stdout)
}

func TestGoldenSummary(t *testing.T) {
	r := runArgs(t, context.Background(), "-o", "table", "-summary", "-include", "rotation,access")
	if r.code != exitDone {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	checkGolden(t, "summary.golden", r.stdout)
}

func TestGoldenCSV(t *testing.T) {
	r := runArgs(t, context.Background(), "-o", "csv")
	if r.code != exitDone {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if !strings.HasPrefix(r.stdout, strings.Join(csvHeader, ",")+"\n") {
		t.Errorf("the CSV does not start with its header:\n%s", r.stdout)
	}
	checkGolden(t, "csv.golden", sortedLines(r.stdout, 1))
}

func TestGoldenJSON(t *testing.T) {
	r := runArgs(t, context.Background(), "-o", "json")
	if r.code != exitDone {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	checkGolden(t, "json.golden", sortedLines(r.stdout, 0))
}

// TestJSONDecodesToListing checks that the JSON lines decode into the very
// keys a listing of the demo fleet through the library gives.
func TestJSONDecodesToListing(t *testing.T) {
	args := []string{"-include", "tags,rotation,policy,access"}
	r := runArgs(t, context.Background(), append([]string{"-o", "json"}, args...)...)
	if r.code != exitDone {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	got := map[string]kms.Key{}
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var k kms.Key
		if err := json.Unmarshal(sc.Bytes(), &k); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		if _, dup := got[k.ARN+k.ID]; dup {
			t.Errorf("key %s written twice", k.ID)
		}
		got[k.ARN+k.ID] = k
	}
	want := listDemo(t, kms.ListOptions{Detail: kms.DetailFull, Include: kms.IncludeTags | kms.IncludeRotation | kms.IncludePolicy | kms.IncludeAccess})
	if len(got) != len(want) {
		t.Errorf("%d keys in the JSON, %d in the listing", len(got), len(want))
	}
	for _, w := range want {
		g, ok := got[w.ARN+w.ID]
		if !ok {
			t.Errorf("key %s of the listing is not in the JSON", w.ID)
			continue
		}
		assertSameKey(t, w, g)
	}
}

// listDemo lists a demo fleet of its own through the library.
func listDemo(t *testing.T, opts kms.ListOptions) []kms.Key {
	t.Helper()
	d, err := startDemo(context.Background(), demoKnobs{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.stop()
	var keys []kms.Key
	for k, err := range kms.Merge(d.listers()...).ListKeys(context.Background(), opts).All() {
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		t.Fatal("the demo fleet has no keys")
	}
	return keys
}

// assertSameKey compares every exported field of two keys: times by
// Equal, DetailErr by its message and class, empty and nil slices and maps
// alike (the JSON schema leaves zero fields out).
func assertSameKey(t *testing.T, want, got kms.Key) {
	t.Helper()
	wv, gv := reflect.ValueOf(want), reflect.ValueOf(got)
	for i := range wv.NumField() {
		f := wv.Type().Field(i)
		if !f.IsExported() || f.Name == "DetailErr" {
			continue
		}
		w, g := wv.Field(i).Interface(), gv.Field(i).Interface()
		switch wt := w.(type) {
		case time.Time:
			if !wt.Equal(g.(time.Time)) {
				t.Errorf("key %s: %s %v, want %v", want.ID, f.Name, g, w)
			}
			continue
		}
		if emptyList(wv.Field(i)) && emptyList(gv.Field(i)) {
			continue
		}
		if !reflect.DeepEqual(w, g) {
			t.Errorf("key %s: %s %#v, want %#v", want.ID, f.Name, g, w)
		}
	}
	if (want.DetailErr == nil) != (got.DetailErr == nil) ||
		(want.DetailErr != nil && (errMessage(want.DetailErr) != errMessage(got.DetailErr) || codeName(want.DetailErr) != codeName(got.DetailErr))) {
		t.Errorf("key %s: DetailErr %v, want %v", want.ID, got.DetailErr, want.DetailErr)
	}
}

// emptyList tells a nil or empty slice or map.
func emptyList(v reflect.Value) bool {
	k := v.Kind()
	return (k == reflect.Slice || k == reflect.Map) && v.Len() == 0
}

// errMessage is err's message with the request ID masked: two listings
// of a denied key get two IDs.
func errMessage(err error) string {
	return requestID.ReplaceAllString(err.Error(), "RequestID: <id>")
}

// TestDemoGoesThroughTheTestServers checks that the demo fleet is listed
// over the wire: its test servers answered requests for every key, and the
// notice on stderr names every scope.
func TestDemoGoesThroughTheTestServers(t *testing.T) {
	var demo *demoFleet
	withHooks(t, func() {
		hooks.demoStarted = func(d *demoFleet) {
			running := *d // stop empties d; the servers keep their counts
			demo = &running
		}
	})
	r := runArgs(t, context.Background(), "-o", "json", "-detail", "basic")
	if r.code != exitDone || demo == nil {
		t.Fatalf("exit %d, demo started: %v\n%s", r.code, demo != nil, r.stderr)
	}
	keys := len(decodeKeys(t, r.stdout))
	if n := demo.requests(); n < len(demo.scopeNames()) {
		t.Errorf("%d requests reached the test servers for %d scopes and %d keys", n, len(demo.scopeNames()), keys)
	}
	for _, name := range demo.scopeNames() {
		if !strings.Contains(r.stderr, name) {
			t.Errorf("the demo notice does not name scope %s: %s", name, r.stderr)
		}
	}
	if len(demo.scopeNames()) < 9 {
		t.Errorf("the demo fleet has %d scopes, want several Regions and folders per cloud", len(demo.scopeNames()))
	}
}
