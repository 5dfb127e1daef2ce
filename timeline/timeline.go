package timeline

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oops-go/oops/internal/release"
	"github.com/oops-go/oops/internal/stack"
)

// DefaultMaxEntries is the cap on entries of a Timeline made by New.
const DefaultMaxEntries = 1000

// Options configure a Timeline. The zero value of every field means its
// default, and a nil *Options means them all.
type Options struct {
	// MaxEntries caps how many entries the timeline keeps. Past it the first
	// MaxEntries/2 and the most recent ones are kept and the rest counted in
	// Dropped. Zero (or less) means DefaultMaxEntries.
	MaxEntries int

	// NoMaxEntries turns the cap off: the timeline keeps every entry.
	NoMaxEntries bool

	// Stacks makes every action capture the stack that started it.
	Stacks bool

	// Observer, when set, is told of every action as it starts and finishes.
	Observer Observer
}

// A Timeline is the record of one unit of work. It is safe for concurrent
// use. The zero value is not usable; make one with New or NewWithOptions.
type Timeline struct {
	start time.Time
	opts  Options
	head  int // how many entries the first part keeps
	tail  int // how many the ring of recent entries keeps; <0 unbounded

	mu      sync.Mutex
	n       int    // slots in use: entries are at positions 0..n-1
	ring    int    // once full, the ring position (0..tail-1) to overwrite next
	seq     uint64 // entries ever started
	dropped int
	readers int // Entries calls rendering a copy of the entries

	// Entries live at positions: the first part at 0..head-1, then the
	// ring of recent ones. Positions 0..inlineEntries-1 are in the
	// timeline itself, so that a typical request's timeline, its context
	// and its entries are one allocation; later ones are in chunks that
	// double in size (see slot). Nothing is ever copied to grow, and a
	// chunk is allocated only when an entry needs it.
	inline [inlineEntries]entry
	chunks [][]entry

	// ctx is the context the first NewContext call returns, kept here so
	// that putting a timeline in a context costs no allocation of its own;
	// ctxUsed tells whether a NewContext call has claimed it.
	ctx     timelineCtx
	ctxUsed atomic.Bool
}

// inlineEntries is how many entries a Timeline holds in itself:
// enough for the statements and log records of a typical request.
const inlineEntries = 16

type entry struct {
	seq   uint64
	start time.Duration // offset from Timeline.start
	// end is the offset from Timeline.start at which the entry finished,
	// or openEnd(seq) while it is unfinished. Finish sets it with a
	// compare-and-swap and without the timeline's lock, so it is read and
	// written only atomically; the other fields are guarded by Timeline.mu.
	end      int64
	category string
	detail   string
	// lazy is the fmt.Stringer that renders the detail, or nil. It is
	// held as an any so that storing one (see addReleasable) converts no
	// interface: a conversion between interface types looks up its
	// method table at run time, on the hot path of keeping a log record.
	lazy any
	// x holds what few entries have, so that entries stay small: a
	// request's timeline keeps its first entries inline.
	x *extra
}

// extra is the part of an entry that only an action which failed or
// captured its stack has.
type extra struct {
	err error
	pcs []uintptr
}

// newExtra returns the extra part for err and pcs, nil when both are empty.
func newExtra(err error, pcs []uintptr) *extra {
	if err == nil && len(pcs) == 0 {
		return nil
	}
	return &extra{err: err, pcs: pcs}
}

func (x *extra) error() error {
	if x == nil {
		return nil
	}
	return x.err
}

func (x *extra) stack() []uintptr {
	if x == nil {
		return nil
	}
	return x.pcs
}

// minOffset bounds the offsets of entries from below: a finished entry's end
// is never below it, so the values below are free to mark unfinished
// entries. Offsets beyond a century before the timeline started (such as a
// zero time.Time given to Add) are clamped to it.
const minOffset = -(1 << 62)

// openEnd is the end of the unfinished entry with sequence number seq: below
// minOffset, and different for every entry, so that finishing an action
// whose slot the ring has since given to another entry changes nothing.
func openEnd(seq uint64) int64 { return math.MinInt64 + int64(seq&(1<<62-1)) }

