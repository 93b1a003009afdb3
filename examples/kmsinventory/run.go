package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

// hooks are seams for the tests; the zero value is the program.
var hooks struct {
	// afterKey is called after the n-th key of the run is written.
	afterKey func(n int)
	// demo are knobs of the demo fleet's test servers.
	demo demoKnobs
	// demoStarted is told of the demo fleet once it runs.
	demoStarted func(*demoFleet)
}

// run is the program: it parses args, lists the fleet to stdout and returns
// the exit code. stdin is not read today.
func run(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	c, err := parseArgs(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitDone
	}
	if err != nil {
		return fail(stderr, err)
	}
	if c.format == "" {
		c.format = formatJSON
		if isTerminal(stdout) {
			c.format = formatTable
		}
	}
	var st resumeState
	if c.resume != "" {
		if st, err = loadResume(c.resume, fleetFingerprint(c)); err != nil {
			return fail(stderr, err)
		}
		if st.Done {
			fmt.Fprintf(stderr, "kmsinventory: %s: the listing completed (%d keys); delete the file to list again\n", c.resume, st.Keys)
			return exitDone
		}
	}
	src, err := openSource(ctx, c.urls, stderr)
	if err != nil {
		return fail(stderr, err)
	}
	defer src.close()
	return list(ctx, c, st, src.lister, stdout, stderr)
}

// fail reports err on stderr and returns its exit code.
func fail(stderr io.Writer, err error) int {
	var ue *usageError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "kmsinventory: %v\nRun kmsinventory -h for usage.\n", err)
		return exitUsage
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		fmt.Fprintf(stderr, "kmsinventory: interrupted: %v\n", err)
		return exitInterrupted
	}
	fmt.Fprintf(stderr, "kmsinventory: %v\n", err)
	return exitFailed
}

// outcome is how a listing ended.
type outcome struct {
	keys   int   // keys written by this run
	err    error // the listing's error; nil when it ended by itself or at -max
	cursor string
	stats  pagination.Stats
}

// list lists the fleet from the resume state's cursor, writes every key,
// then the summary, and settles the resume file and the exit code.
func list(ctx context.Context, c config, st resumeState, l kms.Lister, stdout, stderr io.Writer) int {
	opts := c.opts
	opts.Cursor = st.Cursor
	it := l.ListKeys(ctx, opts)
	var written atomic.Int64
	prog := startProgress(stderr, c.quiet, it.Stats, &written)
	out := stdout
	if prog != nil && isTerminal(stdout) {
		out = pausingWriter{p: prog, w: stdout}
	}
	w := newKeyWriter(c.format, out)
	var sum *summary
	if c.summary {
		sum = newSummary(c.opts.Include)
	}
	o, werr := drain(it, w, sum, &written)
	prog.stop() // before the table is printed: no redraw over it
	if err := w.flush(); werr == nil {
		werr = err
	}
	if werr != nil { // keys were handed out that did not reach stdout: no cursor is exact now
		fmt.Fprintf(stderr, "kmsinventory: writing the output: %v (the resume file, if any, is left as it was)\n", werr)
		return exitFailed
	}
	if sum != nil {
		sumOut := stdout
		if c.format != formatTable {
			sumOut = stderr // stdout stays JSON lines or CSV
		}
		fmt.Fprintln(sumOut)
		if err := sum.print(sumOut); err != nil {
			return fail(stderr, err)
		}
	}
	return settle(ctx, c, st, o, stderr)
}

// drain writes every key the listing hands out (and adds it to the summary,
// if any) until the listing ends, fails or a write fails; the outcome holds
// the listing's error and where it stands.
func drain(it *pagination.Iterator[kms.Key], w keyWriter, sum *summary, written *atomic.Int64) (outcome, error) {
	var o outcome
	var werr error
	for k, err := range it.All() {
		if err != nil {
			o.err = err
			break
		}
		if werr = w.write(k); werr != nil {
			break
		}
		o.keys++
		written.Add(1)
		if sum != nil {
			sum.add(k)
		}
		if hooks.afterKey != nil {
			hooks.afterKey(o.keys)
		}
	}
	o.cursor, o.stats = it.Cursor(), it.Stats()
	return o, werr
}
