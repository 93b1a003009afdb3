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

// slack is the connections a warm listing may dial beyond those its
// client keeps idle (one the server closed, say).
const slack = 4

// TestOwnClientKeepsAConnectionPerRequestInFlight: a DetailFull listing of
// 1,000 keys through NewFromConfig (and kms.Open) runs its describes 64 at
// a time over the connections of the first waves, not over new ones each
// wave (the SDK's transport keeps only 10 idle a host: the old client
// dialled about 54 connections a wave, some 600 for this listing, and as
// many again for the next). A request that finds no idle connection dials
// one and takes the first to come free, its own dial's or another's
// (net/http's dial race): so the first listing may dial up to twice what
// it has in flight, the extra connections kept idle or closed; a second
// listing dials (almost) none.
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
		inFlight := tc.concurrency + 2 // the describes, the ListKeys page ahead, the ListAliases pass
		for round, most := range []int{2 * inFlight, slack} {
			before := s.AcceptedConnections()
			keys, err := pagination.Collect(l.ListKeys(context.Background(), kms.ListOptions{Detail: kms.DetailFull}))
			require.NoError(t, err, tc.name)
			require.Len(t, keys, 1000, tc.name)
			assert.LessOrEqual(t, s.AcceptedConnections()-before, most, "%s: listing %d: connections dialled for 1,000 describes, %d in flight",
				tc.name, round+1, tc.concurrency)
			assert.GreaterOrEqual(t, s.MaxInFlight(), 11, "%s: more requests in flight than the SDK's 10 idle connections", tc.name)
		}
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
	// The old client dialled some 360 connections a listing here.
	for round, most := range []int{2 * (awskms.DefaultConcurrency + 2), slack} {
		before := dialled.Load()
		keys, err := pagination.Collect(l.ListKeys(context.Background(), kms.ListOptions{Detail: kms.DetailFull}))
		require.NoError(t, err, "the bundle is trusted")
		require.Len(t, keys, 500)
		assert.LessOrEqual(t, int(dialled.Load()-before), most, "listing %d: TLS connections (handshakes) for 500 describes", round+1)
	}
}
