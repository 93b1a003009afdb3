package alibabakms_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
	"github.com/multikms/multikms/pagination"
	"github.com/multikms/multikms/providers/alibabakms"
	emu "github.com/multikms/multikms/providers/alibabakms/alibabakmstest"
)

// TestDeadEndpoint: an endpoint that accepts and never answers, and a
// closed port, return within the caller's deadline with the context's error
// or a classified one, on every call.
func TestDeadEndpoint(t *testing.T) {
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	accepted := make(chan struct{})
	go func() {
		defer close(accepted)
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c) // held open, never answered
		}
	}()
	t.Cleanup(func() {
		silent.Close()
		<-accepted
		for _, c := range conns {
			c.Close()
		}
	})
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := closed.Addr().String()
	closed.Close()
	s := emu.New()
	t.Cleanup(s.Close)
	for name, addr := range map[string]string{"silent": silent.Addr().String(), "closed port": closedAddr} {
		c, err := s.Client()
		if err != nil {
			t.Fatal(err)
		}
		c.Domain = addr
		l := alibabakms.New(c, noPacing, alibabakms.WithRetry(fastRetry))
		for i := range 2 { // every call, not only the first
			ctx, cancel := context.WithTimeout(bg, 200*time.Millisecond)
			_, derr := l.DescribeKey(ctx, "alias/app-data")
			_, lerr := kmstest.Collect(l.ListKeys(ctx, kms.ListOptions{Detail: kms.DetailFull}))
			cancel()
			for _, err := range []error{derr, lerr} {
				if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, kms.ErrUnavailable) {
					t.Errorf("%s, call %d: %v; want the deadline or ErrUnavailable", name, i, err)
				}
			}
		}
		l.Close()
	}
}

// rewrite returns a Hostile that rewrites the answers of action.
func rewrite(action string, fn func([]byte) []byte) emu.Option {
	return emu.WithHostile(emu.Hostile{Action: action, Rewrite: fn})
}

