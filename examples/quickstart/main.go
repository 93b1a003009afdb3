// Command quickstart lists KMS keys as a table, with no credentials: it
// starts the built-in demo sources (in-process cloud emulators, each
// listed through the real SDK by its adapter), merges them with kms.Merge
// and prints every key with full detail. Without any demo source it lists
// an in-memory kmstest.Fake.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/multikms/multikms/kms"
)

// demo is a source of demo keys. Each cloud's file of this package
// (aws.go, alibaba.go, yandex.go) appends one to demos in its init
// function: start brings the source up (an in-process emulator holding demo
// keys) and returns a Lister over it, through the real SDK, and a function
// that shuts it all down (nil if there is nothing to shut down).
type demo struct {
	name  string
	start func(ctx context.Context) (kms.Lister, func(), error)
}

// demos are the demo sources the quickstart lists, filled by init functions.
var demos []demo

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// run lists the keys of every demo source (or of the fallback Fake) as a
// table on w.
func run(ctx context.Context, w io.Writer) error {
	sources := slices.Clone(demos)
	if len(sources) == 0 {
		sources = []demo{fakeDemo}
	}
	slices.SortFunc(sources, func(a, b demo) int { return strings.Compare(a.name, b.name) })

	var listers []kms.Lister
	names := make([]string, len(sources))
	for i, d := range sources {
		l, stop, err := d.start(ctx)
		if err != nil {
			return fmt.Errorf("starting demo %s: %w", d.name, err)
		}
		if stop != nil {
			defer stop()
		}
		listers = append(listers, l)
		names[i] = d.name
	}
	fmt.Fprintf(w, "Keys of the demo sources: %s\n\n", strings.Join(names, ", "))

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PROVIDER\tID\tSTATE\tUSAGE\tSPEC\tCREATED")
	n := 0
	for k, err := range kms.Merge(listers...).ListKeys(ctx, kms.ListOptions{Detail: kms.DetailFull}).All() {
		if err != nil {
			tw.Flush()
			return err
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", k.Provider, k.ID, orDash(string(k.State)),
			orDash(string(k.Usage)), orDash(k.Spec), created(k.CreatedAt))
		n++
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%d keys\n", n)
	return err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func created(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.DateOnly)
}
