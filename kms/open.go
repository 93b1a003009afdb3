package kms

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/multikms/multikms/internal/urlpart"
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

// Open returns a Lister for a URL. The adapter package must be imported
// for its scheme to be known:
//
//	import _ "github.com/multikms/multikms/providers/awskms"
//
// The schemes and their parameters (one vocabulary on every cloud):
//
//	awskms://?region=eu-west-1&profile=audit&endpoint=https://kms.eu-west-1.amazonaws.com&rate=100
//	alibabakms://?region=cn-hangzhou&profile=audit&endpoint=https://kms.cn-hangzhou.aliyuncs.com&rate=25
//	yandexkms://<folderID>?folder=<otherFolderID>&endpoint=https://api.cloud.yandex.net&rate=50
//
// Each parameter means the same on every scheme that takes it:
//
//   - region: the AWS Region or Alibaba region ID. Required where the
//     cloud's configuration (the AWS profile, ALIBABA_CLOUD_REGION_ID) gives
//     none: a missing region is refused by Open, not by the first call.
//   - endpoint: a full URL with its scheme: https, or http only for a
//     loopback or private host (a test server, a private installation).
//   - profile: the AWS shared-configuration profile, or the Alibaba Cloud
//     CLI profile.
//   - rate: the client-side pace in requests a second, a finite number
//     above 0 (default: the cloud's published quota).
//   - folder (Yandex, repeatable): a further folder to list with the one
//     named by the host.
//
// Scope discovery, a fleet from one URL: the Lister is then a fleet of one
// scope per Region, account x Region or folder, listed concurrently (see
// Merge), a failed scope isolated as a *ScopeError:
//
//	awskms://?region=*                            every Region enabled for the account
//	awskms://?region=eu-west-1,us-east-1          those Regions
//	awskms://?region=*&role_arn=<arn>&external_id=<id>&session_name=<name>   an assumed role
//	awskms://?organization=*&region=*&member_role=OrganizationAccountAccessRole
//	                                              every ACTIVE account of the organization x its Regions
//	alibabakms://?region=*                        every region of KMS DescribeRegions
//	alibabakms://?region=*&role_arn=<arn>         the same through a RAM role
//	yandexkms://?cloud=<cloudID>                  every ACTIVE folder of a cloud
//	yandexkms://?organization=<orgID>             every cloud of an organization and their folders
//
// Discovery runs once, when the URL is opened; each adapter's package doc
// lists every parameter, and its fleet's doc the scopes, their names and the
// cursor rule (a cursor made over another set of scopes is refused).
//
// Parameters are strict: an unknown, repeated or empty parameter (folder
// aside, which repeats), user info, a path or a fragment is refused with
// ErrInvalidArgument naming it, before any request. Credentials never go in
// a URL: every adapter takes them from the cloud's standard credential
// chain (environment, shared files, instance metadata). No error of Open
// quotes the URL or a parameter's value: a malformed URL is reported by
// its failing part ("bad port", "bad host", "bad escape").
//
// Open returns a nil Lister whenever it returns an error, and a non-nil
// one otherwise; Close the Lister to release what it owns. Its errors are
// *Error values (errors.As), but a cancelled or expired context's error is
// returned as it is. An unknown scheme is an ErrInvalidArgument error that
// lists the registered ones.
func Open(ctx context.Context, rawURL string) (Lister, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Error quotes the whole URL and its Err the failing part: keep
		// only which part failed, as the URL may hold a secret.
		return nil, InvalidArgument("", "Open", "url", "cannot parse: %s", urlpart.Of(err))
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
				`_ "github.com/multikms/multikms/providers/%s"`, clip(u.Scheme), schemeList(), suggest(u.Scheme))
	}
	return opened(ctx, u.Scheme, open, u)
}

// opened runs open and holds Open's promises whatever it returns: a nil
// Lister with every error, a *Error or the context's error, never a typed
// nil Lister.
func opened(ctx context.Context, scheme string, open Opener, u *url.URL) (Lister, error) {
	l, err := open(ctx, u)
	if err != nil {
		if !isNil(l) {
			_ = l.Close()
		}
		var e *Error
		switch {
		case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
			if cerr := ctx.Err(); cerr != nil {
				return nil, cerr
			}
			return nil, NewError("", "Open", CodeUnavailable, err)
		case errors.As(err, &e):
			return nil, err
		}
		return nil, NewError("", "Open", CodeUnknown, err)
	}
	if isNil(l) {
		return nil, NewError("", "Open", CodeUnknown, fmt.Errorf("the opener of scheme %q returned no Lister and no error", scheme))
	}
	return l, nil
}

// isNil reports whether l is nil or an interface holding a nil pointer (or
// map, func, chan, slice).
func isNil(l Lister) bool {
	if l == nil {
		return true
	}
	switch v := reflect.ValueOf(l); v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Func, reflect.Chan, reflect.Slice, reflect.Interface:
		return v.IsNil()
	}
	return false
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
