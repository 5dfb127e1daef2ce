// Package slab hands out values allocated many at a time, the storage
// slogoops and zapoops keep log records in.
package slab

import (
	"sync"
	"sync/atomic"
)

// slabChunk is how many values a Slab allocates at once: a request that
// keeps 10 records pays 10/63 of an allocation for them, and a chunk of log
// records stays below 32 KiB, a small object for the allocator. 63 rather
// than 64 leaves room for the chunk's counter: 64 records of 192 bytes (a
// zap entry) and the counter would just overflow a 12 KiB size class into
// the next one, wasting 1.2 KiB a chunk. (63 slog records of 160 bytes fill
// a 10 KiB size class.)
const slabChunk = 63

// A Slab hands out pointers to fresh, zeroed values of T, allocated 63 at a
// time, so that keeping a copy of each log record costs an amortized 1/63
// of an allocation per record. A slot is never handed out twice: a chunk is freed
// by the garbage collector once nothing points into it any more (a kept
// record pins its chunk until the ring or timeline lets it go).
//
// The zero Slab is ready to use; a Slab is safe for concurrent use (a slot
// costs one atomic add).
type Slab[T any] struct {
	cur atomic.Pointer[chunk[T]]
}

type chunk[T any] struct {
	next  atomic.Int64 // slots handed out, or asked for, so far
	items [slabChunk]T
}

// New returns a pointer to a zeroed T that no other call returns.
func (s *Slab[T]) New() *T {
	for {
		c := s.cur.Load()
		if c != nil {
			if i := c.next.Add(1) - 1; i < slabChunk {
				return &c.items[i]
			}
		}
		// The chunk is used up (or there is none yet): put a fresh one in
		// its place, unless another goroutine did so first.
		fresh := new(chunk[T])
		fresh.next.Store(1)
		if s.cur.CompareAndSwap(c, fresh) {
			return &fresh.items[0]
		}
	}
}

// A Pool hands out values of T from a free list of values given back (Put),
// or, when it holds none, fresh from a Slab. Values given back are handed
// out as they were left: the caller overwrites them whole.
//
// Unlike a bare sync.Pool, a Pool that holds nothing (the usual case for
// records kept into request timelines, which are dropped whole) costs one
// atomic load to find so, not a search of every P's free list.
//
// The zero Pool is ready to use; a Pool is safe for concurrent use.
type Pool[T any] struct {
	slab Slab[T]
	free sync.Pool // of *T
	// some is set when a value may be in free: by Put, and cleared by a Get
	// that found free empty (the garbage collector empties it too). It is
	// only a hint: a value that goes unseen is collected with free's.
	some atomic.Bool
}

// Get returns a value given back by Put, as it was given back, or a fresh,
// zeroed one.
func (p *Pool[T]) Get() *T {
	if p.some.Load() {
		if x, ok := p.free.Get().(*T); ok {
			return x
		}
		p.some.Store(false)
	}
	return p.slab.New()
}

// Put gives x back for a later Get to hand out. Nothing may use x afterwards.
func (p *Pool[T]) Put(x *T) {
	p.free.Put(x)
	if !p.some.Load() {
		// Only the first Put after an empty spell writes: a free list in
		// steady use costs no contended store.
		p.some.Store(true)
	}
}
