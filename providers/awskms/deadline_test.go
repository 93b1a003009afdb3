package awskms_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
	"github.com/multikms/multikms/providers/awskms"
	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

// blackHole is a listener that accepts connections and never answers.
func blackHole(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return ln.Addr().String()
}

// closedPort returns an address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// TestDeadEndpointsHonourTheDeadline: ListKeys and DescribeKey against an
// endpoint that accepts and never answers (plain and TLS) and against a
// closed port return once the caller's 300 ms deadline passes, every call,
// with the context's error or a classified one.
func TestDeadEndpointsHonourTheDeadline(t *testing.T) {
	isolateAWSConfig(t)
	for name, endpoint := range map[string]string{
		"silent":     "http://" + blackHole(t),
		"silent TLS": "https://" + blackHole(t),
		"closed":     "http://" + closedPort(t),
	} {
		t.Run(name, func(t *testing.T) {
			l, err := awskms.NewFromConfig(context.Background(), awskms.WithRegion("eu-west-1"), awskms.WithEndpoint(endpoint))
			require.NoError(t, err)
			defer l.Close()
			for range 2 { // every call, not only the first
				ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
				_, err = kmstest.Collect(l.ListKeys(ctx, kms.ListOptions{}))
				wantDeadlineOrClassified(t, err, awskms.OpListKeys)
				cancel()
				ctx, cancel = context.WithTimeout(context.Background(), 300*time.Millisecond)
				_, err = l.DescribeKey(ctx, "0d990263-018e-4e65-a703-eff731de951e")
				wantDeadlineOrClassified(t, err, awskms.OpDescribeKey)
				cancel()
			}
		})
	}
}

// wantDeadlineOrClassified checks that a call against a dead endpoint
// ended with ctx's own error once its deadline passed, or earlier with a
// classified *kms.Error of op (a refused connection whose retries ran
// out first).
func wantDeadlineOrClassified(t *testing.T, err error, op string) {
	t.Helper()
	require.Error(t, err)
	if errors.Is(err, context.DeadlineExceeded) {
		require.Equal(t, context.DeadlineExceeded, err, "the context's error, unwrapped")
		return
	}
	var ke *kms.Error
	require.True(t, errors.As(err, &ke), "%v is neither the deadline nor a *kms.Error", err)
	require.Equal(t, op, ke.Op)
	require.ErrorIs(t, err, kms.ErrUnavailable)
}

// heldCredentials is a container credentials endpoint that holds every
// request until the test ends, then answers: a token fetch that hangs.
// (The SDK's credential cache goes on with a fetch after the caller gives
// up, so that other calls can share it; the answer at the end lets it
// finish.)
func heldCredentials(t *testing.T) string {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"AccessKeyId":"AKIDHELD","SecretAccessKey":"held-secret","Token":"held-token","Expiration":%q}`,
			time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	}))
	t.Cleanup(func() {
		close(release)
		srv.Close()
	})
	return srv.URL + "/credentials"
}

// TestHangingCredentialFetchHonoursTheDeadline: the credentials come from
// a container credentials endpoint that never answers in time; the call
// still returns by the caller's deadline, every call, sending nothing.
func TestHangingCredentialFetchHonoursTheDeadline(t *testing.T) {
	noCredentials(t)
	t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", heldCredentials(t))
	s := awskmstest.New(awskmstest.WithGeneratedKeys(1))
	t.Cleanup(s.Close)
	l, err := awskms.NewFromConfig(context.Background(), awskms.WithRegion(s.Region()), awskms.WithEndpoint(s.URL()))
	require.NoError(t, err)
	defer l.Close()
	for range 2 {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		_, err = l.DescribeKey(ctx, s.Keys()[0].ID)
		cancel()
		require.Equal(t, context.DeadlineExceeded, err)
	}
	require.Zero(t, s.TotalRequests(), "nothing is sent without credentials")
}
