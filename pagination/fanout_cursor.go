package pagination

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
)

// fanState is where a fan-out stands: every scope below next that has no
// entry is finished; every scope from next on is at its start; an entry is
// a scope below next that is not finished (in flight, failed, or waiting
// for a place), with its own position (nil: at its start).
//
// Scopes start in index order, so the entries are the scopes in flight, the
// failed ones and, after a resume, those of the cursor not yet restarted:
// the state grows with the scopes in flight and the failed scopes, never
// with the scopes of the fleet.
type fanState struct {
	total   int // the number of scopes of the fan-out
	next    int
	entries []fanEntry // by index
}

type fanEntry struct {
	idx int
	st  *cursorState
}

// Encoding: total, next, the number of groups, then each group as the gap from the
// index after the previous group, and either a run of scopes at their start
// (tag 0, its length) or one scope's state (tag 1).
func (f *fanState) appendTo(b *bytes.Buffer) {
	b.Write(binary.AppendUvarint(nil, uint64(f.total)))
	b.Write(binary.AppendUvarint(nil, uint64(f.next)))
	type group struct {
		idx, run int
		st       *cursorState
	}
	var groups []group
	for _, e := range f.entries {
		if n := len(groups); e.st == nil && n > 0 && groups[n-1].st == nil && groups[n-1].idx+groups[n-1].run == e.idx {
			groups[n-1].run++
			continue
		}
		groups = append(groups, group{idx: e.idx, run: 1, st: e.st})
	}
	b.Write(binary.AppendUvarint(nil, uint64(len(groups))))
	after := 0
	for _, g := range groups {
		b.Write(binary.AppendUvarint(nil, uint64(g.idx-after)))
		if g.st == nil {
			b.WriteByte(0)
			b.Write(binary.AppendUvarint(nil, uint64(g.run)))
		} else {
			b.WriteByte(1)
			g.st.appendTo(b)
		}
		after = g.idx + g.run
	}
}

// maxFanEntries bounds the entries a decoded cursor may expand to.
const maxFanEntries = 1 << 20

func readFan(r *bytes.Reader, depth int) (*fanState, error) {
	f := &fanState{}
	var err error
	if f.total, err = readInt(r); err != nil {
		return nil, err
	}
	if f.next, err = readInt(r); err != nil || f.next > f.total {
		return nil, fmt.Errorf("bad next scope")
	}
	groups, err := readInt(r)
	if err != nil || groups > r.Len() {
		return nil, fmt.Errorf("bad group count")
	}
	after := 0
	for range groups {
		gap, err := readInt(r)
		if err != nil {
			return nil, err
		}
		idx := after + gap
		tag, err := r.ReadByte()
		switch {
		case err != nil:
			return nil, err
		case tag == 0:
			run, err := readInt(r)
			if err != nil || run < 1 || len(f.entries)+run > maxFanEntries {
				return nil, fmt.Errorf("bad run")
			}
			for i := range run {
				f.entries = append(f.entries, fanEntry{idx: idx + i})
			}
			after = idx + run
		case tag == 1:
			st, err := readState(r, depth+1)
			if err != nil {
				return nil, err
			}
			f.entries = append(f.entries, fanEntry{idx: idx, st: &st})
			after = idx + 1
		default:
			return nil, fmt.Errorf("bad tag")
		}
		if after > f.next {
			return nil, fmt.Errorf("scope %d beyond the next scope %d", after-1, f.next)
		}
	}
	return f, nil
}

// snapshot copies the state of a walk: next and the entries, by index.
func snapshotFan(total, next int, entries map[int]*cursorState) fanState {
	f := fanState{total: total, next: next, entries: make([]fanEntry, 0, len(entries))}
	for idx, st := range entries {
		f.entries = append(f.entries, fanEntry{idx: idx, st: st})
	}
	slices.SortFunc(f.entries, func(a, b fanEntry) int { return a.idx - b.idx })
	return f
}
