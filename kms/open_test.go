package kms_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
)

func init() {
	kms.Register("testkms", func(ctx context.Context, u *url.URL) (kms.Lister, error) {
		switch u.Host {
		case "fail":
			return nil, errors.New("opener failed")
		case "kmsfail":
			return nil, kms.NewError("test", "Open", kms.CodeUnauthenticated, errors.New("no credentials"))
		case "typednil":
			var f *kmstest.Fake
			return f, kms.NewError("test", "Open", kms.CodeUnauthenticated, errors.New("no profile"))
		case "nilnoerror":
			var f *kmstest.Fake
			return f, nil
		case "both":
			opened := kmstest.NewFake(nil)
			lastFailed.Store(opened)
			return opened, errors.New("half open")
		case "ctx":
			<-ctx.Done()
			return nil, fmt.Errorf("dialling: %w", ctx.Err())
		}
		return kmstest.NewFake(nil, kmstest.WithProvider(kms.Provider(u.Host))), nil
	})
}

func TestOpen(t *testing.T) {
	for _, raw := range []string{"testkms://eu", "TESTKMS://eu?x=1"} {
		l, err := kms.Open(context.Background(), raw)
		if err != nil {
			t.Fatalf("Open(%q): %v", raw, err)
		}
		if p := l.(kms.ProviderLister).Provider(); p != "eu" {
			t.Errorf("Open(%q): provider %q, want eu", raw, p)
		}
	}
}

// lastFailed is the Lister the "both" opener returned with its error.
var lastFailed atomic.Pointer[kmstest.Fake]

// Whatever the opener returns, Open returns a nil Lister with a *kms.Error,
// or a usable Lister with no error.
func TestOpenOpenerResults(t *testing.T) {
	for _, tc := range []struct {
		url  string
		code kms.Code
		msg  string
	}{
		{"testkms://fail", kms.CodeUnknown, "kms: Open: unknown error: opener failed"},
		{"testkms://kmsfail", kms.CodeUnauthenticated, "kms: test Open: unauthenticated: no credentials"},
		{"testkms://typednil", kms.CodeUnauthenticated, "no profile"},
		{"testkms://nilnoerror", kms.CodeUnknown, `the opener of scheme "testkms" returned no Lister and no error`},
		{"testkms://both", kms.CodeUnknown, "half open"},
	} {
		l, err := kms.Open(context.Background(), tc.url)
		var e *kms.Error
		if l != nil || !errors.As(err, &e) || e.Code != tc.code || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("Open(%q) = %#v, %v; want a nil Lister and a %v error saying %q", tc.url, l, err, tc.code, tc.msg)
		}
	}
	if f := lastFailed.Load(); f == nil || f.Closed() != 1 {
		t.Error("the Lister an opener returned with its error was not closed")
	}
	ctx, cancel := context.WithCancel(context.Background())
	go cancel()
	if l, err := kms.Open(ctx, "testkms://ctx"); l != nil || err != context.Canceled {
		t.Errorf("Open cancelled in the opener = %v, %v; want nil, context.Canceled itself", l, err)
	}
}

