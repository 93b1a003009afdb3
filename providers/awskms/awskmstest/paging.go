package awskmstest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"net/http"
	"unicode/utf8"
)

// A marker is opaque: base64url of the offset, flags and a MAC over them, the
// server's random salt and the listing's scope (operation and key), so a
// marker cannot be forged, edited or used for another listing.
const (
	markerLen     = 4 + 1 + 8
	flagEmptyDone = 1 // the empty page before this offset was served (WithEmptyPages)
)

type pageSpec struct {
	scope         string // operation and key ID
	def, maxLimit int64  // Limit default and maximum
}

type pageResult struct {
	start, end int
	next       *string
	truncated  bool
}

// page picks the items [start, end) of n for a marker-paginated request and
// the NextMarker and Truncated of the answer, validating Limit and Marker.
func (s *Server) page(req *request, spec pageSpec, n int) (pageResult, *apiError) {
	limit := spec.def
	if req.Limit != nil {
		limit = *req.Limit
		if limit < 1 {
			return pageResult{}, validation("Value '%d' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1", limit)
		}
		if limit > spec.maxLimit {
			return pageResult{}, validation("Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to %d", limit, spec.maxLimit)
		}
	}
	offset, flags := 0, byte(0)
	if req.Marker != nil {
		if e := validMarkerText(*req.Marker); e != nil {
			return pageResult{}, e
		}
		var ok bool
		if offset, flags, ok = s.decodeMarker(spec.scope, *req.Marker); !ok || offset > n {
			return pageResult{}, apiErr(http.StatusBadRequest, "InvalidMarkerException", "Invalid marker")
		}
	}
	if s.cfg.emptyPages && flags&flagEmptyDone == 0 && offset < n {
		next := s.encodeMarker(spec.scope, offset, flagEmptyDone)
		return pageResult{start: offset, end: offset, next: &next, truncated: true}, nil
	}
	res := pageResult{start: offset, end: min(offset+int(limit), n)}
	if res.end < n {
		res.truncated = true
		next := s.encodeMarker(spec.scope, res.end, 0)
		if s.cfg.repeatMarkers && req.Marker != nil {
			next = *req.Marker
		}
		res.next = &next
	}
	return res, nil
}

func validMarkerText(m string) *apiError {
	if n := utf8.RuneCountInString(m); n < 1 || n > 1024 { // characters, not bytes
		return validation("Value at 'marker' failed to satisfy constraint: Member must have length between 1 and 1024")
	}
	for _, r := range m {
		if r < 0x20 || r > 0xFF {
			return validation("Value at 'marker' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0020-\\u00FF]*")
		}
	}
	return nil
}

func (s *Server) encodeMarker(scope string, offset int, flags byte) string {
	var b [markerLen]byte
	binary.BigEndian.PutUint32(b[:4], uint32(offset))
	b[4] = flags
	copy(b[5:], s.mac(scope, b[:5]))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func (s *Server) decodeMarker(scope, m string) (offset int, flags byte, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(m)
	if err != nil || len(b) != markerLen || !hmac.Equal(b[5:], s.mac(scope, b[:5])) {
		return 0, 0, false
	}
	return int(binary.BigEndian.Uint32(b[:4])), b[4], true
}

func (s *Server) mac(scope string, payload []byte) []byte {
	h := hmac.New(sha256.New, s.salt[:])
	h.Write([]byte(scope))
	h.Write([]byte{0})
	h.Write(payload)
	return h.Sum(nil)[:8]
}
