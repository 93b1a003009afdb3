// Package membody hands net/http request bodies as a bytes.Reader of their
// own, read into memory before the request is sent. It works around a race
// between aws-sdk-go-v2 and net/http: the SDK closes the request body as
// soon as Do returns, after which smithy-go's body wrapper answers WriteTo
// with io.EOF; net/http's probe for extra body bytes can run after that and
// takes the io.EOF for a write failure, closing the connection while the
// answer is still being read ("use of closed network connection"). A body
// of its own (a KMS request is a few hundred bytes of JSON) is not closed
// under net/http and, being a reader net/http knows is in memory, goes out
// with the headers in one write rather than two (one TCP segment, one TLS
// record). The bytes sent are the same. The AWS adapter's own HTTP client
// and awskmstest.SDKHTTPClient both use it.
package membody

import (
	"bytes"
	"io"
	"net/http"
)

// Client is an http.Client whose Do reads the request body into memory
// first (see Read).
type Client struct{ *http.Client }

// Do sends req with its body read into memory first.
func (c Client) Do(req *http.Request) (*http.Response, error) {
	if err := Read(req); err != nil {
		return nil, err
	}
	return c.Client.Do(req)
}

// Read replaces req's body with its bytes in memory: a bytes.Reader when
// they are the announced ContentLength (net/http then sends headers and
// body in one write), else a reader net/http does not recognise, which
// leaves the length for net/http to find out as before. The original body
// is left to its owner to close (the SDK closes it when Do returns).
func Read(req *http.Request) error {
	if req.Body == nil || req.Body == http.NoBody {
		return nil
	}
	b, err := readAll(req.Body, req.ContentLength)
	if err != nil {
		return err
	}
	if int64(len(b)) == req.ContentLength {
		req.Body = io.NopCloser(bytes.NewReader(b))
	} else {
		req.Body = readCloser{io.NopCloser(bytes.NewReader(b))}
	}
	return nil
}

// readCloser exposes only Read and Close of a body.
type readCloser struct{ io.ReadCloser }

// readAll reads r to its end into a buffer of n bytes (the announced
// length; <= 0 for unknown), grown only if r is longer.
func readAll(r io.Reader, n int64) ([]byte, error) {
	if n <= 0 {
		return io.ReadAll(r)
	}
	buf := make([]byte, n)
	m, err := io.ReadFull(r, buf)
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF: // shorter than announced
		return buf[:m], nil
	case err != nil:
		return buf[:m], err
	}
	rest, err := io.ReadAll(r) // longer than announced?
	return append(buf, rest...), err
}