// isOpen tells whether end marks an unfinished entry.
func isOpen(end int64) bool { return end < minOffset }

// offset returns tm's offset from the timeline's start, clamped to minOffset.
func (t *Timeline) offset(tm time.Time) time.Duration {
	return max(tm.Sub(t.start), minOffset)
}

// releaseDetail is the detail of an entry added by addReleasable, whose lazy
// detail is released when the entry is dropped. A lazy detail wins over
// detail, so it is never shown; marking the entry so keeps entry small.
const releaseDetail = "\x00release"

// New returns an empty Timeline that starts now, with default options.
func New() *Timeline { return NewWithOptions(nil) }

// NewWithOptions returns an empty Timeline that starts now, configured by
// opts; nil means the defaults.
func NewWithOptions(o *Options) *Timeline {
	var opts Options
	if o != nil {
		opts = *o
	}
	t := &Timeline{start: time.Now(), opts: opts}
	switch max := opts.MaxEntries; {
	case opts.NoMaxEntries:
		t.head, t.tail = 0, -1
	case max <= 0:
		max = DefaultMaxEntries
		fallthrough
	default:
		t.head = max / 2
		t.tail = max - t.head
		if t.tail == 0 {
			t.tail = 1
			t.head = 0
		}
	}
	return t
}

// Started returns the time the timeline began; entry offsets count from it.
func (t *Timeline) Started() time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.start
}

// An Action is one step on a timeline, returned by Start. Its zero value (and
// any Action of a nil Timeline) ignores Finish.
type Action struct {
	t   *Timeline
	seq uint64
	// e is where the entry is stored: entries never move, so Finish finds
	// it without the lock (it is the entry of seq while e.seq == seq).
	e *entry
}

// Start begins an action of the given category ("SQL-main", "http-GET") with
// its detail (the statement, the URL) and returns it; call Finish when the step
// ends.
func (t *Timeline) Start(category, detail string) Action {
	if t == nil {
		return Action{}
	}
	return t.begin(category, detail, nil, false)
}

// StartStack is Start for an action that captures the stack that started it
// even when the timeline's Options.Stacks is off, for instrumentation that
// asks for stacks itself (such as sqltimeline's Options.Stacks).
func (t *Timeline) StartStack(category, detail string) Action {
	if t == nil {
		return Action{}
	}
	return t.begin(category, detail, nil, true)
}

// StartLazy is Start with a detail rendered only if the timeline is read.
func (t *Timeline) StartLazy(category string, detail fmt.Stringer) Action {
	if t == nil {
		return Action{}
	}
	return t.begin(category, "", detail, false)
}

// begin is called only from the exported Start methods, so that the stack it
// captures starts at their caller.
func (t *Timeline) begin(category, detail string, lazy fmt.Stringer, withStack bool) Action {
	var pcs []uintptr
	if withStack || t.opts.Stacks {
		pcs = stack.Callers(2)
	}
	now := time.Since(t.start)
	t.mu.Lock()
	seq, e, rel, reused := t.reserve()
	e.set(reused, seq, now, openEnd(seq), category, detail, lazy, nil, pcs)
	t.mu.Unlock()
	if rel != nil {
		rel.Release()
	}
	a := Action{t: t, seq: seq, e: e}
	if o := t.opts.Observer; o != nil {
		o.Started(a, category, detailString(detail, lazy), t.start.Add(now))
	}
	return a
}

// Add records a step that has already happened, from start to end (such as a
// span reported by other instrumentation, or a log record with start == end).
func (t *Timeline) Add(category string, start, end time.Time, detail string) {
	if t == nil {
		return
	}
	t.add(category, start, end, detail, nil, nil)
}

// AddLazy is Add with a detail rendered only if the timeline is read.
func (t *Timeline) AddLazy(category string, start, end time.Time, detail fmt.Stringer) {
	if t == nil {
		return
	}
	t.add(category, start, end, "", detail, nil)
}

func init() { release.AddToTimeline = addReleasable }

