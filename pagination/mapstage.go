package pagination

import (
	"context"
	"sync"
)

// Map applies fn to every item of src with up to concurrency calls at once
// (0 means 8), keeping list order and overlapping with page fetching: items
// of the next pages start while earlier ones finish. fn returns the mapped
// item and whether to keep it; a failure belongs in U (the item still comes
// out carrying the reason), never in the stream. Map takes src over: use
// only the returned Iterator, whose cursor is src's, exact to the item, and
// whose MaxItems is src's, counted after fn dropped items.
func Map[T, U any](src *Iterator[T], concurrency int, fn func(ctx context.Context, item T) (U, bool)) *Iterator[U] {
	if concurrency <= 0 {
		concurrency = 8
	}
	return &Iterator[U]{
		ctx: src.ctx, kind: src.kind, scope: src.scope,
		err: src.err, errFrom: src.errFrom,
		start: src.position(), done: src.done, max: src.max,
		src: &mapPager[T, U]{src: src, conc: concurrency, fn: fn},
	}
}

type mapPager[T, U any] struct {
	src  *Iterator[T]
	conc int
	fn   func(ctx context.Context, item T) (U, bool)
}

// mapJob is one source page being mapped.
type mapJob[T, U any] struct {
	pg   *page[T]
	err  error
	out  []U
	keep []bool
	wg   sync.WaitGroup
}

// mapTask is one item of a job for a worker.
type mapTask[T, U any] struct {
	job *mapJob[T, U]
	j   int
}

func (m *mapPager[T, U]) open(ctx context.Context, from position) (func() (*page[U], error), func()) {
	ctx, cancel := context.WithCancel(ctx)
	srcNext, srcStop := m.src.src.open(ctx, from)
	jobs := make(chan *mapJob[T, U], 1)
	tasks := make(chan mapTask[T, U])
	var producer, workers sync.WaitGroup
	for range m.conc {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for t := range tasks {
				t.job.out[t.j], t.job.keep[t.j] = m.fn(ctx, t.job.pg.items[t.j])
				t.job.wg.Done()
			}
		}()
	}
	producer.Add(1)
	go func() {
		defer producer.Done()
		defer close(jobs)
		defer close(tasks)
		for {
			job := &mapJob[T, U]{}
			job.pg, job.err = srcNext()
			if job.pg != nil {
				job.err = dispatch(ctx, tasks, job)
			}
			select {
			case jobs <- job:
			case <-ctx.Done():
				return
			}
			if job.err != nil || job.pg == nil {
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
		return job.result(), nil
	}
	stop := func() {
		cancel()
		producer.Wait()
		workers.Wait()
		srcStop()
	}
	return next, stop
}

// dispatch hands every item of the job's page to the workers, in order.
func dispatch[T, U any](ctx context.Context, tasks chan<- mapTask[T, U], job *mapJob[T, U]) error {
	n := len(job.pg.items)
	job.out, job.keep = make([]U, n), make([]bool, n)
	for j := range n {
		job.wg.Add(1)
		select {
		case tasks <- mapTask[T, U]{job, j}:
		case <-ctx.Done():
			job.wg.Done()
			return ctx.Err()
		}
	}
	return nil
}

// result is the mapped page: the kept items, each with the source position
// after it.
func (job *mapJob[T, U]) result() *page[U] {
	var (
		out = job.out[:0]
		idx []int
	)
	for j, k := range job.keep {
		if k {
			out = append(out, job.out[j])
			idx = append(idx, j)
		}
	}
	clear(job.out[len(out):])
	src := job.pg
	last := len(src.items) - 1
	return &page[U]{items: out, at: func(j int) position {
		switch {
		case j >= len(out)-1:
			return src.at(last)
		case j < 0:
			return src.at(-1)
		default:
			return src.at(idx[j])
		}
	}}
}
