// Command kmsinventory lists every KMS key of a fleet: any number of kms.Open
// URLs (an AWS Region or every Region, an Alibaba Cloud region, Yandex Cloud
// folders or a whole cloud) listed as one fleet through kms.Merge, printed as
// a table, JSON lines or CSV, with an optional compliance summary.
//
//	go run ./examples/kmsinventory                         # the demo fleet, no credentials
//	go run ./examples/kmsinventory 'awskms://?region=*'    # every Region of your AWS account
//	go install github.com/multikms/multikms/examples/kmsinventory@latest
//
// With no URL it inventories a demo fleet: the built-in test servers of the
// three clouds (several Regions and folders each), started in-process and
// listed through the real SDKs, with no credentials; it says so on stderr.
//
// Usage:
//
//	kmsinventory [flags] [URL...]
//
//	-o table|json|csv     output on stdout (default: table on a terminal, json otherwise);
//	                      json is one kms.Key JSON object a line, csv has a header and stable columns
//	-detail basic|full    what is fetched per key (default full: every key described)
//	-include LIST         extras that cost requests: tags,rotation,policy,access (or all)
//	-filter FILTER        the keys to keep, e.g. 'state=Enabled,Disabled usage=SignVerify'
//	-max N                stop after N keys (0: no limit)
//	-resume FILE          keep the cursor in FILE: written when the run is interrupted
//	                      (SIGINT, SIGTERM), stopped by -max or partial; marked done when
//	                      the listing completes; a rerun with the same FILE continues exactly
//	-summary              after the listing: counts per provider, scope and state, and the
//	                      keys that need attention (on stderr with -o json or csv)
//	-q                    no progress line (it is drawn on stderr only when stderr is a terminal)
//
// Exit codes: 0 done (or stopped by -max); 1 failed; 2 bad usage (a flag or
// URL, refused before any request); 3 partial (some scopes failed: each is
// named on stderr and, with -resume, the cursor saved to list what they had
// left); 130 interrupted (the cursor saved with -resume).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := interruptContext()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// interruptContext is cancelled by SIGINT (Ctrl-C) or SIGTERM: the listing
// then stops after the key in hand and the cursor is saved (-resume).
func interruptContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}
