package pagination

import (
	"context"
	"sync"
)

// Map applies fn to every item of src with up to concurrency calls at once
// (0 means 8), keeping list order and overlapping with page fetching: items
// of the next pages start while earlier ones finish. fn returns the mapped
// item and whether to keep it; a failure belongs in U (the item still comes
// out carrying the reason; ReportDetailFailed tells the observers), never in
// the stream. Map takes src over: use only the returned Iterator, whose
// cursor is src's, exact to the item, and whose MaxItems is src's, counted
// after fn dropped items.
//
// MaxItems bounds fn's work too: fn never starts on an item past the
// MaxItems still to hand out, counted over every Map stage, Concat part and
// fan-out scope of the loop (an item fn dropped gives its place back), and
// nothing more starts once the loop ends or the caller breaks out of it.
// Ahead of the caller, at most twice concurrency items are started and not
// yet handed on: concurrency of them in flight, as many finished and
// waiting (so that the next calls start while the caller takes the last
// ones); a caller who breaks out leaves no more than that started.
func Map[T, U any](src *Iterator[T], concurrency int, fn func(ctx context.Context, item T) (U, bool)) *Iterator[U] {
	if concurrency <= 0 {
		concurrency = 8
	}
	it := &Iterator[U]{
		ctx: src.ctx, kind: src.kind, scope: src.scope,
		err: src.err, errFrom: src.errFrom,
		start: src.position(), done: src.done, max: src.max,
		src:     &mapPager[T, U]{src: src, conc: concurrency, fn: fn},
		wrapErr: src.wrapErr,
	}
	it.counts.scopesTotal = 1
	it.stats = &it.counts
	return it
}

type mapPager[T, U any] struct {
	src  *Iterator[T]
	conc int
	fn   func(ctx context.Context, item T) (U, bool)
}

// mapJob is the items lo..hi-1 of one source page being mapped.
type mapJob[T, U any] struct {
	pg     *page[T]
	lo, hi int
	err    error
	out    []U
	keep   []bool
	wg     sync.WaitGroup
	claims bool // the items hold budget units
}

// claimer is a pager whose pages may come with their items holding budget
// units (a Map stage), or hold pages of such (Concat, FanOut).
type claimer interface{ mayClaim() }

func (*mapPager[T, U]) mayClaim() {}
func (*concatPager[T]) mayClaim() {}
func (*fanPager[T]) mayClaim()    {}

// mapTask is one item of a job for a worker.
type mapTask[T, U any] struct {
	job *mapJob[T, U]
	j   int
}

func (m *mapPager[T, U]) open(ctx context.Context, from position) pass[U] {
	ctx, cancel := context.WithCancel(ctx)
	src := m.src.src.open(ctx, from)
	jobs := make(chan *mapJob[T, U], 1)
	tasks := make(chan mapTask[T, U])
	b := budgetOf(ctx)
	win := newWindow(2 * m.conc)
	var producer, workers sync.WaitGroup
	for range m.conc {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for t := range tasks {
				if ctx.Err() == nil { // nothing starts once the loop ends
					job := t.job
					job.out[t.j], job.keep[t.j] = m.fn(ctx, job.pg.items[job.lo+t.j])
					if !job.keep[t.j] {
						win.release(1) // never handed on
						if job.claims {
							b.release()
						}
					}
				}
				t.job.wg.Done()
			}
		}()
	}
	send := func(job *mapJob[T, U]) bool {
		select {
		case jobs <- job:
			return job.err == nil
		case <-ctx.Done():
			return false
		}
	}
	// Under a MaxItems budget, a source that fetches pages (not a stage,
	// Concat or FanOut, whose pages' items may hold units already) is asked
	// for no page while every unit is held: none of its items could start.
	_, stage := m.src.src.(claimer)
	awaitUnit := b != nil && !stage
	producer.Add(1)
	go func() {
		defer producer.Done()
		defer close(jobs)
		defer close(tasks)
		for {
			if awaitUnit && b.awaitFree(ctx) != nil {
				return
			}
			pg, err := src.next()
			if err != nil || pg == nil {
				send(&mapJob[T, U]{err: err})
				return
			}
			if !m.dispatchPage(ctx, b, win, tasks, pg, send) {
				return
			}
		}
	}()
	next := func() (*page[U], error) {
		job, ok := <-jobs
		if !ok {
			return nil, ctx.Err()
		}
		job.wg.Wait()
		if job.err != nil || job.pg == nil {
			return nil, job.err
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return job.result(win), nil
	}
	stop := func() {
		cancel()
		producer.Wait()
		workers.Wait()
		src.stop()
	}
	return &funcPass[U]{next, stop}
}

// dispatchPage hands the items of pg to the workers, in order, as jobs sent
// with send. An item starts only with a place in the stage's window (at
// most 2*conc items started and not handed on) and, under a MaxItems budget,
// a unit of it: when either is full, the items started so far go out as a
// job of their own, so that the caller can take them (and the loop end)
// while the rest waits.
func (m *mapPager[T, U]) dispatchPage(ctx context.Context, b *budget, win *window, tasks chan<- mapTask[T, U], pg *page[T], send func(*mapJob[T, U]) bool) bool {
	claim := b != nil && !pg.claimed
	lo := 0
	for {
		job := &mapJob[T, U]{pg: pg, lo: lo, hi: lo, claims: b != nil}
		n := len(pg.items) - lo
		job.out, job.keep = make([]U, n), make([]bool, n)
		for job.hi < len(pg.items) && job.err == nil {
			if !m.admit(ctx, b, claim, win, job.hi > lo, &job.err) {
				break
			}
			job.wg.Add(1)
			select {
			case tasks <- mapTask[T, U]{job, job.hi - lo}:
				job.hi++
				if pg.taken != nil {
					pg.taken(1) // handed on to this stage
				}
			case <-ctx.Done():
				job.wg.Done()
				job.err = ctx.Err()
			}
		}
		if !send(job) {
			return false
		}
		if lo = job.hi; lo >= len(pg.items) {
			return true
		}
	}
}

// admit takes a place in the window and, if claim, a unit of the budget for
// one more item: without waiting when the job already has items (false
// then: the job goes out first), else waiting (false with *err on
// cancellation).
func (m *mapPager[T, U]) admit(ctx context.Context, b *budget, claim bool, win *window, hasItems bool, err *error) bool {
	if !win.tryAcquire() {
		if hasItems {
			return false
		}
		if *err = win.acquire(ctx); *err != nil {
			return false
		}
	}
	if claim && !b.tryAcquire() {
		if hasItems {
			win.release(1)
			return false
		}
		if *err = b.acquire(ctx); *err != nil {
			return false
		}
	}
	return true
}

// result is the mapped part of the page: the kept items, each with the
// source position after it.
func (job *mapJob[T, U]) result(win *window) *page[U] {
	var (
		out = job.out[:0]
		idx []int
	)
	for j, k := range job.keep[:job.hi-job.lo] {
		if k {
			out = append(out, job.out[j])
			idx = append(idx, job.lo+j)
		}
	}
	clear(job.out[len(out):])
	src, lo, last := job.pg, job.lo, job.hi-1
	return &page[U]{items: out, claimed: job.claims, taken: win.release, pos: atFunc(func(j int) position {
		switch {
		case j >= len(out)-1:
			return src.at(last)
		case j < 0:
			return src.at(lo - 1)
		default:
			return src.at(idx[j])
		}
	})}
}
