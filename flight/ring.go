package flight

import (
	"github.com/oops-go/oops/internal/release"
	"log/slog"
	"sync"
	"time"
)

// kept is a record with what Keep knew of it.
type kept struct {
	t     time.Time
	level slog.Level
	rec   Record
	// shared is set when the record went into a trailing window too: the
	// window may still read it after the ring lets it go.
	shared bool
}

// ring keeps the most recent size records of one level.
type ring struct {
	size int

	mu      sync.Mutex
	buf     []kept // allocated on first put
	next    uint64 // records ever put
	readers int    // Records calls rendering a snapshot of this ring
}

// put keeps k, and releases the record it evicts when nothing else can read
// it any more (see release.Releaser).
func (g *ring) put(k kept) {
	if g.size == 0 {
		return
	}
	g.mu.Lock()
	if g.buf == nil {
		g.buf = make([]kept, g.size)
	}
	slot := &g.buf[g.next%uint64(g.size)]
	old := *slot
	*slot = k
	g.next++
	free := g.readers == 0 && !old.shared
	g.mu.Unlock()
	if free {
		if r, ok := old.rec.(release.Releaser); ok {
			r.Release()
		}
	}
}

// acquire appends the ring's records, oldest first, to dst, and keeps them
// from being released until done is called.
func (g *ring) acquire(dst []kept) []kept {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.readers++
	if g.next <= uint64(g.size) {
		return append(dst, g.buf[:g.next]...)
	}
	i := g.next % uint64(g.size)
	dst = append(dst, g.buf[i:]...)
	return append(dst, g.buf[:i]...)
}

// done ends what acquire began.
func (g *ring) done() {
	g.mu.Lock()
	g.readers--
	g.mu.Unlock()
}

func (g *ring) reset() {
	g.mu.Lock()
	clear(g.buf)
	g.next = 0
	g.mu.Unlock()
}