// addReleasable is AddLazy, for a point in time, of a detail (a
// fmt.Stringer) whose storage its owner may want back (see
// release.AddToTimeline): when the cap drops the entry (see
// Options.MaxEntries) and no Entries call can still be rendering it, the
// timeline calls detail.Release, if detail is a release.Releaser, and forgets
// it. It is the hook itself, not a method behind it, so that keeping a log
// record (the flight recorder's hot path) makes one call here, and a point
// takes one offset.
func addReleasable(tl any, category string, at time.Time, detail any) {
	t, _ := tl.(*Timeline)
	if t == nil {
		return
	}
	off := t.offset(at)
	t.mu.Lock()
	var (
		seq    uint64
		e      *entry
		rel    release.Releaser
		reused bool
	)
	if n := t.n; n < inlineEntries && (t.tail < 0 || n < t.head+t.tail) {
		// reserve, for a request's first entries, written out here: it
		// is too large to inline, and this is the most common case.
		seq, e = t.seq, &t.inline[n]
		t.seq, t.n = seq+1, n+1
	} else {
		seq, e, rel, reused = t.reserve()
	}
	e.set(reused, seq, off, int64(off), category, releaseDetail, detail, nil, nil)
	t.mu.Unlock()
	if rel != nil {
		rel.Release()
	}
}

// AddErr is Add for a step that failed with err.
func (t *Timeline) AddErr(category string, start, end time.Time, detail string, err error) {
	if t == nil {
		return
	}
	t.add(category, start, end, detail, nil, err)
}

func (t *Timeline) add(category string, start, end time.Time, detail string, lazy fmt.Stringer, err error) {
	s, e := t.offset(start), t.offset(end)
	if e < s {
		e = s
	}
	t.mu.Lock()
	seq, at, rel, reused := t.reserve()
	at.set(reused, seq, s, int64(e), category, detail, lazy, err, nil)
	t.mu.Unlock()
	if rel != nil {
		rel.Release()
	}
}

// reserve returns the sequence number of a new entry and the slot to write
// it to with set, the detail of the entry the slot held when that is to be
// released now (the caller calls Release once t.mu is unlocked), and whether
// the slot held an entry before. t.mu is held.
func (t *Timeline) reserve() (seq uint64, at *entry, rel release.Releaser, reused bool) {
	seq = t.seq
	t.seq++
	if t.tail < 0 || t.n < t.head+t.tail {
		at = t.grow(t.n)
		t.n++
		return seq, at, nil, false
	}
	at = t.slot(t.head + t.ring)
	if t.ring++; t.ring == t.tail {
		t.ring = 0
	}
	if at.detail == releaseDetail && at.lazy != nil && t.readers == 0 {
		rel, _ = at.lazy.(release.Releaser)
	}
	t.dropped++
	return seq, at, rel, true
}

// set writes an entry to the slot reserve gave. Field by field, and end
// atomically when the slot held an entry before, since a Finish of that
// entry may be reading it. A slot that never held one has no such reader
// (Entries reads under t.mu, and a Finish of this entry comes after Start
// returns), so a plain store does and saves a locked instruction on the
// common path. t.mu is held.
func (e *entry) set(reused bool, seq uint64, start time.Duration, end int64, category, detail string, lazy any, err error, pcs []uintptr) {
	e.seq, e.start, e.category, e.detail, e.lazy, e.x = seq, start, category, detail, lazy, newExtra(err, pcs)
	if reused {
		atomic.StoreInt64(&e.end, end)
	} else {
		e.end = end
	}
}

// slot returns the entry at position pos < t.n. Past the inline entries,
// chunk k holds the inlineEntries<<k positions from inlineEntries<<k on
// (fewer for the last chunk of a capped timeline). t.mu is held.
func (t *Timeline) slot(pos int) *entry {
	if pos < inlineEntries {
		return &t.inline[pos]
	}
	k := bits.Len(uint(pos)) - inlineBits - 1
	return &t.chunks[k][pos-inlineEntries<<k]
}

// inlineBits is log2(inlineEntries).
const inlineBits = 4

// grow returns the slot for position pos == t.n, allocating its chunk when
// pos is the first position of one. t.mu is held.
func (t *Timeline) grow(pos int) *entry {
	if pos >= inlineEntries && pos&(pos-1) == 0 {
		size := pos // chunk k starts at inlineEntries<<k and holds as many
		if t.tail >= 0 {
			size = min(size, t.head+t.tail-pos)
		}
		t.chunks = append(t.chunks, make([]entry, size))
	}
	return t.slot(pos)
}

