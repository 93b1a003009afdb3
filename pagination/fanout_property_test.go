package pagination_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"

	"github.com/multikms/multikms/pagination"
)

// fleetMember is one scope of a random fleet: a random source (any
// strategy) behind a switch that fails its requests for good while broken,
// after failAfter of them. A permanent one is never mended; the others are
// mended at a random resume.
type fleetMember struct {
	src       source
	broken    atomic.Bool
	failAfter int64
	reqs      atomic.Int64
	permanent bool
	mendAt    int // the resume at which it is mended
	// The fleet changes between runs: a member joins at resume joinAt (0:
	// there from the start), and may leave for good at a resume (removed).
	joinAt, removedAt int
	present           bool
	reportedGone      bool // a run reported it as gone (ErrScopeGone)
}

// fail is the member's switch, asked before every request of its source.
func (m *fleetMember) fail() error {
	if n := m.reqs.Add(1); m.broken.Load() && n > m.failAfter {
		return errGone
	}
	return nil
}

// randFleet builds 0 to 12 members with distinct items (member i holds
// i*10000 + ...); some empty, some broken.
func randFleet(r *rand.Rand) []*fleetMember {
	n := r.IntN(13)
	out := make([]*fleetMember, n)
	for i := range out {
		out[i] = randMember(r, i)
	}
	return out
}

func randMember(r *rand.Rand, i int) *fleetMember {
	size := r.IntN(40)
	if r.IntN(5) == 0 {
		size = 0
	}
	m := &fleetMember{present: true}
	m.src = memberSource(r, m, i*10000, size)
	switch r.IntN(6) {
	case 0:
		m.broken.Store(true)
		m.permanent = true
		m.failAfter = int64(r.IntN(4))
	case 1, 2:
		m.broken.Store(true)
		m.failAfter = int64(r.IntN(4))
		m.mendAt = 1 + r.IntN(3)
	}
	return m
}

// changeFleet adds 0 to 3 members that join later (at random resumes,
// named after the others, so that they come before or after the resume
// point) and marks up to 2 others to leave at random resumes (not with fail
// fast, where a scope gone ends every run at once).
func changeFleet(r *rand.Rand, members []*fleetMember, failFast bool) []*fleetMember {
	if len(members) > 0 && !failFast {
		for range r.IntN(3) {
			members[r.IntN(len(members))].removedAt = 1 + r.IntN(4)
		}
	}
	for range r.IntN(4) {
		m := randMember(r, len(members))
		m.present, m.joinAt = false, 1+r.IntN(4)
		members = append(members, m)
	}
	return members
}

// changeAt applies the changes of resume n: members join or leave.
func changeAt(members []*fleetMember, n int) (changed []*fleetMember) {
	for _, m := range members {
		if m.joinAt == n && !m.present && m.removedAt == 0 || m.removedAt == n && m.present {
			m.present = !m.present
			changed = append(changed, m)
		}
	}
	return changed
}

// memberSource is a random leaf or Map source over first..first+n-1 whose
// requests go through m's switch first.
func memberSource(r *rand.Rand, m *fleetMember, first, n int) source {
	src := gatedLeafSource(r, r.IntN(3), first, n, false, m.fail)
	if r.IntN(3) == 0 {
		src = mapSource(r, src)
	}
	return src
}

// fleetCase lists a random fleet in random segments (breaks, resumes from
// the cursor in fresh FanOuts, random MaxItems, concurrency and fail fast),
// mending members as it goes, and checks that every item of the members
// that are not permanently broken comes out exactly once, the permanent
// ones' items at most once and in order, and that no goroutine outlives a
// segment.
func fleetCase(t *testing.T, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 0x666c656574))
	ignore := goleak.IgnoreCurrent()
	members := randFleet(r)
	conc := r.IntN(5)
	// Fail fast with a member broken for good makes no progress past it
	// (it is resumed first and fails again): no permanent ones then.
	failFast := r.IntN(4) == 0
	members = changeFleet(r, members, failFast)
	for _, m := range members {
		if failFast && m.permanent {
			m.permanent, m.mendAt = false, 1
		}
	}
	ps := r.IntN(12)
	// In some cases the scopes come in another order every run (else in
	// name order).
	shuffle := r.IntN(4) == 0
	order := make([]int, len(members))
	for i := range order {
		order[i] = i
	}
	build := func(cursor string, maxItems int) *pagination.Iterator[int] {
		var scopes []pagination.Scope[int]
		for _, i := range order {
			m := members[i]
			if !m.present {
				continue
			}
			scopes = append(scopes, pagination.Scope[int]{Name: fmt.Sprintf("m%02d", i), List: func(ctx context.Context, c string) *pagination.Iterator[int] {
				return m.src.build(ctx, c, ps)
			}})
		}
		return pagination.FanOut(context.Background(), pagination.FanOutOptions{
			Cursor: cursor, Scope: "fleet", MaxItems: maxItems, Concurrency: conc, FailFast: failFast,
		}, scopes...)
	}
	var (
		got     []int
		log     []string
		resumes int
	)
	it := build("", 0)
	for round := 0; ; round++ {
		if round > 300 {
			t.Fatalf("no end after %d rounds\n%s", round, strings.Join(log, "\n"))
		}
		limit, maxItems := -1, 0
		if r.IntN(3) > 0 {
			limit = r.IntN(30)
		}
		items, broke, err := drain(it, limit, r.IntN(4) == 0)
		got = append(got, items...)
		log = append(log, fmt.Sprintf("took %d (limit %d): %v", len(items), limit, err))
		goleak.VerifyNone(t, ignore)
		if err != nil && !errors.Is(err, errGone) && !isTransient(err) && !errors.Is(err, pagination.ErrScopeGone) {
			t.Fatalf("%s\nunexpected error %v", strings.Join(log, "\n"), err)
		}
		markGone(t, members, err, log)
		if err == nil && !broke && it.Cursor() == "" {
			break
		}
		if err != nil && onlyPermanent(members, err) {
			break // what is left is the permanently broken members' part
		}
		resumes++
		for _, m := range members {
			if !m.permanent && m.mendAt <= resumes {
				m.broken.Store(false)
			}
		}
		cursor := it.Cursor()
		if cursor == "" {
			break
		}
		if r.IntN(3) == 0 {
			maxItems = 1 + r.IntN(20)
		}
		changed, before := changeAt(members, resumes), slices.Clone(order)
		if shuffle {
			r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		}
		log = append(log, fmt.Sprintf("resume %d (%d-byte cursor, MaxItems %d, %d members joined or left, order %v)", resumes, len(cursor), maxItems, len(changed), order))
		it = build(cursor, maxItems)
		if err := pagination.Rejected(it); err != nil && (len(changed) > 0 || shuffle) && errors.Is(err, pagination.ErrInvalidCursor) {
			// The change was too much for the sketch, or the first
			// scope not started is gone and the order is not the
			// names': refused before any request. Undo it and go on.
			log = append(log, fmt.Sprintf("refused (%v): change undone", err))
			for _, m := range changed {
				m.present = !m.present
				m.joinAt, m.removedAt = -1, 0 // never again
			}
			order = before
			it = build(cursor, maxItems)
		}
	}
	checkFleet(t, members, got, log)
}

