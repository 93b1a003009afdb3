package pagination

import (
	"context"
	"sync"
	"weak"
)

// spare holds, across listings, the zeroed page buffers that listings had
// free when their loops ended: the next listing of the same item type and
// page size starts with them instead of allocating (and later collecting)
// its first pages. A fan-out needs a page per scope in flight, so without
// this every merged listing would allocate and collect some 16 pages. It is
// a sync.Pool per item type and capacity: what nobody takes back goes at
// the second garbage collection, so it holds no memory for long.
var spare sync.Map // spareKey[T]{cap} -> *sync.Pool of *[]T, all zero

type spareKey[T any] struct{ n int }

func sparePool[T any](n int) *sync.Pool {
	k := spareKey[T]{n}
	if p, ok := spare.Load(k); ok {
		return p.(*sync.Pool)
	}
	p, _ := spare.LoadOrStore(k, &sync.Pool{})
	return p.(*sync.Pool)
}

// PageBuffer returns a slice of n zero items for a fetch function to fill and
// return as its page. Called with the context an Iterator passes to the fetch
// function, it reuses the memory of pages that the Iterator's All loop has
// handed out in full (All hands out copies, so nothing refers to them any
// more), across the scopes of a fan-out and, once a loop ends, across
// listings of the same item type and page size; a page handed out by Pages
// is never reused. Called with any other context it simply allocates.
//
// A fetch function that uses PageBuffer returns the slice, or a prefix of it,
// as its items and keeps no other reference to it. For a page of large
// structs (a cloud's key, say) this spares the allocation and the garbage
// collection of one page per request.
func PageBuffer[T any](ctx context.Context, n int) []T {
	if b, ok := ctx.Value(buffersKey[T]{}).(*buffers[T]); ok {
		return b.get(n)
	}
	return make([]T, n)
}

// buffersKey is the context key of an Iterator's *buffers[T].
type buffersKey[T any] struct{}

// maxFreeBuffers bounds the pages kept for reuse: enough for the page being
// handed out, the pages fetched ahead and the pages being fetched.
// maxIssuedBuffers bounds the record of buffers handed to fetch functions
// (pages dropped on an error or a stop are never given back; the record
// holds them weakly, so it does not keep them alive).
const (
	maxFreeBuffers   = 8
	maxIssuedBuffers = 64
)

// buffers is the free list of page buffers of one Iterator. Fetch functions
// may run concurrently (prefetch, page-number concurrency), so it is locked.
// Every buffer travels in the box (*[]T) it is pooled in (see spare), made
// once with it: putting it back, or into the pool, allocates nothing.
type buffers[T any] struct {
	mu     sync.Mutex
	free   []*[]T                           // each at its full capacity
	issued map[weak.Pointer[T]]issuedBuf[T] // first element of every buffer handed out
	// scopes is the number of scopes of a fan-out in flight at once (0 for
	// any other listing): each holds about three pages out (the one handed
	// out, the one fetched, the one waiting), so the bounds grow by that.
	scopes int
}

// issuedBuf is a buffer handed out: the length asked for, and its box
// (empty while the buffer is out).
type issuedBuf[T any] struct {
	n   int
	box *[]T
}

// bounds returns the free-list and issued-record bounds. b.mu is held.
func (b *buffers[T]) bounds() (free, issued int) {
	return maxFreeBuffers + 3*b.scopes, maxIssuedBuffers + 8*b.scopes
}

func (b *buffers[T]) get(n int) []T {
	b.mu.Lock()
	defer b.mu.Unlock()
	var box *[]T
	for i := range b.free {
		if cap(*b.free[i]) >= n {
			last := len(b.free) - 1
			box = b.free[i]
			b.free[i], b.free[last] = b.free[last], nil
			b.free = b.free[:last]
			break
		}
	}
	if box == nil {
		if n == 0 {
			return nil
		}
		if p, ok := sparePool[T](n).Get().(*[]T); ok {
			box = p
		} else {
			buf := make([]T, n)
			box = &buf
		}
	}
	if _, maxIssued := b.bounds(); b.issued == nil || len(b.issued) >= maxIssued {
		b.issued = map[weak.Pointer[T]]issuedBuf[T]{}
	}
	buf := *box
	*box = nil // the record must not keep a buffer that is dropped alive
	b.issued[weak.Make(&buf[:cap(buf)][0])] = issuedBuf[T]{n, box}
	return buf[:n]
}

// owns reports whether page is (a prefix of) a buffer that get handed out
// and that has not come back yet.
func (b *buffers[T]) owns(page []T) bool {
	if cap(page) == 0 {
		return false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	_, ok := b.issued[weak.Make(&page[:1][0])]
	return ok
}

// put takes back a page that get handed out, its items after the first
// skipped ones zeroed as All or Collect handed them out. It zeroes the rest
// (the skipped items, before a resumed listing's cursor, and any past the
// items the fetch function returned), so that a free buffer is all zero and
// keeps nothing alive. A page get did not hand out is left alone.
func (b *buffers[T]) put(page []T, skipped int) {
	b.mu.Lock()
	first := weak.Make(&page[:1][0])
	is, ok := b.issued[first]
	delete(b.issued, first)
	b.mu.Unlock()
	if !ok {
		return
	}
	clear(page[:skipped])
	if is.n > len(page) {
		clear(page[len(page):is.n])
	}
	b.mu.Lock()
	if maxFree, _ := b.bounds(); len(b.free) < maxFree {
		if b.free == nil {
			b.free = make([]*[]T, 0, maxFree) // once: it never grows
		}
		*is.box = page[:cap(page)]
		b.free = append(b.free, is.box)
	}
	b.mu.Unlock()
}

// flush hands the free buffers (all zero) to spare for later listings. The
// loop that used them has ended and waited for everything it started.
func (b *buffers[T]) flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, box := range b.free {
		sparePool[T](cap(*box)).Put(box)
		b.free[i] = nil
	}
	b.free = b.free[:0] // kept for the next loop
}
