package alibabakmstest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// Hostile is a broken or hostile change to the successful answers of the
// server, for tests of a client's defences.
type Hostile struct {
	// Action limits it to one action; "" means every action.
	Action string
	// Rewrite, when set, replaces the JSON body of the answer by what it
	// returns (invalid UTF-8, NUL bytes, huge pages, absurd totals, ...).
	Rewrite func(body []byte) []byte
	// ContentType, when set, replaces the Content-Type header.
	ContentType string
	// Truncate, when positive, sends only that many bytes of the body
	// (announcing all of them) and drops the connection.
	Truncate int
	// Trickle, when positive, sends the body one byte at a time with this
	// pause before each (a slow-loris answer).
	Trickle time.Duration
}

// WithHostile applies h to the successful answers of its action.
func WithHostile(h ...Hostile) Option { return func(s *Server) { s.hostile = append(s.hostile, h...) } }

// writeAnswer writes a successful answer, changed by the Hostile of its
// action if any.
func (s *Server) writeAnswer(w http.ResponseWriter, r *http.Request, action string, body any) {
	var h *Hostile
	for i := range s.hostile {
		if s.hostile[i].Action == "" || s.hostile[i].Action == action {
			h = &s.hostile[i]
			break
		}
	}
	if h == nil {
		s.writeJSON(w, http.StatusOK, body)
		return
	}
	if m, ok := body.(interface{ setRequestID(string) }); ok {
		m.setRequestID(s.requestID())
	}
	b, _ := json.Marshal(body)
	if h.Rewrite != nil {
		b = h.Rewrite(b)
	}
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	if h.ContentType != "" {
		w.Header().Set("Content-Type", h.ContentType)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	if h.Truncate > 0 && h.Truncate < len(b) {
		b = b[:h.Truncate]
	}
	if h.Trickle <= 0 {
		_, _ = w.Write(b)
		return
	}
	f, _ := w.(http.Flusher)
	for i := range b {
		if !sleep(r.Context(), h.Trickle) {
			return
		}
		if _, err := w.Write(b[i : i+1]); err != nil {
			return
		}
		if f != nil {
			f.Flush()
		}
	}
}
