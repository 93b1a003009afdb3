package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/term"

	"github.com/multikms/multikms/pagination"
)

// progressInterval is how often the progress line is redrawn: a few times a
// second, enough to look alive, little enough not to flicker.
const progressInterval = 250 * time.Millisecond

// clearLine returns the cursor to the start of the line and erases it.
const clearLine = "\r\x1b[K"

// isTerminal reports whether w is a terminal (a *os.File on a tty).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progress draws one status line on a terminal, redrawn in place from the
// listing's Stats on a ticker, and cleared by stop. A nil *progress draws
// nothing (stderr is not a terminal, or -q).
type progress struct {
	w     io.Writer
	width func() int // the terminal's columns, 0 if unknown
	stats func() pagination.Stats
	keys  *atomic.Int64 // keys written so far

	mu    sync.Mutex // serialises drawing with pauses
	drawn bool       // a line is on the screen

	done chan struct{}
	wg   sync.WaitGroup
}

// startProgress starts drawing on w if w is a terminal and quiet is false;
// otherwise it returns nil.
func startProgress(w io.Writer, quiet bool, stats func() pagination.Stats, keys *atomic.Int64) *progress {
	if quiet || !isTerminal(w) {
		return nil
	}
	fd := int(w.(*os.File).Fd())
	width := func() int {
		cols, _, err := term.GetSize(fd)
		if err != nil {
			return 0
		}
		return cols
	}
	p := &progress{w: w, width: width, stats: stats, keys: keys, done: make(chan struct{})}
	p.draw()
	p.wg.Add(1)
	go p.loop()
	return p
}

func (p *progress) loop() {
	defer p.wg.Done()
	t := time.NewTicker(progressInterval)
	defer t.Stop()
	for {
		select {
		case <-p.done:
			return
		case <-t.C:
			p.draw()
		}
	}
}

func (p *progress) draw() {
	line := progressLine(p.keys.Load(), p.stats())
	if cols := p.width(); cols > 1 && len(line) >= cols {
		line = line[:cols-1] // one line, or the erase would leave the wrapped rest
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprint(p.w, clearLine+line)
	p.drawn = true
}

// progressLine is the status line: keys so far, scopes done/failed/total,
// requests, throttled answers and the current pace.
func progressLine(keys int64, s pagination.Stats) string {
	line := fmt.Sprintf("%d keys", keys)
	if s.ScopesTotal > 0 {
		line += fmt.Sprintf(" | scopes %d done, %d failed of %d", s.ScopesDone, s.ScopesFailed, s.ScopesTotal)
	}
	line += fmt.Sprintf(" | %d requests, %d throttled", s.Requests, s.Throttled)
	if s.Pace > 0 {
		line += fmt.Sprintf(" | %.0f req/s", s.Pace)
	}
	return line
}

// pause erases the line, if one is drawn, and runs f (a write to the same
// terminal) before the next redraw.
func (p *progress) pause(f func()) {
	if p == nil {
		f()
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, clearLine)
		p.drawn = false
	}
	f()
}

// stop stops the redraws and erases the line.
func (p *progress) stop() {
	if p == nil {
		return
	}
	close(p.done)
	p.wg.Wait()
	p.pause(func() {})
}

// pausingWriter writes through a progress pause: for output on the terminal
// the progress line is drawn on.
type pausingWriter struct {
	p *progress
	w io.Writer
}

func (pw pausingWriter) Write(b []byte) (n int, err error) {
	pw.p.pause(func() { n, err = pw.w.Write(b) })
	return n, err
}
