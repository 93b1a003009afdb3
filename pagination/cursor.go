package pagination

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// maxCursorLen caps an encoded cursor; a longer one is refused unread.
// A fan-out's cursor, which holds a cursor for every scope in flight or
// failed part-way, may be up to maxFanCursorLen.
const (
	maxCursorLen    = 8192
	maxFanCursorLen = 1 << 20
)

// cursorVersion prefixes every encoded cursor, so that the format can change.
// c2 added the page length to marker and token positions (the in-page index
// is checked against it) and the fan-out's state; c1 cursors are refused.
// A fan-out's state carries its own format flag (fanFlag): the one that
// recorded scopes by index is refused, other kinds' cursors are unchanged.
const cursorVersion = "c2"

// Bounds a decoded cursor's fields are checked against: no cloud serves
// pages of more than maxPageItems items, and no listing has more than
// maxPageNumber pages (an Alibaba page of 1 item at 50 requests a second
// would take ten years to reach it).
const (
	maxPageItems  = 1 << 20
	maxPageNumber = 1 << 34
)

// The listing strategies, recorded in a cursor so that a cursor of one kind of
// listing is never read as another.
const (
	kindMarker     byte = 'm'
	kindPageNumber byte = 'n'
	kindPageToken  byte = 't'
	kindConcat     byte = 'c'
	kindFanOut     byte = 'f'
)

// position is a point in a listing between two items.
type position struct {
	// done marks the end of the listing.
	done bool
	// token is the marker or page token of the page being read ("" = first page).
	token string
	// index counts the items of that page already handed out; for page-number
	// listings it is the absolute index of the next item.
	index int
	// size is, for page-number listings, the page size the server was found
	// to number its pages by, where it differs from the one asked for.
	size int
	// asked is the page size asked for when size was found.
	asked int
	// part is the current part of a Concat.
	part int
	// inner is the position inside that part, nil at its start.
	inner *cursorState
	// fan is the state of a fan-out's scopes (nil: every scope at its start).
	fan *fanState
}

// cursorState is a position together with the identity of its listing.
type cursorState struct {
	kind  byte
	scope [8]byte
	pos   position
}

func scopeHash(scope string) [8]byte {
	sum := sha256.Sum256([]byte("multikms/scope\x00" + scope))
	var h [8]byte
	copy(h[:], sum[:])
	return h
}

// encodeCursor renders st as an opaque, URL-safe, versioned string with an
// integrity check; "" for the end of the listing.
func encodeCursor(st cursorState) string {
	if st.pos.done {
		return ""
	}
	var b bytes.Buffer
	st.appendTo(&b)
	sum := sha256.Sum256(b.Bytes())
	b.Write(sum[:6])
	return cursorVersion + base64.RawURLEncoding.EncodeToString(b.Bytes())
}

func (st cursorState) appendTo(b *bytes.Buffer) {
	b.WriteByte(st.kind)
	b.Write(st.scope[:])
	b.Write(binary.AppendUvarint(nil, uint64(len(st.pos.token))))
	b.WriteString(st.pos.token)
	b.Write(binary.AppendUvarint(nil, uint64(st.pos.index)))
	b.Write(binary.AppendUvarint(nil, uint64(st.pos.size)))
	b.Write(binary.AppendUvarint(nil, uint64(st.pos.asked)))
	b.Write(binary.AppendUvarint(nil, uint64(st.pos.part)))
	switch {
	case st.pos.inner != nil:
		b.WriteByte(1)
		st.pos.inner.appendTo(b)
	case st.pos.fan != nil:
		b.WriteByte(fanFlag)
		st.pos.fan.appendTo(b)
	default:
		b.WriteByte(0)
	}
}

