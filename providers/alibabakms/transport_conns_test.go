package alibabakms_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
	"github.com/multikms/multikms/providers/alibabakms"
	emu "github.com/multikms/multikms/providers/alibabakms/alibabakmstest"
)

// TestOwnTransportKeepsAConnectionPerRequestInFlight: the transport
// NewFromConfig's client gets keeps idle every connection a listing had in
// flight, whatever WithConcurrency allows: no connection is closed between
// the waves of pages and describes, to be dialled again by the next (the
// old transport kept 32 a host: with some 60 requests in flight, each of
// two listings closed and dialled about 30). A request that finds no idle
// connection dials one and takes the first to come free (net/http's dial
// race), so the listings may dial up to twice what they have in flight.
func TestOwnTransportKeepsAConnectionPerRequestInFlight(t *testing.T) {
	s := emu.New(emu.WithGeneratedKeys(600, 1), emu.WithLatency(100*time.Millisecond)) // enough latency for many in flight
	t.Cleanup(s.Close)
	var dialled, closed atomic.Int64
	srv := httptest.NewUnstartedServer(s)
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		switch st {
		case http.StateNew:
			dialled.Add(1)
		case http.StateClosed:
			closed.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	setEnv(t, s, false)
	l, err := alibabakms.NewFromConfig(bg, alibabakms.WithEndpoint(srv.URL), alibabakms.WithConcurrency(300), noPacing)
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close() })
	for range 2 {
		keys, err := kmstest.Collect(l.ListKeys(bg, kms.ListOptions{Detail: kms.DetailFull}))
		require.NoError(t, err)
		require.Len(t, keys, 600)
	}
	assert.Greater(t, s.MaxInFlight(), 32, "more requests in flight than the old 32 idle connections")
	assert.LessOrEqual(t, int(closed.Load()), 2, "connections closed while listing (%d dialled, %d in flight at most)", dialled.Load(), s.MaxInFlight())
	assert.LessOrEqual(t, int(dialled.Load()), 2*s.MaxInFlight(), "connections dialled")
}
