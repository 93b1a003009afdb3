// Package inflight counts the requests an emulator is answering at once,
// and the most it has answered at once, for tests of client concurrency.
package inflight

import "sync/atomic"

// Gauge counts requests in flight and their peak. The zero value is ready
// to use; it is safe for concurrent use.
type Gauge struct {
	now, peak atomic.Int64
}

// Enter counts a request in, raising the peak if need be. Call Leave when
// the request is answered.
func (g *Gauge) Enter() {
	n := g.now.Add(1)
	for p := g.peak.Load(); n > p && !g.peak.CompareAndSwap(p, n); p = g.peak.Load() {
	}
}

// Leave counts a request out.
func (g *Gauge) Leave() { g.now.Add(-1) }

// Peak returns the most requests in flight at once since the last Reset.
func (g *Gauge) Peak() int { return int(g.peak.Load()) }

// Reset starts the peak again from the requests in flight now.
func (g *Gauge) Reset() { g.peak.Store(g.now.Load()) }
