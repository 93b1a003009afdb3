package awskms_test

import (
	"context"
	"encoding/pem"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
	"github.com/multikms/multikms/providers/awskms"
	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

// TestOwnClientKeepsAConnectionPerRequestInFlight: two DetailFull listings
// of 1,000 keys through NewFromConfig (and kms.Open) run their describes
// 64 at a time over the connections of the first waves, rather than
// closing them between waves to dial them again for the next (the SDK's
// transport keeps only 10 idle a host: the old client dialled about 54 a
// wave, over 1,100 for these two listings). A request that finds no idle
// connection dials one and takes the first to come free, its own dial's
// or another's (net/http's dial race), so a client may dial up to twice
// what it has in flight, the extra connections closed as they come back
// beyond the idle pool: that is the bound.
func TestOwnClientKeepsAConnectionPerRequestInFlight(t *testing.T) {
	isolateAWSConfig(t)
	s := awskmstest.New(awskmstest.WithGeneratedKeys(1000), awskmstest.WithLatency(2*time.Millisecond))
	t.Cleanup(s.Close)
	for _, tc := range []struct {
		name        string
		open        func() (kms.Lister, error)
		concurrency int
	}{
		{"NewFromConfig", func() (kms.Lister, error) {
			return awskms.NewFromConfig(context.Background(), awskms.WithRegion(s.Region()), awskms.WithEndpoint(s.URL()))
		}, awskms.DefaultConcurrency},
		{"Open", func() (kms.Lister, error) {
			return kms.Open(context.Background(), "awskms://?region="+s.Region()+"&endpoint="+url.QueryEscape(s.URL()))
		}, awskms.DefaultConcurrency},
		{"WithConcurrency(200)", func() (kms.Lister, error) {
			return awskms.NewFromConfig(context.Background(), awskms.WithRegion(s.Region()), awskms.WithEndpoint(s.URL()), awskms.WithConcurrency(200))
		}, 200},
	} {
		l, err := tc.open()
		require.NoError(t, err, tc.name)
		before := s.AcceptedConnections()
		for range 2 {
			keys, err := pagination.Collect(l.ListKeys(context.Background(), kms.ListOptions{Detail: kms.DetailFull}))
			require.NoError(t, err, tc.name)
			require.Len(t, keys, 1000, tc.name)
		}
		accepted := s.AcceptedConnections() - before
		inFlight := tc.concurrency + 2 // the describes, the ListKeys page ahead, the ListAliases pass
		assert.LessOrEqual(t, accepted, 2*inFlight, "%s: connections dialled for 2,000 describes, %d in flight", tc.name, tc.concurrency)
		assert.GreaterOrEqual(t, s.MaxInFlight(), 11, "%s: more requests in flight than the SDK's 10 idle connections", tc.name)
		require.NoError(t, l.Close())
		waitClosed(t, s)
	}
}

// TestOwnClientKeepsTheCABundle: over TLS with AWS_CA_BUNDLE, the
// Lister's own client trusts the bundle and keeps its connections (each
// one a handshake) across the waves of describes.
func TestOwnClientKeepsTheCABundle(t *testing.T) {
	isolateAWSConfig(t)
	s := awskmstest.New(awskmstest.WithGeneratedKeys(500), awskmstest.WithLatency(2*time.Millisecond))
	t.Cleanup(s.Close)
	var dialled atomic.Int64
	tlsSrv := httptest.NewUnstartedServer(s)
	tlsSrv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			dialled.Add(1)
		}
	}
	tlsSrv.StartTLS()
	t.Cleanup(tlsSrv.Close)
	bundle := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(bundle, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tlsSrv.Certificate().Raw}), 0o600))
	t.Setenv("AWS_CA_BUNDLE", bundle)

	l, err := awskms.NewFromConfig(context.Background(), awskms.WithRegion(s.Region()), awskms.WithEndpoint(tlsSrv.URL))
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close() })
	for range 2 {
		keys, err := pagination.Collect(l.ListKeys(context.Background(), kms.ListOptions{Detail: kms.DetailFull}))
		require.NoError(t, err, "the bundle is trusted")
		require.Len(t, keys, 500)
	}
	// The old client dialled some 350 a listing here.
	assert.LessOrEqual(t, int(dialled.Load()), 2*(awskms.DefaultConcurrency+2), "TLS connections (handshakes) for 1,000 describes")
}
