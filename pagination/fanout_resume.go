package pagination

import (
	"errors"
	"fmt"
	"slices"
	"sort"
)

// ErrScopeGone is the error of a scope that a fan-out's cursor had in
// flight or failed, and that is no longer among the fan-out's scopes (a
// Region, an account or a folder that discovery no longer finds): it ends
// as a failed scope (a *ScopeError, or what FanOutOptions.ScopeError makes,
// wrapping ErrScopeGone), and the cursor keeps it, so that a later resume
// reports it again, or lists it from where it was if it is back.
var ErrScopeGone = errors.New("the scope is no longer among the fan-out's scopes")

// scopeIndex maps the scopes' names to their indices, and reports a name
// given twice: names key the cursor.
func scopeIndex[T any](scopes []Scope[T]) (map[string]int, error) {
	index := make(map[string]int, len(scopes))
	for i, s := range scopes {
		if _, dup := index[s.Name]; dup {
			return nil, dupName(s.Name)
		}
		index[s.Name] = i
	}
	return index, nil
}

func dupName(name string) error {
	return fmt.Errorf("%w: two scopes named %q: a fan-out's scope names must differ", ErrInvalidArgument, name)
}

// checkNames fails if two scopes have the same name: a few are compared
// pairwise, without the allocations of an index (a fresh listing needs
// none), more through scopeIndex.
func checkNames[T any](scopes []Scope[T]) error {
	if len(scopes) > 32 {
		_, err := scopeIndex(scopes)
		return err
	}
	for i := range scopes {
		for _, s := range scopes[i+1:] {
			if s.Name == scopes[i].Name {
				return dupName(s.Name)
			}
		}
	}
	return nil
}

// resume maps a cursor's state f, which records scopes by name, onto the
// fan-out's scopes, which may differ from those the cursor was made over:
//
//   - the boundary (the first scope not started) is found by its name or,
//     if it is gone and the scopes are in ascending name order, at its
//     place in that order; otherwise the cursor is refused;
//   - an entry resumes the scope of its name; one whose name is gone stays
//     an entry of index -1 (see ErrScopeGone);
//   - the scopes before the boundary that are no entries should be the
//     finished ones: the sketches of the two sets tell the difference, if
//     it is small. A scope before the boundary that had not finished (new,
//     or moved there) is listed whole; one that finished and now stands
//     after it is skipped; one that finished and is gone is forgotten.
func (p *fanPager[T]) resume(f *fanState) (*fanState, error) {
	if p.index == nil {
		var err error
		if p.index, err = scopeIndex(p.scopes); err != nil {
			return nil, err
		}
	}
	out := &fanState{next: len(p.scopes), done: f.done}
	if f.boundary != "" {
		var ok bool
		if out.next, ok = p.index[f.boundary]; !ok {
			if !p.ascending() {
				return nil, fmt.Errorf("%w: the fan-out's scopes changed and are not in name order: the first scope not started, %q, is no longer among them", ErrInvalidCursor, f.boundary)
			}
			out.next = sort.Search(len(p.scopes), func(i int) bool { return p.scopes[i].Name > f.boundary })
		}
	}
	isEntry := map[int]bool{}
	seen := map[string]bool{}
	for _, e := range f.entries {
		if seen[e.name] {
			return nil, fmt.Errorf("%w: scope %q recorded twice", ErrInvalidCursor, e.name)
		}
		seen[e.name] = true
		idx, ok := p.index[e.name]
		if !ok {
			idx = -1
		}
		isEntry[idx] = ok
		out.entries = append(out.entries, fanEntry{idx: idx, name: e.name, st: e.st})
	}
	var expect scopeSketch // the scopes before the boundary that are no entries
	for i := range out.next {
		if !isEntry[i] {
			expect.toggle(nameKey(p.scopes[i].Name))
		}
	}
	diff, ok := expect.xor(f.done).peel()
	if !ok {
		return nil, fmt.Errorf("%w: the fan-out's scopes before the resume point changed by more than the cursor can tell apart (about %d added or removed)", ErrInvalidCursor, sketchCapacity)
	}
	skip := map[int]bool{}
	if len(diff) > 0 {
		keyOf := make(map[uint64]int, len(p.scopes))
		for i, s := range p.scopes {
			keyOf[nameKey(s.Name)] = i
		}
		for _, key := range diff {
			i, ok := keyOf[key]
			switch {
			case !ok: // finished, then gone
				out.done = out.done.withKey(key)
			case isEntry[i]: // cannot be: an entry is not finished
			case i < out.next: // before the boundary, not finished: new
				out.entries = append(out.entries, fanEntry{idx: i, name: p.scopes[i].Name})
				isEntry[i] = true
			default: // finished, now after the boundary
				skip[i] = true
			}
		}
	}
	for out.next < len(p.scopes) && (skip[out.next] || isEntry[out.next]) {
		delete(skip, out.next)
		out.next++
	}
	for i := range skip {
		out.skip = append(out.skip, i)
	}
	slices.Sort(out.skip)
	if out.next < len(p.scopes) {
		out.boundary = p.scopes[out.next].Name
	}
	slices.SortFunc(out.entries, func(a, b fanEntry) int { return a.idx - b.idx })
	return out, nil
}

// ascending reports whether the scopes' names are in strictly ascending
// order.
func (p *fanPager[T]) ascending() bool {
	for i := 1; i < len(p.scopes); i++ {
		if p.scopes[i-1].Name >= p.scopes[i].Name {
			return false
		}
	}
	return true
}
