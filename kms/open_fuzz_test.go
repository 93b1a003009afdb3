package kms_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/multikms/multikms/kms"
	_ "github.com/multikms/multikms/providers/alibabakms" // registers alibabakms
	_ "github.com/multikms/multikms/providers/awskms"     // registers awskms
	_ "github.com/multikms/multikms/providers/yandexkms"  // registers yandexkms
)

// FuzzOpen opens arbitrary strings with every scheme registered: Open never
// panics, an error comes with a nil Lister and is a *kms.Error (or the
// context's own), and a Lister it returns closes.
func FuzzOpen(f *testing.F) {
	for _, seed := range []string{
		"awskms://?region=eu-west-1", "awskms://?region=eu-west-1&endpoint=http://127.0.0.1:1",
		"awskms://?profile=nosuchprofile", "awskms://AKID:SECRET@host", "awskms:", "awskms://?regoin=x",
		"alibabakms://?region=cn-hangzhou", "alibabakms://?endpoint=host:SECRET", "alibabakms://?rate=NaN",
		"yandexkms://b1gfolder", "yandexkms://b1g?endpoint=http://127.0.0.1:1&folder=b1h", "yandexkms://b1g:1",
		"yandexkms://b1g?plaintext=true", "testkms://both", "testkms://typednil", "testkms://nilnoerror",
		"", "://", "%", "awskms://[::1", "AWSKMS://?region=x&region=y",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		l, err := kms.Open(ctx, raw)
		if err != nil {
			var e *kms.Error
			if l != nil {
				t.Fatalf("Open(%q) returned a Lister (%T) with its error %v", raw, l, err)
			}
			if !errors.As(err, &e) && !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Open(%q): %v (%T) is not a *kms.Error", raw, err, err)
			}
			return
		}
		if l == nil {
			t.Fatalf("Open(%q) returned neither a Lister nor an error", raw)
		}
		if err := l.Close(); err != nil {
			t.Fatalf("Open(%q): Close: %v", raw, err)
		}
	})
}
