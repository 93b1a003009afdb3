package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/multikms/multikms/kms"
	// The adapters register their URL schemes with kms.Open.
	_ "github.com/multikms/multikms/providers/alibabakms"
	_ "github.com/multikms/multikms/providers/awskms"
	_ "github.com/multikms/multikms/providers/yandexkms"
)

// source is the fleet run lists: one Lister (a kms.Merge of one per URL or
// demo scope) and how to let it go.
type source struct {
	lister kms.Lister
	close  func()
}

// openSource opens the URLs as one fleet, or starts the demo fleet when
// there is none (saying so on stderr). A URL that kms.Open refuses is a
// usage error naming it; nothing is listed, and so nothing is sent, before
// every URL has been opened.
func openSource(ctx context.Context, urls []string, stderr io.Writer) (source, error) {
	if len(urls) == 0 {
		return openDemo(ctx, stderr)
	}
	var listers []kms.Lister
	closeAll := func() {
		for _, l := range listers {
			_ = l.Close()
		}
	}
	for i, u := range urls {
		l, err := kms.Open(ctx, u)
		if err != nil {
			closeAll()
			if ctx.Err() != nil {
				return source{}, ctx.Err()
			}
			err = fmt.Errorf("URL %d (%s): %w", i+1, redactURL(u), err)
			if errors.Is(err, kms.ErrInvalidArgument) {
				return source{}, &usageError{msg: err.Error()}
			}
			return source{}, err
		}
		listers = append(listers, l)
	}
	return source{lister: merge(listers), close: closeAll}, nil
}

// openDemo starts the demo fleet.
func openDemo(ctx context.Context, stderr io.Writer) (source, error) {
	d, err := startDemo(ctx, hooks.demo)
	if err != nil {
		return source{}, err
	}
	if hooks.demoStarted != nil {
		hooks.demoStarted(d)
	}
	fmt.Fprintf(stderr, "kmsinventory: no URL given: listing the demo fleet, the built-in test servers"+
		" through the real SDKs, no credentials used (%d scopes: %s)\n",
		len(d.scopeNames()), strings.Join(d.scopeNames(), ", "))
	return source{lister: merge(d.listers()), close: d.stop}, nil
}

// merge makes one fleet of the listers: kms.Merge, or the lister itself.
func merge(listers []kms.Lister) kms.Lister {
	if len(listers) == 1 {
		return listers[0]
	}
	return kms.Merge(listers...)
}

// redactURL names a URL in a message by its scheme and host only: the rest
// (an external ID, say) is not echoed.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return "not a URL"
	}
	s := u.Scheme + "://" + u.Host
	if u.RawQuery != "" || u.Path != "" || u.Fragment != "" {
		s += "…"
	}
	return s
}
