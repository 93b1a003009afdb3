package pagination

import "slices"

// setEntry records scope idx at position pos of its Iterator it.
func (w *fanWalk[T]) setEntry(idx int, it *Iterator[T], pos position) {
	if pos.done {
		w.finish(idx)
		return
	}
	if w.live == nil {
		w.entries[idx] = &cursorState{kind: it.kind, scope: it.scope, pos: pos}
		return
	}
	// Only this walk's own state refers to the entries' states: positions
	// of its pages are taken from the walk when asked for, and encoded or
	// copied at once (see liveAt); the next loop starts from such a copy
	// once this walk has stopped. So a state is changed in place, and
	// that of a finished scope serves the next one.
	old := w.entries[idx]
	if old == nil {
		old = w.newState()
		w.entries[idx] = old
	}
	*old = cursorState{kind: it.kind, scope: it.scope, pos: pos}
}

// newState is a state for an entry of a live walk: one a finished scope
// left, or one of a batch of as many as scopes are in flight.
func (w *fanWalk[T]) newState() *cursorState {
	if len(w.free) == 0 {
		batch := make([]cursorState, max(w.p.inFlight(), 1))
		if w.free == nil {
			w.free = make([]*cursorState, 0, len(batch))
		}
		for i := range batch {
			w.free = append(w.free, &batch[i])
		}
	}
	st := w.free[len(w.free)-1]
	w.free = w.free[:len(w.free)-1]
	return st
}

// at is the fan-out's position f with scope c.idx after item j of c's page.
func (w *fanWalk[T]) at(f fanState, c fanCur[T], j int) position {
	pos := c.pos.at(j)
	i, _ := slices.BinarySearchFunc(f.entries, c.idx, func(e fanEntry, idx int) int { return e.idx - idx })
	if i == len(f.entries) || f.entries[i].idx != c.idx {
		same := f
		return w.position(&same) // cannot happen: a scope in flight has its entry
	}
	out := &fanState{next: f.next, boundary: f.boundary, entries: slices.Clone(f.entries), skip: f.skip, done: f.done}
	if pos.done {
		out.entries = slices.Delete(out.entries, i, i+1)
		out.done = f.done.with(w.p.scopes[c.idx].Name)
		if c.idx >= f.next {
			out.skip = append(slices.Clone(f.skip), c.idx)
			slices.Sort(out.skip)
		}
	} else {
		out.entries[i].st = &cursorState{kind: c.it.kind, scope: c.it.scope, pos: pos}
	}
	return w.position(out)
}

func (w *fanWalk[T]) position(f *fanState) position {
	if f.next == len(w.p.scopes) && len(f.entries) == 0 {
		return position{done: true}
	}
	return position{fan: f}
}

// page makes a scope's page a page of the fan-out (the walk alone holds
// it: its positions are replaced in place) and makes it the current one.
// Its positions are those of the fan-out as it stands when the page comes
// out (taken now: the walk goes on changing, and a fan-out inside another
// is read from the outer one's goroutine), with the scope at each item of
// the page. The snapshot and the scope's page live in the closure: one
// allocation for both.
func (w *fanWalk[T]) page(m fanMsg[T]) *page[T] {
	pg := m.pg
	w.cur = fanCur[T]{ok: true, idx: m.idx, it: m.it, pos: pg.pos, n: len(pg.items)}
	if w.live != nil {
		pg.pos = atFunc(w.live)
		return pg
	}
	c := w.cur
	f := w.snapshot()
	pg.pos = atFunc(func(j int) position { return w.at(f, c, j) })
	return pg
}

// liveAt is the position after item j of the page being handed out (or
// after the last page, once the next one is asked for) in a walk whose
// pages only its own Iterator's loop hands out: that loop asks for a
// position only of its current page, in its goroutine, while the walk
// stands still (it changes only inside next), so the walk's state is
// the snapshot, taken when asked for rather than at every page. After
// next failed, the page before is the current one, handed out in full,
// and the walk has moved its scope to its end (setEntry): its position is
// the walk's state as it is.
func (w *fanWalk[T]) liveAt(j int) position {
	f := w.snapshot()
	if !w.cur.ok {
		return w.position(&f)
	}
	return w.at(f, w.cur, j)
}

// emptyPage carries the fan-out's position after a scope ended, so that
// the cursor leaves it out even if no item follows.
func (w *fanWalk[T]) emptyPage() *page[T] {
	if w.live != nil {
		if w.end == nil { // one for every scope's end: the loop only reads it
			w.end = &page[T]{pos: atFunc(w.live)}
		}
		return w.end
	}
	f := w.snapshot()
	pos := w.position(&f)
	return &page[T]{pos: atFunc(func(int) position { return pos })}
}

// advance moves the first scope not started to next, or past it while the
// scopes there are not to start (see skip).
func (w *fanWalk[T]) advance(next int) {
	w.unstarted = next
	for w.unstarted < len(w.p.scopes) && w.skip[w.unstarted] {
		delete(w.skip, w.unstarted)
		w.unstarted++
	}
}

// finish records scope idx as finished: its entry goes, its name goes into
// the sketch, once.
func (w *fanWalk[T]) finish(idx int) {
	st, ok := w.entries[idx]
	if !ok {
		return
	}
	delete(w.entries, idx)
	if w.live == nil {
		w.done = w.done.with(w.p.scopes[idx].Name)
		return
	}
	// A live walk changes its own copy of the sketch in place, and its
	// finished scopes' states serve later ones (see setEntry).
	if st != nil {
		w.free = append(w.free, st)
	}
	if !w.doneOwned {
		w.done, w.doneOwned = w.done.with(w.p.scopes[idx].Name), true
		return
	}
	w.done.toggle(nameKey(w.p.scopes[idx].Name))
}

// reportGone records the entries of scopes no longer among the fan-out's
// as failed scopes (see ErrScopeGone), to be reported with the others
// (FanOut counted them in the Stats, once).
func (w *fanWalk[T]) reportGone() {
	for _, e := range w.gone {
		w.event(EventScopeFailed, e.name, ErrScopeGone)
		w.failures = append(w.failures, w.p.wrapErr(e.name, ErrScopeGone))
	}
}
