package kms

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// Opener builds a Lister from a URL; adapters register one per scheme.
type Opener func(ctx context.Context, u *url.URL) (Lister, error)

var registry = struct {
	sync.RWMutex
	openers map[string]Opener
}{openers: map[string]Opener{}}

// Register makes Open understand scheme (such as "awskms"); adapters call it
// from init. Schemes are case-insensitive. It panics if scheme is empty or
// registered twice, or if open is nil.
func Register(scheme string, open Opener) {
	scheme = strings.ToLower(scheme)
	if scheme == "" || open == nil {
		panic("kms: Register needs a scheme and an Opener")
	}
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.openers[scheme]; dup {
		panic(fmt.Sprintf("kms: scheme %q registered twice", scheme))
	}
	registry.openers[scheme] = open
}

// Schemes returns the registered URL schemes, sorted.
func Schemes() []string {
	registry.RLock()
	defer registry.RUnlock()
	s := make([]string, 0, len(registry.openers))
	for scheme := range registry.openers {
		s = append(s, scheme)
	}
	slices.Sort(s)
	return s
}

// Open returns a Lister for a URL such as awskms://?region=eu-west-1,
// alibabakms://?region=cn-hangzhou or yandexkms://<folderID>. The adapter
// package must be imported (for its registration); an unknown scheme is an
// ErrInvalidArgument error.
func Open(ctx context.Context, rawURL string) (Lister, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Error quotes the whole URL; keep only the reason, as the URL
		// may hold a secret.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, InvalidArgument("", "Open", "url", "cannot parse: %v", err)
	}
	if u.Scheme == "" {
		return nil, InvalidArgument("", "Open", "url", "no scheme; want one of %s", schemeList())
	}
	registry.RLock()
	open := registry.openers[u.Scheme]
	registry.RUnlock()
	if open == nil {
		return nil, InvalidArgument("", "Open", "url",
			"unknown scheme %q; registered: %s; import the provider package, such as "+
				`_ "github.com/multikms/multikms/providers/%s"`, u.Scheme, schemeList(), suggest(u.Scheme))
	}
	return open(ctx, u)
}

func schemeList() string {
	s := Schemes()
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// suggest names the provider package a scheme probably belongs to.
func suggest(scheme string) string {
	for _, p := range []string{"awskms", "alibabakms", "yandexkms"} {
		if strings.HasPrefix(scheme, strings.TrimSuffix(p, "kms")) {
			return p
		}
	}
	return "awskms"
}