// onlyPermanent reports whether err is the failures of permanently broken
// members only.
func onlyPermanent(members []*fleetMember, err error) bool {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, e := range errs {
		var se *pagination.ScopeError
		if !errors.As(e, &se) {
			return false
		}
		var i int
		fmt.Sscanf(se.Scope, "m%d", &i)
		if !errors.Is(e, pagination.ErrScopeGone) && (!members[i].permanent || !errors.Is(e, errGone)) {
			return false
		}
	}
	return true
}

// markGone records the members err reports as gone, checking that they are.
func markGone(t *testing.T, members []*fleetMember, err error, log []string) {
	t.Helper()
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, e := range errs {
		var se *pagination.ScopeError
		if !errors.Is(e, pagination.ErrScopeGone) || !errors.As(e, &se) {
			continue
		}
		var i int
		fmt.Sscanf(se.Scope, "m%d", &i)
		if members[i].present {
			t.Fatalf("%s\nmember %d reported gone while present", strings.Join(log, "\n"), i)
		}
		members[i].reportedGone = true
	}
}

func checkFleet(t *testing.T, members []*fleetMember, got []int, log []string) {
	t.Helper()
	byMember := map[int][]int{}
	seen := map[int]int{}
	for _, v := range got {
		i := v / 10000
		if v < 0 {
			i = (-v - 1) / 10000
		}
		byMember[i] = append(byMember[i], v)
		seen[v]++
	}
	for v, n := range seen {
		if n > 1 {
			t.Fatalf("item %d handed out %d times\n%s", v, n, strings.Join(log, "\n"))
		}
	}
	for i, m := range members {
		g := byMember[i]
		switch {
		case m.joinAt != 0 && !m.present && m.removedAt == 0:
			if len(g) > 0 { // the chain ended before it joined
				t.Fatalf("member %d never joined, yet listed %v\n%s", i, g, strings.Join(log, "\n"))
			}
			continue
		case m.removedAt > 0 && !m.present:
			// Left: what it listed is a prefix of its items, and if it
			// left part-way, a run said it was gone.
			if len(g) > len(m.src.want) || !slices.Equal(g, m.src.want[:len(g)]) {
				t.Fatalf("member %d, gone: got %v, want a prefix of %v\n%s", i, g, m.src.want, strings.Join(log, "\n"))
			}
			if len(g) > 0 && len(g) < len(m.src.want) && !m.reportedGone {
				t.Fatalf("member %d left part-way (%d of %d items), never reported gone\n%s", i, len(g), len(m.src.want), strings.Join(log, "\n"))
			}
			continue
		}
		if m.permanent {
			if len(g) > len(m.src.want) || !slices.Equal(g, m.src.want[:len(g)]) {
				t.Fatalf("permanently broken member %d: got %v, want a prefix of %v\n%s", i, g, m.src.want, strings.Join(log, "\n"))
			}
			continue
		}
		if !slices.Equal(g, m.src.want) {
			t.Fatalf("member %d (%s): %s\n%s", i, m.src.desc, diffListing(m.src.want, g), strings.Join(log, "\n"))
		}
	}
}

// TestPropertyFleet: random fleets, failures, break points and resume
// chains across fresh FanOuts. Reproduce one with
// go test ./pagination -run 'TestPropertyFleet/seed=<n>$' -v.
func TestPropertyFleet(t *testing.T) {
	for i := range propCases {
		t.Run(fmt.Sprintf("seed=%d", i), func(t *testing.T) { fleetCase(t, uint64(i)) })
	}
}

// FuzzFleet explores further fleets: go test ./pagination -fuzz FuzzFleet.
func FuzzFleet(f *testing.F) {
	for i := range 8 {
		f.Add(uint64(i))
	}
	f.Fuzz(func(t *testing.T, seed uint64) { fleetCase(t, seed) })
}
