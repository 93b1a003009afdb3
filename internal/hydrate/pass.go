package hydrate

import (
	"context"
	"errors"
	"sync"

	"github.com/multikms/multikms/kms"
)

// join is the second Map stage: it joins the passes into every key (a
// pass not started yet, or cut short, runs here).
func (r *runner) join(ctx context.Context, k kms.Key) (kms.Key, bool) {
	for i := range r.passes {
		f := r.passes[i].get(ctx)
		<-f.done
		r.apply(&k, r.passes[i].pass.Op, f.join, f.err)
	}
	return k, true
}

// once runs a pass once per listing, in the first key that needs it (the
// other keys wait for it while the describes go on), and again only if a
// run was cut short by cancellation.
type once struct {
	pass Pass
	mu   sync.Mutex
	cur  *future
}

type future struct {
	done chan struct{}
	join func(*kms.Key)
	err  error
}

// cutShort reports whether the run ended by cancellation.
func (f *future) cutShort() bool {
	select {
	case <-f.done:
		return errors.Is(f.err, context.Canceled) || errors.Is(f.err, context.DeadlineExceeded)
	default:
		return false
	}
}

func (o *once) get(ctx context.Context) *future {
	o.mu.Lock()
	if f := o.cur; f != nil && !f.cutShort() {
		o.mu.Unlock()
		return f
	}
	f := &future{done: make(chan struct{})}
	o.cur = f
	o.mu.Unlock()
	f.join, f.err = o.pass.Load(ctx)
	close(f.done)
	return f
}
