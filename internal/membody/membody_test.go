package membody

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestRead: the body keeps its bytes whatever its announced length, and is
// a reader net/http knows the length of exactly when that length is right.
func TestRead(t *testing.T) {
	for _, c := range []struct {
		body   string
		length int64
		known  bool // handed on as io.NopCloser(*bytes.Reader)
	}{
		{`{"KeyId":"k"}`, 13, true},
		{`{"KeyId":"k"}`, -1, false},
		{`{"KeyId":"k"}`, 5, false},   // longer than announced
		{`{"KeyId":"k"}`, 100, false}, // shorter than announced
		{"", 0, true},
	} {
		req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1/", io.NopCloser(strings.NewReader(c.body)))
		req.ContentLength = c.length
		if err := Read(req); err != nil {
			t.Fatalf("%q, length %d: %v", c.body, c.length, err)
		}
		got, _ := io.ReadAll(req.Body)
		if string(got) != c.body {
			t.Errorf("%q, length %d: body %q", c.body, c.length, got)
		}
		_, wrapped := req.Body.(readCloser)
		if wrapped == c.known {
			t.Errorf("%q, length %d: body %T, want a known length %v", c.body, c.length, req.Body, c.known)
		}
	}
	if err := Read(&http.Request{Body: http.NoBody}); err != nil {
		t.Errorf("NoBody: %v", err)
	}
}
