package spantimeline

import (
	"github.com/oops-go/oops/timeline"
	"go.opentelemetry.io/otel/trace"
)

// pendingTable holds the spans a Processor waits for, by span id,
// in an open-addressing table with linear probing. Span ids are random, so
// an id's low bits place it without hashing, and deleting by shifting back
// the entries after it leaves no tombstones behind, so a table that sees
// every span of a busy service stays as fast as a fresh one. The zero value
// is empty; it is not safe for concurrent use.
type pendingTable struct {
	slots []pendingSlot // len is 0 or a power of two; key 0 marks a free slot
	n     int
}

type pendingSlot struct {
	key   uint64 // the span id; never 0, as a valid span id is not
	trace trace.TraceID
	tl    *timeline.Timeline
}

const minPendingSlots = 16

// put stores tl for the span (key, tid), replacing what the key held.
func (t *pendingTable) put(key uint64, tid trace.TraceID, tl *timeline.Timeline) {
	if (t.n+1)*2 > len(t.slots) {
		t.resize(max(minPendingSlots, len(t.slots)*2))
	}
	mask := uint64(len(t.slots) - 1)
	for i := key & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.key == 0 {
			*s = pendingSlot{key, tid, tl}
			t.n++
			return
		}
		if s.key == key {
			s.trace, s.tl = tid, tl
			return
		}
	}
}

// take removes and returns the timeline of the span (key, tid), if held.
func (t *pendingTable) take(key uint64, tid trace.TraceID) (*timeline.Timeline, bool) {
	if t.n == 0 {
		return nil, false
	}
	mask := uint64(len(t.slots) - 1)
	i := key & mask
	for ; t.slots[i].key != key; i = (i + 1) & mask {
		if t.slots[i].key == 0 {
			return nil, false
		}
	}
	s := t.slots[i]
	if s.trace != tid {
		return nil, false
	}
	t.remove(i, mask)
	return s.tl, true
}

// remove frees slot i and shifts back the entries of the probe run after it
// that would otherwise no longer be found.
func (t *pendingTable) remove(i, mask uint64) {
	t.n--
	for j := (i + 1) & mask; t.slots[j].key != 0; j = (j + 1) & mask {
		home := t.slots[j].key & mask
		// Move slot j into the hole at i unless its home lies cyclically
		// in (i, j]: then it is still reachable from its home.
		if (j > i && (home <= i || home > j)) || (j < i && home <= i && home > j) {
			t.slots[i] = t.slots[j]
			i = j
		}
	}
	t.slots[i] = pendingSlot{}
	if len(t.slots) > minPendingSlots && t.n*8 < len(t.slots) {
		t.resize(len(t.slots) / 2)
	}
}

func (t *pendingTable) resize(size int) {
	old := t.slots
	t.slots = make([]pendingSlot, size)
	t.n = 0
	for _, s := range old {
		if s.key != 0 {
			t.put(s.key, s.trace, s.tl)
		}
	}
}

func (t *pendingTable) clear() { *t = pendingTable{} }
