// Package slab hands out values allocated many at a time, the storage
// slogoops and zapoops keep log records in.
package slab

import "sync/atomic"

// slabChunk is how many values a Slab allocates at once.
const slabChunk = 32

// A Slab hands out pointers to fresh, zeroed values of T, allocated 32 at a
// time, so that keeping a copy of each log record costs an amortized zero
// allocations per record. A slot is never handed out twice: a chunk is freed
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
