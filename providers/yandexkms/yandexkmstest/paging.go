package yandexkmstest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"unicode/utf8"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Limits of the Yandex Cloud KMS API reference.
const (
	MaxPageSize     = 1000
	DefaultPageSize = 100
	MaxPageToken    = 100
	MaxIDLength     = 50
)

// invalid returns the InvalidArgument status the cloud answers to a request
// that fails validation.
func invalid(field, format string, args ...any) error {
	return status.Errorf(codes.InvalidArgument, "Request validation error: %s: "+format, append([]any{field}, args...)...)
}

// checkID validates a required ID field of at most MaxIDLength characters.
func checkID(field, id string) error {
	if id == "" {
		return invalid(field, "required")
	}
	if utf8.RuneCountInString(id) > MaxIDLength {
		return invalid(field, "the maximum string length is %d", MaxIDLength)
	}
	return nil
}

// listing is one list request: the method and parent (folder or key) it
// pages through, and the page parameters.
type listing struct {
	method    string
	parent    string
	pageSize  int64
	pageToken string
}

// page cuts the page the request asks for out of n items: [from, to) and
// the next page token ("" on the last page).
func (s *Server) page(l listing, n int) (from, to int, next string, err error) {
	if l.pageSize < 0 || l.pageSize > MaxPageSize {
		return 0, 0, "", invalid("page_size", "must be in range 0..%d, got %d", MaxPageSize, l.pageSize)
	}
	if utf8.RuneCountInString(l.pageToken) > MaxPageToken {
		return 0, 0, "", invalid("page_token", "the maximum string length is %d", MaxPageToken)
	}
	size := int(l.pageSize)
	if size == 0 {
		size = DefaultPageSize
	}
	if s.cfg.servedPageSize > 0 {
		size = s.cfg.servedPageSize
	}
	emptyServed := false
	if l.pageToken != "" {
		var ok bool
		from, emptyServed, ok = s.parseToken(l, l.pageToken)
		if !ok || from > n {
			return 0, 0, "", invalid("page_token", "invalid page token")
		}
	}
	if s.cfg.emptyPages && !emptyServed && from < n {
		return from, from, s.token(l, from, true), nil
	}
	to = min(from+size, n)
	if to < n {
		next = s.token(l, to, false)
		if s.cfg.nextTokenSize > 0 {
			next = hugeToken(s.cfg.nextTokenSize)
		}
	}
	return from, to, next, nil
}

// token makes an opaque page token for offset within listing l, bound to
// l's method and parent by an HMAC so that a token of another listing is
// refused.
func (s *Server) token(l listing, offset int, emptyServed bool) string {
	var buf [5 + 16]byte
	binary.BigEndian.PutUint32(buf[:4], uint32(offset))
	if emptyServed {
		buf[4] = 1
	}
	copy(buf[5:], s.mac(l, buf[:5]))
	return base64.RawURLEncoding.EncodeToString(buf[:])
}

func (s *Server) parseToken(l listing, tok string) (offset int, emptyServed, ok bool) {
	buf, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(buf) != 21 || !hmac.Equal(buf[5:], s.mac(l, buf[:5])) {
		return 0, false, false
	}
	return int(binary.BigEndian.Uint32(buf[:4])), buf[4] == 1, true
}

func (s *Server) mac(l listing, payload []byte) []byte {
	h := hmac.New(sha256.New, s.secret)
	h.Write([]byte(l.method))
	h.Write([]byte{0})
	h.Write([]byte(l.parent))
	h.Write([]byte{0})
	h.Write(payload)
	return h.Sum(nil)[:16]
}
