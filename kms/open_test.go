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

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
)

func init() {
	kms.Register("testkms", func(_ context.Context, u *url.URL) (kms.Lister, error) {
		if u.Host == "fail" {
			return nil, errors.New("opener failed")
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
	if _, err := kms.Open(context.Background(), "testkms://fail"); err == nil || err.Error() != "opener failed" {
		t.Errorf("the opener's error: got %v", err)
	}
}

func TestOpenErrors(t *testing.T) {
	tests := []struct{ url, want string }{
		{"nokms://x", `unknown scheme "nokms"`},
		{"awskms://?region=eu-west-1", `providers/awskms"`},
		{"yandexkms://b1g", `providers/yandexkms"`},
		{"no-scheme", "no scheme"},
		{"://secret@host", "cannot parse"},
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
