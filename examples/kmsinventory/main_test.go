package main

import (
	"bytes"
	"context"
	"flag"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the program's output")

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// result is what one in-process run of the program gave.
type result struct {
	code           int
	stdout, stderr string
}

// runArgs runs the program in-process with stdout and stderr on buffers
// (pipes, not terminals).
func runArgs(t *testing.T, ctx context.Context, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(ctx, args, strings.NewReader(""), &out, &errOut)
	return result{code, out.String(), errOut.String()}
}

// withHooks sets the test seams for one test and resets them after it.
func withHooks(t *testing.T, set func()) {
	t.Helper()
	saved := hooks
	set()
	t.Cleanup(func() { hooks = saved })
}
