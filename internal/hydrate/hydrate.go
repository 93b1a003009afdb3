// Package hydrate is the one per-key pipeline of every adapter: describe,
// filter, the extras ListOptions.Include asks for, the account-wide passes
// joined into every key (aliases), failures into Key.DetailErr, in list
// order, bounded by MaxItems (the engine's Map stops dispatching there).
// An adapter supplies its cloud's calls as Steps; the order and the rules
// are written here once:
//
//  1. Describe, when the listing needs it: DetailFull, a residual Filter the
//     server could not apply, or any Include bit. A failed describe keeps
//     the key as listed, with the reason in DetailErr, and the key is kept
//     whatever the filter (it cannot be judged); no extra runs for it.
//  2. The residual Filter, on the described key: a key that does not match
//     is dropped, and no extra is fetched for it.
//  3. The per-key extras, in the order given: an extra runs when its
//     Include bit is asked for (or, for Include 0, with DetailFull) and its
//     Applies says the key can answer (a key that cannot costs no request).
//     A failing extra keeps the key with everything else; its error is
//     joined into DetailErr (one error per failed extra).
//  4. The passes (account-wide listings such as every alias), run once per
//     listing in the first key that needs them, while the describes of
//     later keys go on; a failed pass is joined into DetailErr of every key.
//  5. Detail: DetailFull when asked; a DetailBasic listing that was
//     described (to filter, or for an Include) stays DetailBasic.
//
// Every failure is reported to the Observer as EventDetailFailed.
package hydrate

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

// Extra is one per-key request (tags, rotation, policy, grants, aliases of
// one key).
type Extra struct {
	// Include is the bit that asks for it; 0 means it runs with DetailFull.
	Include kms.Include
	// Op names the cloud operation, for events.
	Op string
	// Applies reports whether k can answer; nil means every key. A key it
	// refuses costs no request (fill what is known without a call in
	// Applies' caller-visible way: Fetch is not called).
	Applies func(k *kms.Key) bool
	// Fetch fills k; its error goes into k.DetailErr.
	Fetch func(ctx context.Context, k *kms.Key) error
}

// Pass is an account-wide listing run once per listing and joined into
// every key (the AWS ListAliases pass, say).
type Pass struct {
	// Include is the bit that asks for it; 0 means it runs with DetailFull.
	Include kms.Include
	// Op names the cloud operation, for events.
	Op string
	// Load runs the pass and returns the function that joins its result
	// into one key.
	Load func(ctx context.Context) (join func(k *kms.Key), err error)
}

// Steps are what one cloud supplies.
type Steps struct {
	// Describe returns the described key for a listed one; nil when the
	// list call already gives every field (the key is then used as listed).
	Describe func(ctx context.Context, k kms.Key) (kms.Key, error)
	// DescribeOp names the describe operation, for events.
	DescribeOp string
	// Residual is the part of the Filter the server could not apply.
	Residual kms.Filter
	Extras   []Extra
	Passes   []Pass
}

// Config is how the pipeline runs.
type Config struct {
	// Concurrency is the number of keys hydrated at once (0 means 8).
	Concurrency int
	// Observer is told of every failed describe, extra or pass.
	Observer pagination.Observer
	// Scope names the listing in events.
	Scope string
}

// asked reports whether a step with Include bit inc runs for opts.
func asked(inc kms.Include, detail kms.Detail, include kms.Include) bool {
	if inc == 0 {
		return detail == kms.DetailFull
	}
	return include.Has(inc)
}

// needsDescribe reports whether a listing with opts must describe its keys.
func (s *Steps) needsDescribe(opts kms.ListOptions) bool {
	return s.Describe != nil && (opts.Detail == kms.DetailFull || !s.Residual.IsZero() || opts.Include != 0)
}

func (s *Steps) extrasFor(opts kms.ListOptions) []Extra {
	var out []Extra
	for _, e := range s.Extras {
		if asked(e.Include, opts.Detail, opts.Include) {
			out = append(out, e)
		}
	}
	return out
}

