package otelbridge

import (
	"context"
	"sync"
	"time"

	"go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/trace"
)

// DefaultPendingDelay is how long a LogPublisher made with a zero
// LogOptions.PendingDelay holds a pending report back. It is longer than a
// flight recorder's default trailing window (5 s), so that the window's
// final revision usually arrives while the first is still held.
const DefaultPendingDelay = 10 * time.Second

// DefaultMaxRemembered is how many report ids a LogPublisher made with a
// zero LogOptions.MaxRemembered remembers.
const DefaultMaxRemembered = 4096

// revisions makes a LogPublisher emit one record per report id: it holds
// the records of pending reports until their final revision arrives or a
// delay ends, and remembers, in a ring of bounded size, the ids it emitted
// (and those whose exception event went on a span) to drop later revisions.
// It is safe for concurrent use.
type revisions struct {
	delay time.Duration // < 0: hold nothing
	size  int           // how many ids to remember
	emit  func(ctx context.Context, rec log.Record)

	mu     sync.Mutex
	ids    map[string]*idState
	ring   []string // the ids in ids, oldest at next once full; made at first use
	next   int
	closed bool
}

// idState is what revisions remembers about one report id.
type idState struct {
	emitted bool        // a record of this id was emitted
	onSpan  bool        // its exception event was recorded on a span
	held    *heldRecord // the pending revision waiting, if any
}

// heldRecord is the record of a pending report, waiting for its final
// revision.
type heldRecord struct {
	ctx      context.Context // carries the report's span context and nothing else
	rec      log.Record
	revision int
	timer    *time.Timer
}

// emission is a record to emit once revisions' lock is released: emitting
// may export synchronously, and must not hold up other publications.
type emission struct {
	ctx context.Context
	rec log.Record
}

func newRevisions(delay time.Duration, size int, emit func(context.Context, log.Record)) *revisions {
	if delay == 0 {
		delay = DefaultPendingDelay
	}
	if size <= 0 {
		size = DefaultMaxRemembered
	}
	return &revisions{delay: delay, size: size, emit: emit, ids: make(map[string]*idState)}
}

// publish emits, holds or drops rec, the record of revision rev of report
// id, pending or not: see LogPublisher.
func (v *revisions) publish(ctx context.Context, id string, rev int, pending bool, rec log.Record) {
	if id == "" {
		v.emit(ctx, rec) // nothing to know it again by
		return
	}
	var out []emission
	v.mu.Lock()
	st := v.state(id, &out)
	switch {
	case st.emitted:
		// A revision arriving after the delay expired, or a redelivery:
		// the id's record is out already.
	case pending && v.delay > 0 && !v.closed:
		if h := st.held; h != nil {
			if rev >= h.revision {
				h.ctx, h.rec, h.revision = spanOnly(ctx), rec, rev
			}
			break
		}
		h := &heldRecord{ctx: spanOnly(ctx), rec: rec, revision: rev}
		h.timer = time.AfterFunc(v.delay, func() { v.expire(id, h) })
		st.held = h
	default:
		// The final revision (or one that cannot be held) replaces any
		// pending one held.
		if st.held != nil {
			st.held.timer.Stop()
			st.held = nil
		}
		st.emitted = true
		out = append(out, emission{ctx, rec})
	}
	v.mu.Unlock()
	for _, e := range out {
		v.emit(e.ctx, e.rec)
	}
}

// firstOnSpan reports whether id's exception event has not been recorded on
// a span yet, and marks it recorded.
func (v *revisions) firstOnSpan(id string) bool {
	if id == "" {
		return true
	}
	var out []emission
	v.mu.Lock()
	st := v.state(id, &out)
	first := !st.onSpan
	st.onSpan = true
	v.mu.Unlock()
	for _, e := range out {
		v.emit(e.ctx, e.rec)
	}
	return first
}

// state returns what is remembered of id, making it if need be. Making it
// may forget the oldest id remembered; a record held for that one is added
// to out, to be emitted now rather than lost. v.mu is held.
func (v *revisions) state(id string, out *[]emission) *idState {
	if st, ok := v.ids[id]; ok {
		return st
	}
	if v.ring == nil {
		v.ring = make([]string, v.size)
	}
	if old := v.ring[v.next]; old != "" {
		if st := v.ids[old]; st != nil && st.held != nil {
			st.held.timer.Stop()
			*out = append(*out, emission{st.held.ctx, st.held.rec})
		}
		delete(v.ids, old)
	}
	v.ring[v.next] = id
	v.next = (v.next + 1) % len(v.ring)
	st := &idState{}
	v.ids[id] = st
	return st
}

// expire emits h, the record held for id, when the delay ended before its
// final revision arrived.
func (v *revisions) expire(id string, h *heldRecord) {
	v.mu.Lock()
	st := v.ids[id]
	if st == nil || st.held != h {
		v.mu.Unlock()
		return // replaced by the final revision, flushed or forgotten
	}
	st.held = nil
	st.emitted = true
	ctx, rec := h.ctx, h.rec
	v.mu.Unlock()
	v.emit(ctx, rec)
}

// flush emits every record held, oldest first. After a flush with close
// set, pending reports are emitted at once.
func (v *revisions) flush(close bool) {
	var out []emission
	v.mu.Lock()
	if close {
		v.closed = true
	}
	for i := range v.ring {
		id := v.ring[(v.next+i)%len(v.ring)]
		if id == "" {
			continue
		}
		st := v.ids[id]
		if st == nil || st.held == nil {
			continue
		}
		st.held.timer.Stop()
		out = append(out, emission{st.held.ctx, st.held.rec})
		st.held = nil
		st.emitted = true
	}
	v.mu.Unlock()
	for _, e := range out {
		v.emit(e.ctx, e.rec)
	}
}

// heldCount returns how many records are held.
func (v *revisions) heldCount() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	n := 0
	for _, st := range v.ids {
		if st.held != nil {
			n++
		}
	}
	return n
}

// spanOnly returns a context carrying ctx's span context and nothing else,
// so that a held record keeps neither the request's values nor its
// cancellation alive.
func spanOnly(ctx context.Context) context.Context {
	return trace.ContextWithSpanContext(context.Background(), trace.SpanContextFromContext(ctx))
}
