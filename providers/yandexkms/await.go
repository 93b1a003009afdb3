package yandexkms

import "context"

// await runs one SDK call and returns its answer, or ctx's error as soon as
// ctx is done, whichever comes first.
//
// The SDK does some of its work on behalf of whichever call comes first and
// makes the others wait for it: the endpoint discovery of a fresh SDK, the
// IAM token exchange (OAuth token, service-account key) and, with its
// default DialContextTimeout, a blocking dial on a background context.
// gRPC honours each call's own context in everything else (connecting, TLS,
// the request), but a call waiting on another's discovery or token would
// wait for the other's deadline, or 20 s. await bounds every call by its
// own context: a call left behind ends with the one it waits on (the
// first call's context, or the SDK's Shutdown).
func await[T any](ctx context.Context, call func(context.Context) (T, error)) (T, error) {
	if ctx.Done() == nil {
		return call(ctx) // never done: nothing to race
	}
	type answer struct {
		v   T
		err error
	}
	ch := make(chan answer, 1)
	go func() {
		v, err := call(ctx)
		ch <- answer{v, err}
	}()
	select {
	case a := <-ch:
		return a.v, a.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}
