package pagination

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// randNames returns n distinct random scope names.
func randNames(r *rand.Rand, n int) []string {
	seen := map[string]bool{}
	var out []string
	for len(out) < n {
		name := fmt.Sprintf("aws/%012d/region-%d", r.Int64N(1e12), r.IntN(40))
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out
}

// peelDiff sketches common+a and common+b, and peels their difference.
func peelDiff(common, a, b []string) ([]uint64, bool) {
	var sa, sb scopeSketch
	for _, n := range append(slices.Clone(common), a...) {
		sa.toggle(nameKey(n))
	}
	for _, n := range append(slices.Clone(common), b...) {
		sb.toggle(nameKey(n))
	}
	return sa.xor(&sb).peel()
}

func keysOf(names ...[]string) []uint64 {
	var out []uint64
	for _, ns := range names {
		for _, n := range ns {
			out = append(out, nameKey(n))
		}
	}
	slices.Sort(out)
	return out
}

// TestSketchPeelsSmallDifferences: random differences between two sets of
// names over a common part of random size decode exactly, but for a
// failure rate within what the FanOut doc says (checked with margin), and
// a decode that succeeds is always the exact difference.
func TestSketchPeelsSmallDifferences(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const trials = 1500
	for d := 1; d <= 16; d++ {
		failed := 0
		for range trials {
			names := randNames(r, d+r.IntN(8))
			common, diff := names[d:], names[:d]
			split := r.IntN(d + 1)
			keys, ok := peelDiff(common, diff[:split], diff[split:])
			if !ok {
				failed++
				continue
			}
			slices.Sort(keys)
			if !slices.Equal(keys, keysOf(diff)) {
				t.Fatalf("difference of %d decoded wrong: %x, want %x", d, keys, keysOf(diff))
			}
		}
		t.Logf("difference of %2d names: %d of %d undecodable", d, failed, trials)
		limit := map[bool]float64{true: 0.005, false: 0.03}[d <= sketchCapacity]
		if rate := float64(failed) / trials; rate > limit {
			t.Errorf("difference of %d names: %.2f%% undecodable, want at most %.1f%%", d, 100*rate, 100*limit)
		}
	}
}

// TestSketchDetectsLargeDifferences: differences far beyond the capacity
// are reported undecodable, never decoded wrong.
func TestSketchDetectsLargeDifferences(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	decoded := 0
	for range 500 {
		d := 25 + r.IntN(200)
		diff := randNames(r, d)
		keys, ok := peelDiff(nil, diff[:d/3], diff[d/3:])
		if !ok {
			continue
		}
		decoded++
		slices.Sort(keys)
		if !slices.Equal(keys, keysOf(diff)) {
			t.Fatalf("difference of %d decoded wrong", d)
		}
	}
	if decoded > 25 {
		t.Errorf("%d of 500 differences of 25 to 224 names decoded: the sketch is larger than it says", decoded)
	}
}

// TestSketchToggleAndEncoding: a name toggled twice leaves the sketch
// empty; a sketch round-trips through its encoding, the empty one in one
// byte; a forged cell of zeros is refused.
func TestSketchToggleAndEncoding(t *testing.T) {
	var s *scopeSketch
	for _, n := range []string{"a", "b", "c"} {
		s = s.with(n)
	}
	if s.with("d").with("d") == nil || *s.with("d").with("d") != *s {
		t.Error("toggling a name twice changed the sketch")
	}
	if *s.with("a").with("b").with("c") != (scopeSketch{}) {
		t.Error("removing every name left a non-empty sketch")
	}
	full := (*scopeSketch)(nil)
	for _, n := range randNames(rand.New(rand.NewPCG(5, 6)), 60) {
		full = full.with(n)
	}
	var b bytes.Buffer
	full.appendTo(&b)
	if b.Len() != 5+sketchCells*12 {
		t.Errorf("sketch of 60 names in %d bytes, want %d (the doc's figure)", b.Len(), 5+sketchCells*12)
	}
	for _, sk := range []*scopeSketch{nil, s, full} {
		var b bytes.Buffer
		sk.appendTo(&b)
		if sk == nil && b.Len() != 1 {
			t.Errorf("empty sketch in %d bytes, want 1", b.Len())
		}
		got, err := readSketch(bytes.NewReader(b.Bytes()))
		if err != nil || (sk == nil) != (got == nil) || (sk != nil && *got != *sk) {
			t.Errorf("round trip of %v: %v, %v", sk, got, err)
		}
	}
	forged := append([]byte{1}, make([]byte, 12)...) // cell 0 set, all zeros
	if _, err := readSketch(bytes.NewReader(forged)); err == nil {
		t.Error("a sketch cell of zeros accepted")
	}
}

// TestOldFanOutCursorRefused: a fan-out cursor of the format that recorded
// scopes by index (flag 2) is refused as of an older format; so is a state
// whose entries name one scope twice (see resume).
func TestOldFanOutCursorRefused(t *testing.T) {
	st := cursorState{kind: kindFanOut, scope: scopeHash("fleet"), pos: position{fan: &fanState{boundary: "s1"}}}
	var b bytes.Buffer
	st.appendTo(&b)
	raw := b.Bytes()
	const flagAt = 1 + 8 + 1 + 4 // kind, scope, empty token, four zero varints
	if raw[flagAt] != fanFlag {
		t.Fatalf("flag byte %d at %d, want %d", raw[flagAt], flagAt, fanFlag)
	}
	raw[flagAt] = fanFlagV1
	sum := sha256.Sum256(raw)
	old := cursorVersion + base64.RawURLEncoding.EncodeToString(append(raw, sum[:6]...))
	_, err := decodeCursor(old, kindFanOut, scopeHash("fleet"))
	if !errors.Is(err, ErrInvalidCursor) || !strings.Contains(err.Error(), "older format") {
		t.Errorf("old fan-out cursor: %v, want ErrInvalidCursor saying older format", err)
	}
	twice := forge(cursorState{kind: kindFanOut, scope: scopeHash("fleet"), pos: position{fan: &fanState{
		boundary: "s1", entries: []fanEntry{{name: "s0"}, {name: "s0"}}}}})
	pg := &fanPager[int]{scopes: []Scope[int]{{Name: "s0"}, {Name: "s1"}}, index: map[string]int{"s0": 0, "s1": 1}}
	pos, err := decodeCursor(twice, kindFanOut, scopeHash("fleet"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pg.resume(pos.fan); !errors.Is(err, ErrInvalidCursor) {
		t.Errorf("a scope twice: %v, want ErrInvalidCursor", err)
	}
}
