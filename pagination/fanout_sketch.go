package pagination

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
)

// A fan-out's cursor does not list the scopes that finished: it keeps a
// sketch of their names, an invertible Bloom lookup table of fixed size
// (Goodrich and Mitzenmacher, 2011) without counts. Each name is hashed
// (crypto/sha256, so that any process computes the same) to a 64-bit key;
// the key, hashed again, gives a 32-bit check and sketchHashes distinct
// cells of the sketchCells; adding or removing the name XORs the key and
// the check into those cells. A resume computes the sketch of the set it
// expects from the scopes it is given and XORs the cursor's into it: what
// is left is the sketch of the names in one set and not the other, which
// peel recovers when they are few, and reports as undecodable otherwise.
//
// Measured over random differences (TestSketchPeelsSmallDifferences), 32
// cells of 4 hashes decode a difference of one or two names but for about
// one case in 36,000 (two names on the same 4 cells: 1/C(32,4)), up to 8
// but for about one in 2,000, and 16 but for about one in 100; a
// difference that cannot be decoded is always detected (a cell is taken as
// holding one key only if its check is that key's and the key maps to it,
// and the sketch must peel to empty), never decoded wrong but with a
// probability of about 2^-32 for each cell peeled.
const (
	sketchCells  = 32
	sketchHashes = 4
	// sketchCapacity is the difference the doc promises to tell apart.
	sketchCapacity = 8
)

// sketchCell is one cell: the XOR of the keys mapped to it, and of their
// checks.
type sketchCell struct {
	key   uint64
	check uint32
}

// scopeSketch is the sketch of a set of scope names; the zero value is the
// empty set. A walk treats one as immutable once shared (see with).
type scopeSketch [sketchCells]sketchCell

// nameKey is the 64-bit key of a scope name.
func nameKey(name string) uint64 {
	var buf [128]byte // on the stack for names of up to 105 bytes
	sum := sha256.Sum256(append(append(buf[:0], namePrefix...), name...))
	return binary.LittleEndian.Uint64(sum[:8])
}

const (
	namePrefix = "multikms/fan-out scope\x00"
	cellPrefix = "multikms/fan-out cell\x00"
)

// keyCells is the check of key and its distinct cells.
func keyCells(key uint64) (uint32, [sketchHashes]int) {
	var in [len(cellPrefix) + 8]byte
	copy(in[:], cellPrefix)
	binary.LittleEndian.PutUint64(in[len(cellPrefix):], key)
	sum := sha256.Sum256(in[:])
	var cells [sketchHashes]int
	n := 0
	// 28 bytes, each uniform over the 32 cells: all but never enough to
	// find 4 distinct ones; the fallback keeps the mapping a function.
	for _, b := range sum[4:] {
		c := int(b) % sketchCells
		if !containsCell(cells[:n], c) {
			cells[n] = c
			if n++; n == sketchHashes {
				return binary.LittleEndian.Uint32(sum[:4]), cells
			}
		}
	}
	for c := 0; n < sketchHashes; c++ {
		if !containsCell(cells[:n], c) {
			cells[n] = c
			n++
		}
	}
	return binary.LittleEndian.Uint32(sum[:4]), cells
}

func containsCell(cells []int, c int) bool {
	for _, x := range cells {
		if x == c {
			return true
		}
	}
	return false
}

// toggle adds key to the set, or removes it if it is in it.
func (s *scopeSketch) toggle(key uint64) {
	check, cells := keyCells(key)
	for _, c := range cells {
		s[c].key ^= key
		s[c].check ^= check
	}
}

// with is a copy of s (nil: the empty set) with name toggled: a walk's
// snapshots share its sketch, so it never changes one in place.
func (s *scopeSketch) with(name string) *scopeSketch { return s.withKey(nameKey(name)) }

// withKey is a copy of s (nil: the empty set) with key toggled.
func (s *scopeSketch) withKey(key uint64) *scopeSketch {
	var out scopeSketch
	if s != nil {
		out = *s
	}
	out.toggle(key)
	return &out
}

// xor is the sketch of the symmetric difference of the two sets.
func (s *scopeSketch) xor(o *scopeSketch) scopeSketch {
	var out scopeSketch
	if s != nil {
		out = *s
	}
	if o != nil {
		for i := range out {
			out[i].key ^= o[i].key
			out[i].check ^= o[i].check
		}
	}
	return out
}

// peel decodes the set s is the sketch of: its keys, or false when it
// cannot be decoded (too many keys, or keys that share all their cells).
func (s scopeSketch) peel() ([]uint64, bool) {
	var keys []uint64
	for progress := true; progress; {
		progress = false
		for i := range s {
			key := s[i].key
			if key == 0 && s[i].check == 0 {
				continue
			}
			check, cells := keyCells(key)
			if check != s[i].check || !containsCell(cells[:], i) {
				continue // not pure: several keys
			}
			for _, k := range keys {
				if k == key {
					return nil, false // a key twice: not a set's sketch
				}
			}
			keys = append(keys, key)
			s.toggle(key)
			progress = true
		}
	}
	return keys, s == scopeSketch{}
}

// appendTo encodes s: a bitmap of its non-empty cells, then those cells.
func (s *scopeSketch) appendTo(b *bytes.Buffer) {
	var set uint64
	if s != nil {
		for i, c := range s {
			if c != (sketchCell{}) {
				set |= 1 << i
			}
		}
	}
	b.Write(binary.AppendUvarint(nil, set))
	for i := range sketchCells {
		if set&(1<<i) != 0 {
			b.Write(binary.LittleEndian.AppendUint64(nil, s[i].key))
			b.Write(binary.LittleEndian.AppendUint32(nil, s[i].check))
		}
	}
}

// readSketch decodes what appendTo wrote; nil for the empty set.
func readSketch(r *bytes.Reader) (*scopeSketch, error) {
	set, err := binary.ReadUvarint(r)
	if err != nil || set >= 1<<sketchCells {
		return nil, fmt.Errorf("bad sketch")
	}
	if set == 0 {
		return nil, nil
	}
	s := &scopeSketch{}
	var cell [12]byte
	for i := range sketchCells {
		if set&(1<<i) == 0 {
			continue
		}
		if _, err := io.ReadFull(r, cell[:]); err != nil {
			return nil, err
		}
		s[i] = sketchCell{key: binary.LittleEndian.Uint64(cell[:8]), check: binary.LittleEndian.Uint32(cell[8:])}
		if s[i] == (sketchCell{}) {
			return nil, fmt.Errorf("bad sketch cell")
		}
	}
	return s, nil
}
