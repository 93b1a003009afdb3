package awskmstest

import (
	"context"
	"net"
	"net/http"
	"sync"
)

// connGauge counts the server's connections: accepted, and open now.
type connGauge struct {
	mu       sync.Mutex
	accepted int
	open     int
	changed  chan struct{} // closed and replaced on every change
}

func (g *connGauge) track(_ net.Conn, state http.ConnState) {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch state {
	case http.StateNew:
		g.accepted++
		g.open++
	case http.StateClosed, http.StateHijacked:
		g.open--
	default:
		return
	}
	if g.changed != nil {
		close(g.changed)
		g.changed = nil
	}
}

func (g *connGauge) counts() (accepted, open int, changed <-chan struct{}) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.changed == nil {
		g.changed = make(chan struct{})
	}
	return g.accepted, g.open, g.changed
}

// AcceptedConnections returns how many connections the server has
// accepted: a client that reuses its keep-alive connections opens few.
func (s *Server) AcceptedConnections() int {
	a, _, _ := s.conns.counts()
	return a
}

// OpenConnections returns how many connections are open now (idle
// keep-alive connections included).
func (s *Server) OpenConnections() int {
	_, o, _ := s.conns.counts()
	return o
}

// WaitOpenConnections waits until exactly n connections are open, or ctx
// is done (its error is returned): to see a client close its idle
// connections, without sleeping.
func (s *Server) WaitOpenConnections(ctx context.Context, n int) error {
	for {
		_, open, changed := s.conns.counts()
		if open == n {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