// Finish ends the action now. Finishing twice keeps the first end.
func (a Action) Finish() { a.FinishErr(nil) }

// FinishErr ends the action now and records err (nil for success) on it.
func (a Action) FinishErr(err error) {
	// Small enough to inline, so that finishing an Action of a nil Timeline
	// costs a comparison and no call.
	if a.t != nil {
		a.finish(err)
	}
}

func (a Action) finish(err error) {
	t := a.t
	now := max(time.Since(t.start), minOffset) // never read as unfinished
	if err == nil && t.opts.Observer == nil {
		// The common case needs no lock: the first Finish swaps the
		// entry's end in; a later one, or one of an action whose entry
		// was dropped, finds another value there and changes nothing.
		atomic.CompareAndSwapInt64(&a.e.end, openEnd(a.seq), int64(now))
		return
	}
	t.mu.Lock()
	kept := a.e.seq == a.seq
	first := kept && atomic.CompareAndSwapInt64(&a.e.end, openEnd(a.seq), int64(now))
	if first {
		if err != nil {
			a.e.x = &extra{err: err, pcs: a.e.x.stack()}
		}
	}
	t.mu.Unlock()
	if o := t.opts.Observer; o != nil && (first || !kept) {
		o.Finished(a, t.start.Add(now), err)
	}
}

// ID returns a number that tells a apart from the other actions of its
// timeline: actions are numbered from 0 in the order they were started. An
// observer can key what it keeps per action on it without holding the
// timeline.
func (a Action) ID() uint64 { return a.seq }

// Timeline returns the timeline the action belongs to (nil for the zero Action).
func (a Action) Timeline() *Timeline { return a.t }

// Dropped returns how many entries were dropped because of the cap.
func (t *Timeline) Dropped() int {
	if t == nil {
		return 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.dropped
}

// Len returns how many entries the timeline holds now.
func (t *Timeline) Len() int {
	if t == nil {
		return 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.n
}

type ctxKey struct{}

// NewContext returns a copy of ctx that carries t. When t's Observer is a
// ContextObserver, NewContext tells it of the returned context.
func NewContext(ctx context.Context, t *Timeline) context.Context {
	if t != nil && ctx != nil && t.ctxUsed.CompareAndSwap(false, true) {
		t.ctx = timelineCtx{Context: ctx, t: t}
		ctx = &t.ctx
	} else {
		ctx = context.WithValue(ctx, ctxKey{}, t)
	}
	if t != nil {
		if o, ok := t.opts.Observer.(ContextObserver); ok {
			o.Attached(ctx, t)
		}
	}
	return ctx
}

// FromContext returns the timeline ctx carries, or nil.
func FromContext(ctx context.Context) *Timeline {
	// Small enough to inline: a context NewContext made (the usual one,
	// a request's) costs a comparison and no call.
	if c, ok := ctx.(*timelineCtx); ok {
		return c.t
	}
	return valueOf(ctx)
}

// valueOf is FromContext for any other context (nil too). It is not
// inlined, so that FromContext is.
//
//go:noinline
func valueOf(ctx context.Context) *Timeline {
	if ctx == nil {
		return nil
	}
	t, _ := ctx.Value(ctxKey{}).(*Timeline)
	return t
}

// A timelineCtx is the context NewContext returns for a timeline's first
// call: what context.WithValue(parent, ctxKey{}, t) would be, stored in t
// itself so that a request's timeline and its context are one allocation.
type timelineCtx struct {
	context.Context
	t *Timeline
}

// Value returns the timeline for ctxKey and asks the parent for any other key.
func (c *timelineCtx) Value(key any) any {
	if key == (ctxKey{}) {
		return c.t
	}
	return c.Context.Value(key)
}

// String names the context as context.WithValue's contexts name themselves.
func (c *timelineCtx) String() string {
	return fmt.Sprintf("%v.WithValue(timeline.ctxKey, %p)", c.Context, c.t)
}
