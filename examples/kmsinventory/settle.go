package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

// settle turns how the listing ended into the exit code, reports it on
// stderr and updates the resume file: marked done when the listing
// completed, the cursor saved when it stopped early (interrupted, -max,
// failed scopes, a failure after some keys).
func settle(ctx context.Context, c config, st resumeState, o outcome, stderr io.Writer) int {
	code, save := exitDone, true
	switch failed := kms.ScopeErrors(o.err); {
	case o.cursor == "" && (o.err == nil || o.keys > 0 && canceled(ctx, o.err)):
		// Exhausted: a cancel that came after the last key is no interruption.
		st.Done = true
	case o.err == nil:
		fmt.Fprintf(stderr, "kmsinventory: stopped after %s (-max)%s\n", plural(o.keys, "key"), resumeHint(c))
	case canceled(ctx, o.err):
		fmt.Fprintf(stderr, "kmsinventory: interrupted after %s%s\n", plural(o.keys, "key"), resumeHint(c))
		code = exitInterrupted
	case o.keys == 0 && refusedUp(o):
		code, save = fail(stderr, usagef("the listing was refused before any request: %v", o.err)), false
		if st.Cursor != "" && errors.Is(o.err, kms.ErrInvalidCursor) {
			fmt.Fprintf(stderr, "kmsinventory: the cursor in %s does not fit this fleet: delete the file to start over\n", c.resume)
		}
	case failed != nil:
		for _, se := range failed {
			fmt.Fprintf(stderr, "kmsinventory: scope %s failed: %v\n", se.Scope, se.Err)
			if errors.Is(se, pagination.ErrScopeGone) && c.resume != "" {
				fmt.Fprintf(stderr, "kmsinventory: scope %s is no longer in the fleet; %s keeps its cursor, so every rerun reports it until it is back (it then resumes where it stopped): delete the file to start over without it\n", se.Scope, c.resume)
			}
		}
		fmt.Fprintf(stderr, "kmsinventory: partial: %s failed, %s listed%s\n", plural(len(failed), "scope"), plural(o.keys, "key"), resumeHint(c))
		code = exitPartial
	default:
		fmt.Fprintf(stderr, "kmsinventory: failed after %s: %v\n", plural(o.keys, "key"), o.err)
		code = exitFailed
	}
	if c.resume == "" || !save {
		return code
	}
	st.Keys += o.keys
	if !st.Done && (o.keys > 0 || o.cursor != "") {
		// With no key handed out, an iterator's cursor is where it started;
		// keep the file's rather than trust an empty one.
		st.Cursor = o.cursor
	}
	if st.Done {
		st.Cursor = ""
	}
	if err := st.save(c.resume); err != nil {
		fmt.Fprintf(stderr, "kmsinventory: %v\n", err)
		return exitFailed
	}
	return code
}

// canceled tells a listing ended by the run's context (SIGINT, SIGTERM).
func canceled(ctx context.Context, err error) bool {
	return ctx.Err() != nil && errors.Is(err, ctx.Err())
}

// refusedUp tells a listing refused before any request: a bad cursor or an
// option one lister rejects.
func refusedUp(o outcome) bool {
	return errors.Is(o.err, kms.ErrInvalidCursor) ||
		(errors.Is(o.err, kms.ErrInvalidArgument) && o.stats.Requests == 0)
}

func resumeHint(c config) string {
	if c.resume == "" {
		return ": rerun with -resume FILE to keep the cursor next time"
	}
	return ": the cursor is saved in " + c.resume + "; rerun with the same -resume to continue"
}
