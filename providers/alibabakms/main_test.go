package alibabakms_test

import (
	"context"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
	"github.com/multikms/multikms/providers/alibabakms"
	emu "github.com/multikms/multikms/providers/alibabakms/alibabakmstest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// leakOptions ignore the keep-alive connections of the SDK client and the
// emulator, which end when the emulator closes.
var leakOptions = []goleak.Option{
	goleak.IgnoreAnyFunction("net/http.(*persistConn).readLoop"),
	goleak.IgnoreAnyFunction("net/http.(*persistConn).writeLoop"),
	goleak.IgnoreAnyFunction("net/http.(*conn).serve"),
	goleak.IgnoreAnyFunction("net/http/httptest.(*Server).goServe.func1"),
}

// noPacing lifts the client-side pace to its maximum, for tests that do
// not measure it.
var noPacing = alibabakms.WithRateLimit(1e6, 1e6)

// fastRetry retries quickly so that tests of retries stay fast.
var fastRetry = pagination.Retry{BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}

// setup starts an emulator with opts and returns it and a Lister over it
// through the real SDK client.
func setup(t testing.TB, opts []emu.Option, lopts ...alibabakms.Option) (*emu.Server, *alibabakms.Lister) {
	t.Helper()
	s := emu.New(opts...)
	t.Cleanup(s.Close)
	c, err := s.Client()
	if err != nil {
		t.Fatal(err)
	}
	base := []alibabakms.Option{noPacing, alibabakms.WithRetry(fastRetry)}
	return s, alibabakms.New(c, append(base, lopts...)...)
}

// demo starts an emulator with the demo keys.
func demo(t testing.TB, lopts ...alibabakms.Option) (*emu.Server, *alibabakms.Lister) {
	return setup(t, []emu.Option{emu.WithKeys(emu.DemoKeys(emu.DefaultAccount)...)}, lopts...)
}

func ids(keys []kms.Key) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.ID
	}
	return out
}

var bg = context.Background()