// TestOpenNeverEchoesSecrets plants a secret in malformed URLs of every
// scheme, URL-parse failures and adapters' refusals alike, and scans every
// error in the chain for it.
func TestOpenNeverEchoesSecrets(t *testing.T) {
	const secret = "S3CR3Tz9"
	forms := []string{
		"awskms://AKID:" + secret + "/x@kms.example.com",   // host "AKID:S3CR3T": a bad port
		"awskms://AKID:" + secret + "@kms.example.com",     // user info
		"alibabakms://kms.example.com:" + secret + "?x=1",  // a bad port
		"alibabakms://?endpoint=kms.example.com:" + secret, // an endpoint without a scheme
		"alibabakms://?endpoint=https://kms.example.com:" + secret,
		"awskms://?endpoint=https://AKID:" + secret + "@kms.example.com",
		"yandexkms://b1g" + secret + "%zz",         // a bad escape
		"yandexkms://b1g " + secret,                // a bad host character
		"yandexkms://[" + secret,                   // a bad IP literal
		"yandexkms://u:" + secret + "\x7f@b1g",     // a control character
		"://" + secret + "@host",                   // no scheme
		"awskms://?region=" + secret + "&region=x", // a repeated parameter
		"awskms://?rate=" + secret,                 // a bad number
		"alibabakms://?region=cn-hangzhou&rate=" + secret + "&rate=2",
		"yandexkms://b1g?endpoint=http://" + secret + ".example.com",
		"nokms" + secret + "/x://y",
		"testkms" + strings.Repeat("x", 80) + secret + "://host",
	}
	for _, raw := range forms {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		l, err := kms.Open(ctx, raw)
		cancel()
		if err == nil {
			_ = l.Close()
			t.Errorf("Open(%q) succeeded", raw)
			continue
		}
		for _, e := range chain(err) {
			if strings.Contains(e.Error(), secret) {
				t.Errorf("Open(%q): an error in the chain (%T) quotes the secret: %v", raw, e, e)
				break
			}
		}
	}
}

// chain returns err and every error it wraps, depth first.
func chain(err error) []error {
	if err == nil {
		return nil
	}
	out := []error{err}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		out = append(out, chain(u.Unwrap())...)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			out = append(out, chain(e)...)
		}
	}
	return out
}

func TestOpenErrors(t *testing.T) {
	tests := []struct{ url, want string }{
		{"nokms://x", `unknown scheme "nokms"`},
		{"awskm://?region=eu-west-1", `providers/awskms"`},
		{"yandexkmz://b1g", `providers/yandexkms"`},
		{"no-scheme", "no scheme"},
		{"://secret@host", "cannot parse: bad scheme"},
		{"x://h:secret/", "cannot parse: bad port"},
		{"x://h%zzsecret/", "cannot parse: bad escape"},
		{"x://h secret/", "cannot parse: bad host"},
		{"", "no scheme"},
	}
	for _, tt := range tests {
		_, err := kms.Open(context.Background(), tt.url)
		if !errors.Is(err, kms.ErrInvalidArgument) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Open(%q): %v, want an ErrInvalidArgument error containing %q", tt.url, err, tt.want)
			continue
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("Open(%q): error %q repeats the URL", tt.url, err)
		}
	}
	_, err := kms.Open(context.Background(), "nokms://x")
	if !strings.Contains(err.Error(), "registered: ") || !strings.Contains(err.Error(), "testkms") {
		t.Errorf("unknown scheme error %q does not list the registered schemes", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := kms.Open(ctx, "testkms://eu"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Open: %v", err)
	}
}

func TestRegisterPanics(t *testing.T) {
	open := func(context.Context, *url.URL) (kms.Lister, error) { return nil, nil }
	for name, fn := range map[string]func(){
		"twice":     func() { kms.Register("testkms", open) },
		"case":      func() { kms.Register("TestKMS", open) },
		"no scheme": func() { kms.Register("", open) },
		"nil":       func() { kms.Register("nilkms", nil) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Register %s: no panic", name)
				}
			}()
			fn()
		}()
	}
}

// runs numbers the runs of TestRegisterConcurrently (go test -count), as a
// scheme registers only once per process.
var runs atomic.Int32

func TestRegisterConcurrently(t *testing.T) {
	run := runs.Add(1)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			scheme := fmt.Sprintf("concurrent%d-%dkms", run, i)
			kms.Register(scheme, func(context.Context, *url.URL) (kms.Lister, error) {
				return kmstest.NewFake(nil), nil
			})
			if _, err := kms.Open(context.Background(), scheme+"://x"); err != nil {
				t.Error(err)
			}
			_ = kms.Schemes()
		}()
	}
	wg.Wait()
}
