package awskms

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmssdk "github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

var (
	errResponseTooLarge = errors.New("the answer is larger than 8 MiB; no AWS KMS answer is")
	errBadServerMarker  = errors.New("the server's NextMarker is not 1..1024 characters in U+0020..U+00FF")
	errOtherKey         = errors.New("the answer describes another key than the one asked for")
	errBadServerKeyID   = errors.New("the server returned a key ID that is not 1..2048 printable ASCII characters")
)

// call is the plumbing of one SDK request: the per-call options that make
// the engine the only retrier, mark credential failures and bound the
// answer's size, and the secrets the request was signed with, for scrubbing
// its error.
type call struct {
	mu      sync.Mutex
	secrets []string
}

// options is the per-call option of every SDK call of the Lister.
func (c *call) options(o *kmssdk.Options) {
	// The engine (pagination) is the single retrier, see the package doc.
	o.Retryer = aws.NopRetryer{}
	if o.Credentials != nil {
		o.Credentials = &recordingCredentials{next: o.Credentials, c: c}
	}
	if o.HTTPClient != nil {
		o.HTTPClient = limitedClient{next: o.HTTPClient}
	}
}

// fail maps err (see mapError) and scrubs it of the request's secrets.
func (c *call) fail(ctx context.Context, op string, err error) error {
	err = mapError(ctx, op, err)
	c.mu.Lock()
	defer c.mu.Unlock()
	return scrub(err, c.secrets)
}

// recordingCredentials passes Retrieve on, keeps the secrets it hands out
// (to scrub them from any error of the call) and marks its failures, so that
// missing or unusable credentials are told apart from other errors.
type recordingCredentials struct {
	next aws.CredentialsProvider
	c    *call
}

// Retrieve gets the credentials from the next provider, recording their secrets.
func (r *recordingCredentials) Retrieve(ctx context.Context) (aws.Credentials, error) {
	cr, err := r.next.Retrieve(ctx)
	if err != nil {
		return cr, &credentialsError{err}
	}
	r.c.mu.Lock()
	defer r.c.mu.Unlock()
	for _, s := range []string{cr.SecretAccessKey, cr.SessionToken} {
		if len(s) >= 4 {
			r.c.secrets = append(r.c.secrets, s)
		}
	}
	return cr, nil
}

// credentialsError is a failure to get credentials from the chain.
type credentialsError struct{ err error }

// Error says the credentials could not be had, and why.
func (e *credentialsError) Error() string { return "no usable credentials: " + e.err.Error() }

// Unwrap returns the provider's error.
func (e *credentialsError) Unwrap() error { return e.err }

// limitedClient bounds the answers of an HTTP client at maxResponseBytes.
type limitedClient struct{ next aws.HTTPClient }

// Do sends req, refusing an answer announced larger than maxResponseBytes
// and bounding the read of the others.
func (c limitedClient) Do(req *http.Request) (*http.Response, error) {
	resp, err := c.next.Do(req)
	if err != nil || resp == nil || resp.Body == nil {
		return resp, err
	}
	if resp.ContentLength > maxResponseBytes {
		_ = resp.Body.Close()
		return nil, errResponseTooLarge
	}
	resp.Body = &limitedBody{rc: resp.Body, left: maxResponseBytes}
	return resp, nil
}

type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

// Read reads up to the limit, then fails with errResponseTooLarge.
func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One byte more than allowed tells a long answer from one that
		// ends exactly at the limit.
		var one [1]byte
		if n, _ := b.rc.Read(one[:]); n > 0 {
			return 0, errResponseTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

// Close closes the body.
func (b *limitedBody) Close() error { return b.rc.Close() }

// request is the pagination.Request of single calls of op.
func (l *Lister) request(op string) pagination.Request {
	return pagination.Request{Op: op, Scope: l.scope, Retry: l.retry, Limiter: l.limiters[op], Observer: l.observer}
}

// fail is the error of a call refused before any request.
func fail(op string, code kms.Code, err error) error {
	return kms.NewError(kms.ProviderAWS, op, code, err)
}