// decodeCursor parses s, checking that it was made for a listing of this kind
// and scope. "" is the start of the listing.
func decodeCursor(s string, kind byte, scope [8]byte) (position, error) {
	if s == "" {
		return position{}, nil
	}
	if limit := maxLenOf(kind); len(s) > limit {
		return position{}, fmt.Errorf("%w: longer than %d characters", ErrInvalidCursor, limit)
	}
	if len(s) < len(cursorVersion) || s[:len(cursorVersion)] != cursorVersion {
		return position{}, fmt.Errorf("%w: unknown format or version", ErrInvalidCursor)
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(s[len(cursorVersion):])
	if err != nil || len(raw) < 6 {
		return position{}, fmt.Errorf("%w: malformed", ErrInvalidCursor)
	}
	body, check := raw[:len(raw)-6], raw[len(raw)-6:]
	if sum := sha256.Sum256(body); !bytes.Equal(sum[:6], check) {
		return position{}, fmt.Errorf("%w: integrity check failed", ErrInvalidCursor)
	}
	r := bytes.NewReader(body)
	st, err := readState(r, 0)
	if errors.Is(err, errOldFanCursor) {
		return position{}, fmt.Errorf("%w: %w", ErrInvalidCursor, err)
	}
	if err != nil || r.Len() != 0 {
		return position{}, fmt.Errorf("%w: malformed", ErrInvalidCursor)
	}
	if st.kind != kind || st.scope != scope {
		return position{}, fmt.Errorf("%w: made for another listing", ErrInvalidCursor)
	}
	if err := st.check(); err != nil {
		return position{}, fmt.Errorf("%w: %w", ErrInvalidCursor, err)
	}
	return st.pos, nil
}

func maxLenOf(kind byte) int {
	if kind == kindFanOut {
		return maxFanCursorLen
	}
	return maxCursorLen
}

// check range-checks the fields of a decoded state for its kind, and those
// of the states nested in it: the integrity check only catches accidents,
// since anyone can compute it, so a cursor may hold anything.
func (st cursorState) check() error {
	p := st.pos
	seq := st.kind == kindMarker || st.kind == kindPageToken
	switch {
	case !knownKind(st.kind):
		return fmt.Errorf("unknown kind %q", st.kind)
	case !seq && p.token != "":
		return fmt.Errorf("a token in a listing of kind %q", st.kind)
	case seq && (p.size > maxPageItems || p.asked > maxPageItems || p.index >= max(p.size, 1)):
		return fmt.Errorf("in-page index %d beyond the page of %d items", p.index, p.size)
	case st.kind == kindPageNumber && (p.asked > maxPageItems || p.size > maxPageItems || (p.index > 0 && (p.asked == 0 || p.size == 0))):
		return fmt.Errorf("page size %d (asked %d) out of range", p.size, p.asked)
	case st.kind == kindPageNumber && p.index/max(p.size, 1) >= maxPageNumber:
		return fmt.Errorf("page number beyond %d", maxPageNumber)
	case st.kind != kindConcat && (p.part != 0 || p.inner != nil):
		return fmt.Errorf("a part in a listing of kind %q", st.kind)
	case st.kind == kindConcat && (p.index != 0 || p.size != 0 || p.asked != 0):
		return fmt.Errorf("positions in a concatenation")
	case st.kind != kindFanOut && p.fan != nil:
		return fmt.Errorf("scopes in a listing of kind %q", st.kind)
	case st.kind == kindFanOut && (p.index != 0 || p.size != 0 || p.asked != 0 || p.part != 0):
		return fmt.Errorf("positions in a fan-out")
	}
	if p.inner != nil {
		return p.inner.check()
	}
	if p.fan != nil {
		for _, e := range p.fan.entries {
			if e.st != nil {
				if err := e.st.check(); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func knownKind(k byte) bool {
	switch k {
	case kindMarker, kindPageNumber, kindPageToken, kindConcat, kindFanOut:
		return true
	}
	return false
}

// maxCursorDepth bounds the nesting of Concat cursors.
const maxCursorDepth = 8

func readState(r *bytes.Reader, depth int) (cursorState, error) {
	var st cursorState
	if depth > maxCursorDepth {
		return st, fmt.Errorf("nested too deep")
	}
	var err error
	if st.kind, err = r.ReadByte(); err != nil {
		return st, err
	}
	if _, err = io.ReadFull(r, st.scope[:]); err != nil {
		return st, err
	}
	n, err := binary.ReadUvarint(r)
	if err != nil || n > uint64(r.Len()) {
		return st, fmt.Errorf("bad token length")
	}
	tok := make([]byte, n)
	if _, err = io.ReadFull(r, tok); err != nil {
		return st, err
	}
	st.pos.token = string(tok)
	if st.pos.index, err = readInt(r); err != nil {
		return st, err
	}
	if st.pos.size, err = readInt(r); err != nil {
		return st, err
	}
	if st.pos.asked, err = readInt(r); err != nil {
		return st, err
	}
	if st.pos.part, err = readInt(r); err != nil {
		return st, err
	}
	hasInner, err := r.ReadByte()
	switch {
	case err != nil:
		return st, err
	case hasInner == 1:
		inner, err := readState(r, depth+1)
		if err != nil {
			return st, err
		}
		st.pos.inner = &inner
	case hasInner == fanFlag:
		if st.pos.fan, err = readFan(r, depth+1); err != nil {
			return st, err
		}
	case hasInner == fanFlagV1:
		return st, errOldFanCursor
	case hasInner != 0:
		return st, fmt.Errorf("bad flag")
	}
	return st, nil
}

func readInt(r *bytes.Reader) (int, error) {
	v, err := binary.ReadUvarint(r)
	if err != nil || v > 1<<40 {
		return 0, fmt.Errorf("bad integer")
	}
	return int(v), nil
}
