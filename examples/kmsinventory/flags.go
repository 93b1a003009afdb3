package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/multikms/multikms/kms"
)

// Exit codes of run.
const (
	exitDone        = 0
	exitFailed      = 1
	exitUsage       = 2
	exitPartial     = 3
	exitInterrupted = 130
)

// format is an output format of -o.
type format string

const (
	formatTable format = "table"
	formatJSON  format = "json"
	formatCSV   format = "csv"
)

// config is what the command line asks for, checked.
type config struct {
	format  format // "" until the default is chosen from the terminal
	opts    kms.ListOptions
	resume  string
	summary bool
	quiet   bool
	urls    []string
}

// usageError is a bad command line: run prints it and exits 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// rawFlags are the flag values as given, before they are checked.
type rawFlags struct {
	out, detail, include, filter string
	maxItems                     int
}

// newFlagSet defines the flags into c and r.
func newFlagSet(c *config, r *rawFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("kmsinventory", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&r.out, "o", "", "output: table, json or csv (default table on a terminal, json otherwise)")
	fs.StringVar(&r.detail, "detail", "full", "detail per key: basic or full")
	fs.StringVar(&r.include, "include", "", "extras: tags,rotation,policy,access (or all)")
	fs.StringVar(&r.filter, "filter", "", "keys to keep, e.g. 'state=Enabled,Disabled usage=SignVerify'")
	fs.IntVar(&r.maxItems, "max", 0, "stop after `N` keys (0: no limit)")
	fs.StringVar(&c.resume, "resume", "", "keep the listing's cursor in `FILE` and continue from it")
	fs.BoolVar(&c.summary, "summary", false, "print counts and the keys needing attention after the listing")
	fs.BoolVar(&c.quiet, "q", false, "no progress line on stderr")
	return fs
}

// parseArgs reads the flags and URLs. Every value is checked here, before
// any lister is opened; -h prints the usage on stderr and returns
// flag.ErrHelp.
func parseArgs(args []string, stderr io.Writer) (config, error) {
	var (
		c config
		r rawFlags
	)
	fs := newFlagSet(&c, &r)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(fs, stderr)
			return c, err
		}
		return c, usagef("%v", err)
	}
	c.urls = fs.Args()
	for _, u := range c.urls {
		if strings.HasPrefix(u, "-") {
			return c, usagef("flag %s after the URLs: flags go first", u)
		}
	}
	return c, r.check(&c)
}

// check checks the values and sets them in c.
func (r rawFlags) check(c *config) error {
	var err error
	switch f := format(r.out); f {
	case "", formatTable, formatJSON, formatCSV:
		c.format = f
	default:
		return usagef("-o %q: want table, json or csv", r.out)
	}
	if c.opts.Detail, err = kms.ParseDetail(r.detail); err != nil {
		return usagef("-detail: %v", err)
	}
	if c.opts.Include, err = kms.ParseInclude(r.include); err != nil {
		return usagef("-include: %v", err)
	}
	if c.opts.Filter, err = kms.ParseFilter(r.filter); err != nil {
		return usagef("-filter: %v", err)
	}
	if r.maxItems < 0 {
		return usagef("-max %d: must be 0 (no limit) or more", r.maxItems)
	}
	c.opts.MaxItems = r.maxItems
	return nil
}

func printUsage(fs *flag.FlagSet, w io.Writer) {
	fmt.Fprint(w, `Usage: kmsinventory [flags] [URL...]

Lists every KMS key of the fleet the URLs name (any kms.Open URL, such as
'awskms://?region=*', 'alibabakms://?region=cn-hangzhou', 'yandexkms://<folder>').
With no URL, lists the demo fleet on the built-in test servers.

Flags:
`)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	fmt.Fprint(w, `
Exit codes: 0 done, 1 failed, 2 bad usage, 3 partial (some scopes failed), 130 interrupted.
`)
}