// TestHostileServer: broken and hostile answers end in a classified error
// or a correct listing, within the deadline; an answer too large to hold is
// read no further and not retried.
func TestHostileServer(t *testing.T) {
	demoKeys := emu.WithKeys(emu.DemoKeys(emu.DefaultAccount)...)
	hugePage := func(b []byte) []byte {
		var buf bytes.Buffer
		buf.WriteString(`{"RequestId":"x","PageNumber":1,"PageSize":10,"TotalCount":60000,"Keys":{"Key":[`)
		for i := range 60000 {
			if i > 0 {
				buf.WriteByte(',')
			}
			fmt.Fprintf(&buf, `{"KeyId":"key-%08d","KeyArn":"acs:kms:cn-hangzhou:1234567890123456:key/key-%08d"}`, i, i)
		}
		buf.WriteString(`]}}`)
		return buf.Bytes()
	}
	total := func(n string) func([]byte) []byte {
		return func(b []byte) []byte {
			i := bytes.Index(b, []byte(`"TotalCount":`))
			j := i + bytes.IndexByte(b[i:], ',')
			return append(append(append([]byte{}, b[:i]...), []byte(`"TotalCount":`+n)...), b[j:]...)
		}
	}
	cases := []struct {
		name    string
		opts    []emu.Option
		want    error // nil: the listing is correct
		maxReqs int   // 0: no bound checked; -1: a short deadline (the answer takes 14 s)
	}{
		{"truncated body", []emu.Option{demoKeys, emu.WithHostile(emu.Hostile{Action: "ListKeys", Truncate: 40})}, kms.ErrUnavailable, 0},
		{"JSON as text/plain", []emu.Option{demoKeys, emu.WithHostile(emu.Hostile{ContentType: "text/plain"})}, nil, 0},
		{"HTML page", []emu.Option{demoKeys, rewrite("ListKeys", func([]byte) []byte { return []byte("<html>proxy error</html>") })}, kms.ErrUnavailable, 0},
		{"empty body", []emu.Option{demoKeys, rewrite("ListKeys", func([]byte) []byte { return nil })}, kms.ErrUnavailable, 0},
		{"not an answer", []emu.Option{demoKeys, rewrite("ListKeys", func([]byte) []byte { return []byte(`{}`) })}, kms.ErrUnavailable, 0},
		{"huge page", []emu.Option{demoKeys, rewrite("ListKeys", hugePage)}, kms.ErrUnavailable, 1},
		{"invalid UTF-8 ID", []emu.Option{demoKeys, rewrite("ListKeys", func(b []byte) []byte {
			return bytes.Replace(b, []byte("key-hzz630494460003"), []byte("key-\xff\xfe"), 1)
		})}, kms.ErrUnavailable, 0},
		{"NUL in ID", []emu.Option{demoKeys, rewrite("ListKeys", func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"KeyId":"key-hzz630494460003"`), []byte(`"KeyId":"key-\u0000x"`), 1)
		})}, kms.ErrUnavailable, 0},
		{"negative TotalCount", []emu.Option{demoKeys, rewrite("ListKeys", total("-5"))}, nil, 0},
		{"absurd TotalCount", []emu.Option{demoKeys, rewrite("ListKeys", total("1099511627776"))}, nil, 0},
		{"slow loris", []emu.Option{demoKeys, emu.WithHostile(emu.Hostile{Action: "ListKeys", Trickle: 20 * time.Millisecond})}, context.DeadlineExceeded, -1},
	}
	for _, tc := range cases {
		s, l := setup(t, tc.opts)
		deadline := 10 * time.Second // generous: -race on a loaded machine
		if tc.maxReqs < 0 {
			deadline = 500 * time.Millisecond
		}
		ctx, cancel := context.WithTimeout(bg, deadline)
		keys, err := kmstest.Collect(l.ListKeys(ctx, kms.ListOptions{PageSize: 5}))
		cancel()
		switch {
		case tc.want == nil && (err != nil || len(keys) != 14):
			t.Errorf("%s: %d keys, %v; want the 14 keys", tc.name, len(keys), err)
		case tc.want != nil && !errors.Is(err, tc.want):
			t.Errorf("%s: %v; want %v", tc.name, err, tc.want)
		case tc.maxReqs > 0 && s.Count("ListKeys") > tc.maxReqs:
			t.Errorf("%s: %d requests; want %d", tc.name, s.Count("ListKeys"), tc.maxReqs)
		}
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			var ke *kms.Error
			if !errors.As(err, &ke) || ke.Op != "ListKeys" || ke.Provider != kms.ProviderAlibaba || !strings.HasPrefix(err.Error(), "kms: ") {
				t.Errorf("%s: %v is not a *kms.Error of ListKeys", tc.name, err)
			}
		}
	}
}

// TestUnsupportedIsNotRetried: HTTP 501 and an unknown action are
// ErrUnsupported after one request; 431 and 413 are ErrInvalidArgument.
func TestUnsupportedIsNotRetried(t *testing.T) {
	s, l := demo(t)
	for _, tc := range []struct {
		status int
		code   string
		want   error
		reqs   int
	}{
		{501, "NotImplemented", kms.ErrUnsupported, 1},
		{404, "InvalidAction.NotFound", kms.ErrUnsupported, 1},
		{400, "UnsupportedOperation", kms.ErrUnsupported, 1},
		{431, "RequestHeaderFieldsTooLarge", kms.ErrInvalidArgument, 1},
		{413, "RequestEntityTooLarge", kms.ErrInvalidArgument, 1},
		{503, "ServiceUnavailable", kms.ErrUnavailable, 5},
	} {
		s.ResetCounts()
		s.FailNext("DescribeKey", tc.reqs, tc.status, tc.code)
		_, err := l.DescribeKey(bg, "alias/app-data")
		if !errors.Is(err, tc.want) || s.Count("DescribeKey") != tc.reqs {
			t.Errorf("%d %s: %v after %d requests; want %v after %d", tc.status, tc.code, err, s.Count("DescribeKey"), tc.want, tc.reqs)
		}
	}
}

// TestCursorErrorsAreKMSErrors: a forged or foreign cursor is refused as a
// *kms.Error of the operation, before any request.
func TestCursorErrorsAreKMSErrors(t *testing.T) {
	s, l := demo(t)
	it := l.ListKeys(bg, kms.ListOptions{PageSize: 2})
	for range it.All() {
		break
	}
	keysCursor := it.Cursor()
	s.ResetCounts()
	for name, err := range map[string]error{
		"garbage":           firstErr(l.ListKeys(bg, kms.ListOptions{Cursor: "garbage!"})),
		"other filter":      firstErr(l.ListKeys(bg, kms.ListOptions{Cursor: keysCursor, Filter: kms.Filter{States: []kms.KeyState{kms.StateEnabled}}})),
		"keys for versions": firstErr(l.ListKeyVersions(bg, "alias/app-data", kms.ListOptions{Cursor: keysCursor})),
		"truncated":         firstErr(l.ListKeys(bg, kms.ListOptions{Cursor: keysCursor[:len(keysCursor)/2]})),
	} {
		var ke *kms.Error
		if !errors.Is(err, kms.ErrInvalidCursor) || !errors.As(err, &ke) || ke.Provider != kms.ProviderAlibaba || ke.Op == "" ||
			strings.Count(err.Error(), "kms: ") != 1 {
			t.Errorf("%s: %v", name, err)
		}
	}
	if n := s.Requests(); n != 0 {
		t.Errorf("%d requests sent", n)
	}
	// The cursor of an unfiltered listing resumes one with another Detail.
	if keys, err := kmstest.Collect(l.ListKeys(bg, kms.ListOptions{Cursor: keysCursor, Detail: kms.DetailFull})); err != nil || len(keys) != 13 {
		t.Errorf("resumed with DetailFull: %d keys, %v", len(keys), err)
	}
}

func firstErr[T any](it *pagination.Iterator[T]) error {
	_, err := kmstest.Collect(it)
	return err
}

// TestHostileDescribe: a describe answer without a KeyMetadata, or an
// alias page without a RequestId, is a classified failure of that key,
// which stays in the listing.
func TestHostileDescribe(t *testing.T) {
	for action, body := range map[string]string{
		"DescribeKey":        `{"RequestId":"r","KeyMetadata":{}}`,
		"ListAliasesByKeyId": `{"TotalCount":1,"Aliases":{"Alias":[{"AliasName":"alias/x"}]}}`,
	} {
		_, l := setup(t, []emu.Option{emu.WithKeys(emu.DemoKeys(emu.DefaultAccount)...),
			rewrite(action, func([]byte) []byte { return []byte(body) })})
		k, err := l.DescribeKey(bg, "key-hzz630494460001")
		switch action {
		case "DescribeKey":
			if !errors.Is(err, kms.ErrUnavailable) {
				t.Errorf("%s: %v, want ErrUnavailable", action, err)
			}
		default:
			if err != nil || !errors.Is(k.DetailErr, kms.ErrUnavailable) || k.ID != "key-hzz630494460001" {
				t.Errorf("%s: %+v, %v; want the key with ErrUnavailable in DetailErr", action, k.DetailErr, err)
			}
		}
	}
}
