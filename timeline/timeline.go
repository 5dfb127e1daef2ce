package timeline

import (
	"context"
	"fmt"
	"math/bits"
	"sync"
	"time"

	"github.com/oops-go/oops/internal/stack"
)

// DefaultMaxEntries is the cap on entries of a Timeline made by New.
const DefaultMaxEntries = 1000

// Options configure a Timeline. The zero value is ready to use.
type Options struct {
	// MaxEntries caps how many entries the timeline keeps. Past it the first
	// MaxEntries/2 and the most recent ones are kept and the rest counted in
	// Dropped. Zero means DefaultMaxEntries; a negative value means no cap.
	MaxEntries int

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
	// ring of recent ones. Positions 0..inlineEntries-1 are inline, so
	// that a typical request's timeline is one allocation; later ones are
	// in chunks that double in size (see slot). Nothing is ever copied to
	// grow, and a chunk is allocated only when an entry needs it.
	inline [inlineEntries]entry
	chunks [][]entry
}

// inlineEntries is how many entries a Timeline holds without allocating
// more: enough for the statements and log records of a typical request.
const inlineEntries = 16

type entry struct {
	seq        uint64
	start, end time.Duration // offsets from Timeline.start; end < 0: unfinished
	category   string
	detail     string
	lazy       fmt.Stringer
	err        error
	pcs        []uintptr
}

// releaseDetail is the detail of an entry added by AddReleasable, whose lazy
// detail is released when the entry is dropped. A lazy detail wins over
// detail, so it is never shown; marking the entry so keeps entry small.
const releaseDetail = "\x00release"

// New returns an empty Timeline that starts now, with default options.
func New() *Timeline { return NewWithOptions(Options{}) }

// NewWithOptions returns an empty Timeline that starts now.
func NewWithOptions(opts Options) *Timeline {
	t := &Timeline{start: time.Now(), opts: opts}
	switch max := opts.MaxEntries; {
	case max == 0:
		max = DefaultMaxEntries
		fallthrough
	case max > 0:
		t.head = max / 2
		t.tail = max - t.head
		if t.tail == 0 {
			t.tail = 1
			t.head = 0
		}
	default:
		t.head, t.tail = 0, -1
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
	pos int // where the entry is stored, so that Finish finds it without a division
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
	seq, pos, rel := t.store(entry{start: now, end: -1, category: category, detail: detail, lazy: lazy, pcs: pcs})
	t.mu.Unlock()
	if rel != nil {
		rel.Release()
	}
	a := Action{t: t, seq: seq, pos: pos}
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

// A Releaser is a lazy detail whose storage its owner reuses (see
// AddReleasable).
type Releaser interface {
	fmt.Stringer
	// Release tells the owner that the timeline dropped the entry and
	// will not read the detail again. It is called once, outside the
	// timeline's lock, from the goroutine whose Start or Add dropped the
	// entry, and must be fast.
	Release()
}

// AddReleasable is AddLazy for a detail whose storage its owner wants back:
// when the cap drops the entry (see Options.MaxEntries) and no Entries call
// can still be rendering it, the timeline calls detail.Release and forgets
// it. The owner may then reuse it for another entry. A timeline that is
// simply dropped releases nothing: its details go to the garbage collector
// with it.
func (t *Timeline) AddReleasable(category string, start, end time.Time, detail Releaser) {
	if t == nil {
		return
	}
	s, e := start.Sub(t.start), end.Sub(t.start)
	if e < s {
		e = s
	}
	t.mu.Lock()
	_, _, rel := t.store(entry{start: s, end: e, category: category, detail: releaseDetail, lazy: detail})
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
	s, e := start.Sub(t.start), end.Sub(t.start)
	if e < s {
		e = s
	}
	t.mu.Lock()
	_, _, rel := t.store(entry{start: s, end: e, category: category, detail: detail, lazy: lazy, err: err})
	t.mu.Unlock()
	if rel != nil {
		rel.Release()
	}
}

// store keeps e and returns its sequence number and position, and the
// detail of the entry it dropped when that is to be released now (the caller
// calls Release once t.mu is unlocked). t.mu is held.
func (t *Timeline) store(e entry) (seq uint64, pos int, rel Releaser) {
	e.seq = t.seq
	t.seq++
	if t.tail < 0 || t.n < t.head+t.tail {
		pos = t.n
		t.n++
		*t.grow(pos) = e
		return e.seq, pos, nil
	}
	pos = t.head + t.ring
	if t.ring++; t.ring == t.tail {
		t.ring = 0
	}
	slot := t.slot(pos)
	if slot.detail == releaseDetail && slot.lazy != nil && t.readers == 0 {
		rel, _ = slot.lazy.(Releaser)
	}
	*slot = e
	t.dropped++
	return e.seq, pos, rel
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

// grow returns the slot for position pos == t.n-1, allocating its chunk when
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

// lookup returns the stored entry of a, or nil if it was dropped. t.mu is
// held.
func (t *Timeline) lookup(a Action) *entry {
	e := t.slot(a.pos)
	if e.seq != a.seq {
		return nil
	}
	return e
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
	now := time.Since(t.start)
	t.mu.Lock()
	e := t.lookup(a)
	first := e != nil && e.end < 0
	if first {
		e.end = now
		e.err = err
	}
	t.mu.Unlock()
	if o := t.opts.Observer; o != nil && (first || e == nil) {
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
	ctx = context.WithValue(ctx, ctxKey{}, t)
	if t != nil {
		if o, ok := t.opts.Observer.(ContextObserver); ok {
			o.Attached(ctx, t)
		}
	}
	return ctx
}

// FromContext returns the timeline ctx carries, or nil.
func FromContext(ctx context.Context) *Timeline {
	if ctx == nil {
		return nil
	}
	t, _ := ctx.Value(ctxKey{}).(*Timeline)
	return t
}
