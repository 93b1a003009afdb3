package yandexkms_test

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	ycsdk "github.com/yandex-cloud/go-sdk"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/providers/yandexkms"
)

// silentEndpoint accepts TCP connections and never answers a byte: a
// firewalled or hung API endpoint. Accepted tells of each connection.
type silentEndpoint struct {
	ln       net.Listener
	accepted chan struct{}
	mu       sync.Mutex
	conns    []net.Conn
	done     chan struct{}
}

func startSilent(t *testing.T) *silentEndpoint {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &silentEndpoint{ln: ln, accepted: make(chan struct{}, 100), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns = append(s.conns, c)
			s.mu.Unlock()
			select {
			case s.accepted <- struct{}{}:
			default:
			}
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		<-s.done
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, c := range s.conns {
			_ = c.Close()
		}
	})
	return s
}

func (s *silentEndpoint) addr() string { return s.ln.Addr().String() }

// closedPort returns an address where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// deadEndpointLister is a Lister NewFromConfig builds for endpoint, closed
// at cleanup.
func deadEndpointLister(t *testing.T, endpoint string, creds ycsdk.Credentials) *yandexkms.Lister {
	t.Helper()
	l, err := yandexkms.NewFromConfig(context.Background(), "b1gdeadendpoint00001",
		yandexkms.WithEndpoint(endpoint), yandexkms.WithCredentials(creds))
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close() })
	return l
}

// assertBounded checks the error of a call made with a short deadline: the
// context's own, or a classified *kms.Error of the Yandex adapter.
func assertBounded(t *testing.T, what string, err error) {
	t.Helper()
	require.Error(t, err, what)
	if errors.Is(err, context.DeadlineExceeded) {
		return
	}
	var kerr *kms.Error
	require.ErrorAs(t, err, &kerr, what)
	assert.Equal(t, kms.ProviderYandex, kerr.Provider, what)
	assert.ErrorIs(t, err, kms.ErrUnavailable, what)
}

// callsWithDeadline makes ListKeys, DescribeKey and ListKeyVersions calls,
// each with its own 300 ms deadline, three rounds: every call must return
// (under go test's own timeout) with the context's or a classified error,
// not only the first.
func callsWithDeadline(t *testing.T, l kms.Lister) {
	t.Helper()
	for round := range 3 {
		for name, call := range map[string]func(ctx context.Context) error{
			"ListKeys": func(ctx context.Context) error { return firstErr(l.ListKeys(ctx, kms.ListOptions{})) },
			"DescribeKey": func(ctx context.Context) error {
				_, err := l.DescribeKey(ctx, "abjdeadendpoint00001")
				return err
			},
			"ListKeyVersions": func(ctx context.Context) error {
				return firstErr(l.ListKeyVersions(ctx, "abjdeadendpoint00001", kms.ListOptions{}))
			},
		} {
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			err := call(ctx)
			cancel()
			assertBounded(t, name+" round "+string(rune('1'+round)), err)
		}
	}
}

func TestSilentEndpointHonoursTheDeadline(t *testing.T) {
	silent := startSilent(t)
	for _, endpoint := range []string{"http://" + silent.addr(), "https://" + silent.addr()} {
		t.Run(endpoint[:5], func(t *testing.T) {
			callsWithDeadline(t, deadEndpointLister(t, endpoint, ycsdk.NewIAMTokenCredentials("t1.token")))
		})
	}
}

func TestClosedPortHonoursTheDeadline(t *testing.T) {
	addr := closedPort(t)
	for _, endpoint := range []string{"http://" + addr, "https://" + addr} {
		t.Run(endpoint[:5], func(t *testing.T) {
			callsWithDeadline(t, deadEndpointLister(t, endpoint, ycsdk.NewIAMTokenCredentials("t1.token")))
		})
	}
}

// TestOpenedListerHonoursTheDeadline: kms.Open builds the SDK as
// NewFromConfig does; its Lister returns by the deadline too.
func TestOpenedListerHonoursTheDeadline(t *testing.T) {
	silent := startSilent(t)
	t.Setenv(yandexkms.EnvIAMToken, "t1.token")
	l, err := kms.Open(context.Background(), "yandexkms://b1gdeadendpoint00001?endpoint=http://"+silent.addr())
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close() })
	callsWithDeadline(t, l)
}

// TestTokenExchangeHonoursTheDeadline: an OAuth token is exchanged for an
// IAM token at the (silent) IAM endpoint first; that exchange is bounded by
// the caller's deadline too.
func TestTokenExchangeHonoursTheDeadline(t *testing.T) {
	silent := startSilent(t)
	callsWithDeadline(t, deadEndpointLister(t, "http://"+silent.addr(), ycsdk.OAuthToken("y0_oauth")))
}

// TestWaitingOnAnotherCallHonoursTheDeadline: the SDK makes a call wait for
// the endpoint discovery another call started; a call with a short deadline
// still returns by it while the other, with no deadline, is held.
func TestWaitingOnAnotherCallHonoursTheDeadline(t *testing.T) {
	silent := startSilent(t)
	l := deadEndpointLister(t, "http://"+silent.addr(), ycsdk.NewIAMTokenCredentials("t1.token"))
	long, cancelLong := context.WithCancel(context.Background())
	held := make(chan error, 1)
	go func() { held <- firstErr(l.ListKeys(long, kms.ListOptions{})) }()
	<-silent.accepted // the held call is connected and waiting for an answer

	callsWithDeadline(t, l)
	select {
	case err := <-held:
		t.Fatalf("the call with no deadline returned: %v", err)
	default:
	}
	cancelLong()
	assert.ErrorIs(t, <-held, context.Canceled)
}

// TestNewOverABlockingSDKHonoursTheDeadline: an SDK built with the SDK's
// default DialContextTimeout dials blocking, for 20 s; a Lister over it
// (New) still returns every call by the caller's deadline.
func TestNewOverABlockingSDKHonoursTheDeadline(t *testing.T) {
	silent := startSilent(t)
	sdk, err := ycsdk.Build(context.Background(), ycsdk.Config{
		Credentials: ycsdk.NewIAMTokenCredentials("t1.token"), Endpoint: silent.addr(), Plaintext: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = sdk.Shutdown(context.Background()) }) // ends the blocking dial
	callsWithDeadline(t, yandexkms.New(sdk, "b1gdeadendpoint00001"))
}
