package pagination

import "context"

// A fan-out counts scopes in its Stats (ScopesTotal, ScopesDone,
// ScopesFailed); a scope whose Iterator is itself a fan-out (a Merge of
// discovered fleets) counts as the scopes inside it, at any depth: its
// probe tells how many it has and how many its cursor has finished or
// holds as gone, and while it runs it tells the outer fan-out's counters
// of each of its scopes' ends (up).

// scopeCounts are the scopes a fan-out accounts for, as it starts.
type scopeCounts struct{ total, done, failed int }

// add counts the scope whose Iterator is it; finished: the cursor has
// finished it.
func addCounts[T any](n *scopeCounts, it *Iterator[T], finished bool) {
	total, done, failed := 1, 0, 0
	if it.kind == kindFanOut && it.stats != nil && it.err == nil {
		total = it.stats.scopesTotal
		done, failed = int(it.stats.scopesDone.Load()), int(it.stats.scopesFailed.Load())
	}
	n.total += total
	if finished {
		n.done += total
	} else {
		n.done, n.failed = n.done+done, n.failed+failed
	}
}

// probe maps a cursor's fan-out state onto the scopes (see resume), makes
// the Iterator of every scope that is to run, so that one that rejects its
// options or its cursor fails the fan-out before any request, and counts
// the scopes (those the cursor finished are made too, to count the scopes
// of those that are fan-outs; they fetch nothing). It keeps the Iterators
// of the scopes the first loop starts first, as many as are in flight at
// once (see keep), so that those are not made twice.
func (p *fanPager[T]) probe(ctx context.Context, f *fanState) (*fanState, scopeCounts, error) {
	var n scopeCounts
	next, entry, skip := 0, map[int]bool{}, map[int]bool{}
	p.probed = make([]probedScope[T], 0, p.inFlight())
	if f != nil {
		var err error
		if f, err = p.resume(f); err != nil {
			return nil, n, err
		}
		for _, e := range f.entries {
			if e.idx < 0 { // gone: it ends as failed (see reportGone)
				n.total, n.failed = n.total+1, n.failed+1
				continue
			}
			entry[e.idx] = true
			it := p.scopes[e.idx].List(ctx, stateCursor(e.st))
			if it.err != nil {
				return nil, n, p.rejectErr(p.scopes[e.idx].Name, it.err)
			}
			addCounts(&n, it, false)
			p.keep(e.idx, it)
		}
		for _, i := range f.skip {
			skip[i] = true
		}
		next = f.next
	}
	for i, s := range p.scopes {
		if entry[i] {
			continue
		}
		it := s.List(ctx, "")
		finished := i < next || skip[i]
		if it.err != nil && !finished {
			return nil, n, p.rejectErr(s.Name, it.err)
		}
		addCounts(&n, it, finished)
		if !finished {
			p.keep(i, it)
		}
	}
	return f, n, nil
}

// probedScope is the Iterator the probe made of scope idx, kept for the
// first loop (see takeProbed).
type probedScope[T any] struct {
	idx int
	it  *Iterator[T]
}

// keep keeps the Iterator of scope idx while fewer than are in flight at
// once are kept. The probe makes them in the order the first loop starts
// them (the cursor's unfinished scopes first, then the fresh ones in
// order), so the kept ones are the first loop's first wave.
func (p *fanPager[T]) keep(idx int, it *Iterator[T]) {
	if len(p.probed) < cap(p.probed) {
		p.probed = append(p.probed, probedScope[T]{idx, it})
	}
}

// takeProbed is the Iterator the probe made of scope idx, if it is the
// next one kept: a walk starts its scopes in the order they were kept, and
// each is used once, by the first loop only (see open), from the position
// the probe made it for. Only a Scope's List of its own code sees the
// difference: it is called once for these scopes, with FanOut's context
// rather than one of the loop's (the Iterator's requests are made with
// the loop's all the same).
func (w *fanWalk[T]) takeProbed(idx int) *Iterator[T] {
	if len(w.probed) == 0 || w.probed[0].idx != idx {
		w.probed = nil // out of order: cannot happen, and then none is used
		return nil
	}
	it := w.probed[0].it
	w.probed = w.probed[1:]
	return it
}

// nest makes it, a scope's Iterator, count its scopes in the walk's
// counters if it is a fan-out, and reports whether it is.
func (w *fanWalk[T]) nest(it *Iterator[T]) bool {
	fp, ok := it.src.(*fanPager[T])
	if !ok || it.err != nil || w.run == nil || w.run.stats == nil {
		return false
	}
	fp.up = w.run.stats
	return true
}

// countScope counts the end of the scope of m (done or failed), unless
// it is a fan-out, which has counted its scopes (see nest).
func (w *fanWalk[T]) countScope(m fanMsg[T], done bool) {
	if m.nested {
		return
	}
	count(w.p.stats, done)
	if up := w.p.up; up != nil && up != w.p.stats {
		count(up, done)
	}
}

func count(c *counters, done bool) {
	if done {
		c.scopesDone.Add(1)
	} else {
		c.scopesFailed.Add(1)
	}
}
