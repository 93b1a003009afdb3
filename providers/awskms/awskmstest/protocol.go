package awskmstest

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const contentType = "application/x-amz-json-1.1"

// request holds every parameter of the operations served.
type request struct {
	KeyID              *string  `json:"KeyId"`
	Limit              *int64   `json:"Limit"`
	Marker             *string  `json:"Marker"`
	GrantTokens        []string `json:"GrantTokens"`
	IncludeKeyMaterial *string  `json:"IncludeKeyMaterial"`
	PolicyName         *string  `json:"PolicyName"`
	GrantID            *string  `json:"GrantId"`
	GranteePrincipal   *string  `json:"GranteePrincipal"`
}

// apiError is an error answer: HTTP status, __type and message.
type apiError struct {
	status int
	typ    string
	msg    string
}

func apiErr(status int, typ, format string, args ...any) *apiError {
	return &apiError{status: status, typ: typ, msg: fmt.Sprintf(format, args...)}
}

func validation(format string, args ...any) *apiError {
	return apiErr(http.StatusBadRequest, "ValidationException", "1 validation error detected: "+format, args...)
}

// checkProtocol checks the method, content type and SigV4 Authorization
// header (its shape, and that it is scoped to region and the kms service).
// The shapes are checked by hand-written scanners (sigv4.go), not regular
// expressions: the same strings pass, at a fraction of the CPU.
func checkProtocol(r *http.Request, region string) *apiError {
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		return apiErr(http.StatusNotFound, "UnknownOperationException", "")
	}
	if ct := header(r, "Content-Type"); ct != contentType {
		return apiErr(http.StatusBadRequest, "SerializationException", "unsupported Content-Type %q", ct)
	}
	auth := header(r, "Authorization")
	if auth == "" {
		return apiErr(http.StatusBadRequest, "MissingAuthenticationTokenException", "Missing Authentication Token")
	}
	rest, ok := strings.CutPrefix(auth, "AWS4-HMAC-SHA256 ")
	if !ok {
		return incomplete("Authorization header requires the AWS4-HMAC-SHA256 algorithm")
	}
	credential, signed, signature := authParams(rest)
	date, credRegion, credOK := parseCredential(credential)
	switch {
	case !credOK:
		return incomplete("Authorization header requires a well-formed 'Credential' parameter")
	case !signedHeadersOK(signed):
		return incomplete("Authorization header requires a 'SignedHeaders' parameter including host and x-amz-date")
	case !isSignature(signature):
		return incomplete("Authorization header requires a well-formed 'Signature' parameter")
	case !strings.HasPrefix(header(r, "X-Amz-Date"), date):
		return incomplete("X-Amz-Date does not match the credential scope date")
	case credRegion != region:
		return apiErr(http.StatusBadRequest, "InvalidSignatureException",
			"Credential should be scoped to a valid region, not '%s'", credRegion)
	}
	return nil
}

func incomplete(msg string) *apiError {
	return apiErr(http.StatusBadRequest, "IncompleteSignatureException", "%s", msg)
}

// decodeRequest reads the JSON body.
func decodeRequest(r *http.Request) (*request, *apiError) {
	body, err := readBody(r.Body, r.ContentLength, 1<<20)
	if err != nil {
		return nil, apiErr(http.StatusBadRequest, "SerializationException", "cannot read body")
	}
	var req request
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, apiErr(http.StatusBadRequest, "SerializationException", "malformed JSON body")
	}
	return &req, nil
}

// rawJSON is an answer already encoded.
type rawJSON []byte

// errorBody is an error answer's body: its __type and message.
func errorBody(e *apiError) []byte {
	body, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message,omitempty"`
	}{e.typ, e.msg})
	return body
}

// encode marshals an answer; a value that cannot be marshalled becomes the
// internal error AWS would answer.
func encode(status int, v any) (int, []byte) {
	if raw, ok := v.(rawJSON); ok {
		return status, raw
	}
	body, err := json.Marshal(v)
	if err != nil {
		return http.StatusInternalServerError, []byte(`{"__type":"KMSInternalException"}`)
	}
	return status, body
}

// writeBody sends an answer with the headers AWS sends.
func writeBody(w http.ResponseWriter, status int, contentType string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("x-amzn-RequestId", requestID())
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// requestID returns a random UUID-shaped request ID (not a secret: no
// system call needed).
func requestID() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], rand.Uint64())
	var id [36]byte
	hex.Encode(id[0:8], b[0:4])
	id[8] = '-'
	hex.Encode(id[9:13], b[4:6])
	id[13] = '-'
	hex.Encode(id[14:18], b[6:8])
	id[18] = '-'
	hex.Encode(id[19:23], b[8:10])
	id[23] = '-'
	hex.Encode(id[24:36], b[10:16])
	return string(id[:])
}

// readBody is io.ReadAll(io.LimitReader(body, limit)) for a body announced
// as length bytes (-1: unknown), read into a buffer of that size rather
// than one grown from 512 bytes.
func readBody(body io.Reader, length, limit int64) ([]byte, error) {
	if length < 0 || length > limit {
		return io.ReadAll(io.LimitReader(body, limit))
	}
	lr := io.LimitReader(body, limit)
	buf := make([]byte, length)
	n, err := io.ReadFull(lr, buf)
	buf = buf[:n]
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF: // shorter than announced
		return buf, nil
	case err != nil:
		return buf, err
	}
	for { // longer than announced?
		var one [1]byte
		m, err := lr.Read(one[:])
		switch {
		case m > 0:
			rest, err := io.ReadAll(lr)
			return append(append(buf, one[0]), rest...), err
		case err == io.EOF:
			return buf, nil
		case err != nil:
			return buf, err
		}
	}
}

// epoch is a timestamp as awsJson1_1 sends it: epoch seconds, a JSON number.
type epoch float64

func epochOf(t time.Time) *epoch {
	if t.IsZero() {
		return nil
	}
	e := epoch(float64(t.UnixMilli()) / 1000)
	return &e
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// writeError sends an error answer.
func writeError(w http.ResponseWriter, e *apiError) {
	writeBody(w, e.status, contentType, errorBody(e))
}

// writeJSON sends v as a JSON answer with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	status, body := encode(status, v)
	writeBody(w, status, contentType, body)
}
