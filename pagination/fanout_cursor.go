package pagination

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
)

// fanState is where a fan-out stands, over the fan-out's scopes (their
// indices) and, as the cursor records it, by the scopes' names:
//
//   - every scope from next on is at its start, but those in skip (which
//     finished) and the entries;
//   - every scope below next that has no entry is finished;
//   - an entry is a scope started and not finished (in flight, failed, or
//     waiting for a place; in a resumed fan-out, one listed whole because
//     it is new), with its own position (nil: at its start); an entry of
//     index -1 is a scope no longer among the fan-out's (see resume);
//   - done is the sketch of the names of the finished scopes.
//
// Scopes start in index order, so the entries are the scopes in flight, the
// failed ones and, after a resume, those of the cursor not yet restarted:
// the state grows with the scopes in flight and the failed scopes, never
// with the scopes of the fleet (done has a fixed size).
//
// A cursor records boundary (the name of scope next, "" when every scope
// has started), done and the entries by name; next, skip and the entries'
// indices are found again by resume. A decoded state has next -1 until then.
type fanState struct {
	next     int
	boundary string
	entries  []fanEntry // by index, those of index -1 first
	skip     []int      // ascending, all >= next
	done     *scopeSketch
}

type fanEntry struct {
	idx  int
	name string
	st   *cursorState
}

// Encoding (flag fanFlag of a cursorState): the boundary's name, the
// sketch, the number of entries, then each entry as its name and either
// tag 0 (at its start) or tag 1 and its state.
func (f *fanState) appendTo(b *bytes.Buffer) {
	appendString(b, f.boundary)
	f.done.appendTo(b)
	b.Write(binary.AppendUvarint(nil, uint64(len(f.entries))))
	for _, e := range f.entries {
		appendString(b, e.name)
		if e.st == nil {
			b.WriteByte(0)
		} else {
			b.WriteByte(1)
			e.st.appendTo(b)
		}
	}
}

func appendString(b *bytes.Buffer, s string) {
	b.Write(binary.AppendUvarint(nil, uint64(len(s))))
	b.WriteString(s)
}

func readString(r *bytes.Reader) (string, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil || n > uint64(r.Len()) {
		return "", fmt.Errorf("bad string length")
	}
	s := make([]byte, n)
	if _, err := io.ReadFull(r, s); err != nil {
		return "", err
	}
	return string(s), nil
}

// The flags of a cursorState's fan-out state: fanFlagV1 (scopes by index,
// before fan-outs resumed by name) is refused as an older format.
const (
	fanFlagV1 byte = 2
	fanFlag   byte = 3
)

// errOldFanCursor is the error of a fan-out cursor of the older format.
var errOldFanCursor = fmt.Errorf("a fan-out cursor of an older format (scopes by index), from before this version")

func readFan(r *bytes.Reader, depth int) (*fanState, error) {
	f := &fanState{next: -1}
	var err error
	if f.boundary, err = readString(r); err != nil {
		return nil, err
	}
	if f.done, err = readSketch(r); err != nil {
		return nil, err
	}
	n, err := readInt(r)
	if err != nil || n > r.Len() {
		return nil, fmt.Errorf("bad entry count")
	}
	f.entries = make([]fanEntry, 0, n)
	for range n {
		e := fanEntry{idx: -1}
		if e.name, err = readString(r); err != nil {
			return nil, err
		}
		tag, err := r.ReadByte()
		switch {
		case err != nil:
			return nil, err
		case tag == 1:
			st, err := readState(r, depth+1)
			if err != nil {
				return nil, err
			}
			e.st = &st
		case tag != 0:
			return nil, fmt.Errorf("bad tag")
		}
		f.entries = append(f.entries, e)
	}
	return f, nil
}

// snapshot copies the state of a walk.
func (w *fanWalk[T]) snapshot() fanState {
	scopes := w.p.scopes
	f := fanState{next: w.unstarted, done: w.done, entries: make([]fanEntry, 0, len(w.entries)+len(w.gone))}
	if w.unstarted < len(scopes) {
		f.boundary = scopes[w.unstarted].Name
	}
	f.entries = append(f.entries, w.gone...)
	for idx, st := range w.entries {
		f.entries = append(f.entries, fanEntry{idx: idx, name: scopes[idx].Name, st: st})
	}
	slices.SortFunc(f.entries[len(w.gone):], func(a, b fanEntry) int { return a.idx - b.idx })
	for idx := range w.skip {
		if _, ok := w.entries[idx]; !ok {
			f.skip = append(f.skip, idx)
		}
	}
	slices.Sort(f.skip)
	return f
}
