package awskmstest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Hostile makes the answers of one operation (or of all) broken or
// hostile, for tests of a client's defences: a server that cuts answers
// short, mislabels them, pads them to megabytes, hands out key IDs no AWS
// key has, a marker of megabytes, or trickles its answer byte by byte.
// The zero value changes nothing; fields combine.
type Hostile struct {
	// Op limits the misbehaviour to one operation; "" means every one.
	Op string
	// TruncateAfter sends only that many bytes of the body (its
	// Content-Length still announces the whole) and closes the connection;
	// 0 sends the whole body.
	TruncateAfter int
	// ContentType replaces application/x-amz-json-1.1 (say "text/html").
	ContentType string
	// Body replaces the answer's body (say "<html>...").
	Body string
	// PadBytes adds that many bytes of JSON whitespace inside the answer,
	// which stays valid: a huge page.
	PadBytes int
	// BadKeyIDs makes every "KeyId" of the answer start with a NUL byte and
	// an invalid UTF-8 byte.
	BadKeyIDs bool
	// NextMarkerBytes makes the NextMarker of a truncated answer that many
	// bytes long (AWS documents at most 1024 characters).
	NextMarkerBytes int
	// ByteInterval sends the body one byte at a time, this far apart (a
	// slow-loris answer), until done or the client goes away.
	ByteInterval time.Duration
	// EchoRequest appends the request's canonical form to error messages,
	// as AWS does for a signature that does not match (its headers include
	// X-Amz-Security-Token).
	EchoRequest bool
}

// WithHostile makes the answers of h.Op misbehave as h says; the first
// Hostile given for an operation applies.
func WithHostile(h Hostile) Option { return func(c *config) { c.hostile = append(c.hostile, h) } }

func (s *Server) hostileFor(op string) *Hostile {
	for i := range s.cfg.hostile {
		if h := &s.cfg.hostile[i]; h.Op == "" || h.Op == op {
			return h
		}
	}
	return nil
}

// send writes an answer, misbehaving as the Hostile of op says.
func (s *Server) send(w http.ResponseWriter, r *http.Request, op string, status int, body []byte) {
	h := s.hostileFor(op)
	if h == nil {
		writeBody(w, status, contentType, body)
		return
	}
	body = h.rewrite(r, status, body)
	ct := contentType
	if h.ContentType != "" {
		ct = h.ContentType
	}
	if h.TruncateAfter == 0 && h.ByteInterval == 0 {
		writeBody(w, status, ct, body)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", ct)
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if h.TruncateAfter > 0 && h.TruncateAfter < len(body) {
		body = body[:h.TruncateAfter] // net/http closes a connection whose body falls short
	}
	if h.ByteInterval <= 0 {
		_, _ = w.Write(body)
		return
	}
	trickle(w, r, body, h.ByteInterval)
}

// trickle writes body a byte at a time, every interval, until done or the
// client goes away.
func trickle(w http.ResponseWriter, r *http.Request, body []byte, interval time.Duration) {
	flusher, _ := w.(http.Flusher)
	t := time.NewTicker(interval)
	defer t.Stop()
	for i := range body {
		if _, err := w.Write(body[i : i+1]); err != nil {
			return
		}
		if flusher != nil {
			flusher.Flush()
		}
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		}
	}
}

// rewrite applies the body changes of h.
func (h *Hostile) rewrite(r *http.Request, status int, body []byte) []byte {
	if h.Body != "" {
		return []byte(h.Body)
	}
	if h.EchoRequest && status != http.StatusOK {
		body = echo(r, body)
	}
	if h.BadKeyIDs {
		body = bytes.ReplaceAll(body, []byte(`"KeyId":"`), []byte("\"KeyId\":\"\\u0000\xff"))
	}
	if h.NextMarkerBytes > 0 {
		body = withMarker(body, h.NextMarkerBytes)
	}
	if h.PadBytes > 0 && len(body) > 0 && body[len(body)-1] == '}' {
		padded := make([]byte, 0, len(body)+h.PadBytes)
		padded = append(padded, body[:len(body)-1]...)
		padded = append(padded, bytes.Repeat([]byte(" "), h.PadBytes)...)
		body = append(padded, '}')
	}
	return body
}

// withMarker replaces the NextMarker of an answer by one of n bytes.
func withMarker(body []byte, n int) []byte {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return body
	}
	if _, ok := m["NextMarker"]; !ok {
		return body
	}
	m["NextMarker"], _ = json.Marshal(strings.Repeat("m", n))
	out, err := json.Marshal(m)
	if err != nil {
		return body
	}
	return out
}

// echo appends the canonical form of r (method, path, headers) to the
// message of an error answer, as AWS does for InvalidSignatureException.
func echo(r *http.Request, body []byte) []byte {
	var e map[string]any
	if json.Unmarshal(body, &e) != nil {
		return body
	}
	var b strings.Builder
	b.WriteString("The request signature we calculated does not match the signature you provided. ")
	b.WriteString("The Canonical String for this request should have been\n'POST\n/\n\n")
	b.WriteString("host:" + r.Host + "\n")
	for _, k := range []string{"Content-Type", "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Target", "Authorization"} {
		b.WriteString(strings.ToLower(k) + ":" + r.Header.Get(k) + "\n")
	}
	b.WriteString("'")
	msg, _ := e["message"].(string)
	e["message"] = strings.TrimSpace(msg + " " + b.String())
	out, err := json.Marshal(e)
	if err != nil {
		return body
	}
	return out
}
