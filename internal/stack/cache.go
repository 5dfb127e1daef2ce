package stack

import (
	"slices"
	"sync/atomic"
)

// cacheSlots is how many PC sequences a Cache remembers (a power of two).
// The same log call or query site gives the same stack over and over, and a
// service has far fewer such sites on its error paths than this; a site
// evicted by another that hashes to its slot is just resolved again.
const cacheSlots = 256

// A Cache remembers, for recent PC sequences, a value computed from the whole
// sequence, so that resolving the same stack again costs a hash and a compare
// instead of runtime.CallersFrames. It holds at most cacheSlots entries, each
// keyed by the full sequence (never a prefix or the top frame only): one slot
// per hash, the newest entry winning. The zero Cache is ready to use and safe
// for concurrent use; a value must not be changed once computed, since
// callers share it.
type Cache[V any] struct {
	slots [cacheSlots]atomic.Pointer[cacheEntry[V]]
}

type cacheEntry[V any] struct {
	hash uint64
	pcs  []uintptr // a copy, owned by the entry
	v    V
}

// Get returns the value for pcs, computing it with compute (outside any lock,
// so two goroutines may both compute it once) when pcs is not cached. Get
// keeps nothing of pcs; compute must not change the slice it is given.
func (c *Cache[V]) Get(pcs []uintptr, compute func([]uintptr) V) V {
	h := hashPCs(pcs)
	slot := &c.slots[h&(cacheSlots-1)]
	if e := slot.Load(); e != nil && e.hash == h && slices.Equal(e.pcs, pcs) {
		return e.v
	}
	// compute gets the entry's own copy, so that pcs does not escape: a
	// caller may pass a buffer on its stack.
	own := slices.Clone(pcs)
	v := compute(own)
	slot.Store(&cacheEntry[V]{hash: h, pcs: own, v: v})
	return v
}

// Lookup returns the value cached for pcs, if any.
func (c *Cache[V]) Lookup(pcs []uintptr) (v V, ok bool) {
	h := hashPCs(pcs)
	if e := c.slots[h&(cacheSlots-1)].Load(); e != nil && e.hash == h && slices.Equal(e.pcs, pcs) {
		return e.v, true
	}
	return v, false
}

// Store caches v for pcs (a copy of it), in place of what its slot held.
func (c *Cache[V]) Store(pcs []uintptr, v V) {
	h := hashPCs(pcs)
	c.slots[h&(cacheSlots-1)].Store(&cacheEntry[V]{hash: h, pcs: slices.Clone(pcs), v: v})
}

// hashPCs mixes the program counters of pcs, their number included.
func hashPCs(pcs []uintptr) uint64 {
	h := uint64(len(pcs)) * 0x9e3779b97f4a7c15
	for _, pc := range pcs {
		h ^= uint64(pc)
		h *= 0xbf58476d1ce4e5b9
		h ^= h >> 31
	}
	return h
}
