package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/creack/pty"
)

// ptyReader collects what the program writes to a pseudo-terminal, and
// tells when some text has appeared.
type ptyReader struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	want string
	seen chan struct{}
	done chan struct{}
}

func readPTY(t *testing.T, master *os.File, want string) *ptyReader {
	r := &ptyReader{want: want, seen: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(r.done)
		b := make([]byte, 4096)
		signalled := false
		for {
			n, err := master.Read(b)
			r.mu.Lock()
			r.buf.Write(b[:n])
			if !signalled && strings.Contains(r.buf.String(), r.want) {
				close(r.seen)
				signalled = true
			}
			r.mu.Unlock()
			if err != nil { // EIO once the terminal side is closed
				if !errors.Is(err, io.EOF) && !errors.Is(err, syscall.EIO) && !errors.Is(err, os.ErrClosed) {
					t.Errorf("reading the pty: %v", err)
				}
				if !signalled {
					close(r.seen)
				}
				return
			}
		}
	}()
	return r
}

// runOnPTY runs the program with stderr on a pseudo-terminal's terminal
// side and stdout on a buffer, blocking after the first key until want has
// been drawn; it returns the result with stderr as the terminal showed it.
func runOnPTY(t *testing.T, want string, args ...string) result {
	t.Helper()
	master, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()
	r := readPTY(t, master, want)
	withHooks(t, func() {
		hooks.afterKey = func(n int) {
			if n == 1 && want != "" {
				<-r.seen // the progress line has been redrawn with the first key
			}
		}
	})
	var out bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &out, tty)
	tty.Close()
	<-r.done
	return result{code: code, stdout: out.String(), stderr: r.buf.String()}
}

// TestProgressOnTerminal checks that on a terminal the progress line is
// drawn, redrawn in place with the keys so far and the Stats, and cleared at
// the end, while stdout gets the output alone.
func TestProgressOnTerminal(t *testing.T) {
	r := runOnPTY(t, "\r\x1b[K1 keys |", "-o", "json")
	if r.code != exitDone {
		t.Fatalf("exit %d\n%q", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, clearLine+"0 keys | scopes ") {
		t.Errorf("no first progress line with the scopes on the terminal: %q", r.stderr)
	}
	if !strings.Contains(r.stderr, clearLine+"1 keys | ") || !strings.Contains(r.stderr, " requests, ") || !strings.Contains(r.stderr, " throttled") {
		t.Errorf("the progress line was not redrawn with the first key and the requests: %q", r.stderr)
	}
	if !strings.HasSuffix(r.stderr, clearLine) {
		t.Errorf("the progress line is not cleared at the end: %q", r.stderr)
	}
	if strings.ContainsAny(r.stdout, "\r\x1b") || len(decodeKeys(t, r.stdout)) == 0 {
		t.Errorf("stdout holds more than the JSON lines: %q", r.stdout)
	}
}

// TestProgressQuiet checks that -q draws nothing even on a terminal.
func TestProgressQuiet(t *testing.T) {
	r := runOnPTY(t, "", "-o", "json", "-q")
	if r.code != exitDone {
		t.Fatalf("exit %d\n%q", r.code, r.stderr)
	}
	if strings.Contains(r.stderr, "\x1b") || strings.Contains(r.stderr, " keys |") {
		t.Errorf("-q drew progress: %q", r.stderr)
	}
}

// TestNoProgressOnPipe checks that with stderr on a pipe nothing but the
// output (and the demo notice) is written.
func TestNoProgressOnPipe(t *testing.T) {
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	var errOut bytes.Buffer
	copied := make(chan struct{})
	go func() { _, _ = io.Copy(&errOut, pr); close(copied) }()
	var out bytes.Buffer
	code := run(context.Background(), []string{"-o", "csv"}, strings.NewReader(""), &out, pw)
	pw.Close()
	<-copied
	pr.Close()
	if code != exitDone {
		t.Fatalf("exit %d\n%s", code, errOut.String())
	}
	lines := strings.Split(strings.TrimSuffix(errOut.String(), "\n"), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "kmsinventory: no URL given: listing the demo fleet") {
		t.Errorf("stderr on a pipe holds more than the demo notice: %q", errOut.String())
	}
	if strings.ContainsAny(out.String(), "\r\x1b") || !strings.HasPrefix(out.String(), "provider,") {
		t.Errorf("stdout: %q", out.String())
	}
}

// TestTerminalDefaults runs the program with stdout and stderr both on one
// terminal and no -o: the output is the table, and the progress line is
// erased before the table is written over it and at the end.
func TestTerminalDefaults(t *testing.T) {
	master, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()
	r := readPTY(t, master, "\r\x1b[K1 keys |")
	withHooks(t, func() {
		hooks.afterKey = func(n int) {
			if n == 1 {
				<-r.seen
			}
		}
	})
	code := run(context.Background(), nil, strings.NewReader(""), tty, tty)
	tty.Close()
	<-r.done
	screen := r.buf.String()
	if code != exitDone {
		t.Fatalf("exit %d\n%q", code, screen)
	}
	table := strings.Index(screen, "PROVIDER")
	if table < 0 || !strings.Contains(screen, " keys\r\n") {
		t.Fatalf("no table on the terminal: %q", screen)
	}
	before := screen[:table]
	if !strings.Contains(before, clearLine+"1 keys | ") || !strings.HasSuffix(before, clearLine) {
		t.Errorf("the progress line was not drawn, then erased before the table: %q", before)
	}
	if strings.Contains(screen[table:], "\x1b") {
		t.Errorf("progress drawn into the table: %q", screen[table:])
	}
}

// TestProgressFitsTheTerminal checks that on a narrow terminal the progress
// line is cut to its width, so that erasing it leaves nothing behind.
func TestProgressFitsTheTerminal(t *testing.T) {
	master, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()
	if err := pty.Setsize(tty, &pty.Winsize{Rows: 24, Cols: 30}); err != nil {
		t.Fatal(err)
	}
	r := readPTY(t, master, "\r\x1b[K1 keys |")
	withHooks(t, func() {
		hooks.afterKey = func(n int) {
			if n == 1 {
				<-r.seen
			}
		}
	})
	var out bytes.Buffer
	code := run(context.Background(), []string{"-o", "json"}, strings.NewReader(""), &out, tty)
	tty.Close()
	<-r.done
	if code != exitDone {
		t.Fatalf("exit %d\n%q", code, r.buf.String())
	}
	lines := strings.Split(r.buf.String(), clearLine)[1:] // the drawn lines
	if len(lines) < 2 {
		t.Fatalf("no progress drawn: %q", r.buf.String())
	}
	for _, l := range lines {
		if len(l) > 29 {
			t.Errorf("progress line of %d columns on a 30-column terminal: %q", len(l), l)
		}
	}
}