func (s *Steps) passesFor(opts kms.ListOptions) []Pass {
	var out []Pass
	for _, p := range s.Passes {
		if asked(p.Include, opts.Detail, opts.Include) {
			out = append(out, p)
		}
	}
	return out
}

// Pipeline hydrates the keys of it as opts ask, with steps; it returns it
// itself when nothing is asked beyond what the list call gives. The
// returned Iterator's cursor is it's, exact to the key.
func Pipeline(it *pagination.Iterator[kms.Key], opts kms.ListOptions, steps Steps, cfg Config) *pagination.Iterator[kms.Key] {
	extras, passes := steps.extrasFor(opts), steps.passesFor(opts)
	describe := steps.needsDescribe(opts)
	if !describe && len(extras) == 0 && steps.Residual.IsZero() && len(passes) == 0 {
		return it
	}
	r := &runner{steps: &steps, cfg: cfg, opts: opts, extras: extras, passes: make([]once, len(passes))}
	for i, p := range passes {
		r.passes[i].pass = p
	}
	out := pagination.Map(it, cfg.Concurrency, r.hydrate)
	if len(passes) == 0 {
		return out
	}
	return pagination.Map(out, cfg.Concurrency, r.join)
}

// One hydrates a key already described (DescribeKey): the extras and passes
// opts ask for (Detail and Include), failures into DetailErr. Passes run for
// this key alone; prefer a per-key Extra for DescribeKey where the cloud has
// one.
func One(ctx context.Context, k kms.Key, opts kms.ListOptions, steps Steps, cfg Config) kms.Key {
	r := &runner{steps: &steps, cfg: cfg, opts: opts, extras: steps.extrasFor(opts)}
	r.extrasOf(ctx, &k)
	for _, p := range steps.passesFor(opts) {
		join, err := p.Load(ctx)
		r.apply(&k, p.Op, join, err)
	}
	k.Detail = opts.Detail
	return k
}

type runner struct {
	steps  *Steps
	cfg    Config
	opts   kms.ListOptions
	extras []Extra
	passes []once
	// started is set by the first key: its worker starts the passes beside
	// its describe, so that they overlap the first describes instead of
	// waiting for the first key to reach the join.
	started atomic.Bool
}

func (r *runner) failed(op string, err error) {
	if r.cfg.Observer != nil && err != nil {
		r.cfg.Observer(pagination.Event{Kind: pagination.EventDetailFailed, Op: op, Scope: r.cfg.Scope, Err: err})
	}
}

// hydrate is the first Map stage: describe, filter, extras. The first key
// also starts the passes, and waits for them before it is handed on (its
// worker owns them: nothing outlives the stage).
func (r *runner) hydrate(ctx context.Context, k kms.Key) (kms.Key, bool) {
	if len(r.passes) > 0 && r.started.CompareAndSwap(false, true) {
		var wg sync.WaitGroup
		for i := range r.passes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r.passes[i].get(ctx)
			}()
		}
		defer wg.Wait()
	}
	if r.steps.needsDescribe(r.opts) {
		d, err := r.steps.Describe(ctx, k)
		if err != nil {
			r.failed(r.steps.DescribeOp, err)
			k.DetailErr = errors.Join(k.DetailErr, err)
			return k, true
		}
		k = d
	}
	if !r.steps.Residual.Match(k) {
		return kms.Key{}, false
	}
	r.extrasOf(ctx, &k)
	k.Detail = r.opts.Detail
	return k, true
}

func (r *runner) extrasOf(ctx context.Context, k *kms.Key) {
	for _, e := range r.extras {
		if e.Applies != nil && !e.Applies(k) {
			continue
		}
		if ctx.Err() != nil {
			return
		}
		if err := e.Fetch(ctx, k); err != nil {
			r.failed(e.Op, err)
			k.DetailErr = errors.Join(k.DetailErr, err)
		}
	}
}

func (r *runner) apply(k *kms.Key, op string, join func(*kms.Key), err error) {
	if err != nil {
		r.failed(op, err)
		k.DetailErr = errors.Join(k.DetailErr, err)
		return
	}
	join(k)
}
