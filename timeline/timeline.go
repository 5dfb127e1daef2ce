package timeline

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

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
	start    time.Time
	observer Observer // Options.Observer
	head     int      // how many entries the first part keeps
	tail     int      // how many the ring of recent entries keeps; <0 unbounded
	stacks   bool     // Options.Stacks
	// plain is true when neither Options.Stacks nor Options.Observer is
	// set: Start then takes its short path (see Timeline.open).
	plain bool
	// ncats is how many categories the table of them holds: cats, then
	// moreCats. An entry names its category by its index in the table
	// (see entry.at), so that it takes 48 bytes, not 64: a timeline sees
	// few categories ("SQL-main", "log-INFO"...), each many times.
	ncats uint8
	// lastCat is the index, 1 to inlineCats-1, of the category
	// findCategory last found or added in the inline table, or 0: the
	// category other than the first that the timeline last saw, checked
	// by category after the first, so that a request whose statements
	// and log records alternate ("SQL-main", "log-INFO") finds both
	// without a call.
	lastCat uint8
	// ctxUsed tells whether a NewContext call has claimed ctx (here
	// beside the small fields, not with ctx, so that it takes no word of
	// its own: see inlineEntries).
	ctxUsed  atomic.Bool
	cats     [inlineCats]string
	moreCats *[maxCats - inlineCats]string

	mu sync.Mutex
	// seq counts the entries ever recorded, started or added, and
	// numbers the next one. Until the cap is reached entry seq is at
	// position seq, so the positions in use are 0..seq-1 (see len), and
	// past it every entry dropped one.
	seq     uint64
	readers int // Entries calls rendering a copy of the entries
	ring    int // once full, the ring position (0..tail-1) to overwrite next
	// ringRun is, when not empty, the slots from the ring's next one to
	// the end of the storage that holds it, so that taking the next
	// slot of the ring costs no search for it (see run).
	ringRun []entry

	// Entries live at positions: the first part at 0..head-1, then the
	// ring of recent ones. Positions 0..inlineEntries-1 are in the
	// timeline itself, so that a typical request's timeline, its context
	// and its entries are one allocation; later ones are in chunks that
	// about double in size (see run). Nothing is ever copied to grow,
	// and a chunk is allocated only when an entry needs it.
	inline [inlineEntries]entry
	chunks [][]entry
	// chunkList is the storage of chunks for a timeline's first chunks,
	// so that growing the list of chunks allocates nothing before a
	// timeline has more entries than these hold.
	chunkList [listedChunks][]entry

	// last is the last storage allocated (the inline entries, then the
	// newest chunk), holding positions from lastPos on. Its slots at and
	// after position seq have never held an entry: while seq-lastPos is
	// below len(last), position seq is free to take without reserve.
	last    []entry
	lastPos uint64

	// ctx is the context the first NewContext call returns, kept here so
	// that putting a timeline in a context costs no allocation of its own.
	ctx timelineCtx
}

// inlineEntries is how many entries a Timeline holds in itself: enough
// for the statements and log records of a typical request, and as many as
// fill a Timeline to 1 KiB, a size class of the allocator, with the 8-byte
// header it adds to a block of over 512 bytes that holds pointers.
const inlineEntries = 14

// The table of a timeline's categories holds inlineCats of them in the
// Timeline itself and up to maxCats in all. An entry whose category is not
// in it (a timeline of more than maxCats categories) keeps its category in
// its extra part, as catOverflow says.
const (
	inlineCats  = 4
	maxCats     = 16
	catBits     = 5
	catMask     = 1<<catBits - 1
	catOverflow = catMask
)

// inlineCats is a power of two, so that category reads the inline table
// at lastCat without a bounds check.
var _ [0]struct{} = [inlineCats & (inlineCats - 1)]struct{}{}

// listedChunks is how many chunks a Timeline lists without allocating:
// enough for 14+15+31+63 = 123 entries.
const listedChunks = 3

// An entry is one action or step. Its sequence number is not stored: the
// Action knows it, and whether the entry is still kept follows from it (see
// Timeline.kept).
type entry struct {
	// at is the offset from Timeline.start at which the entry started,
	// shifted left by catBits, with the index of its category in the
	// timeline's table of them in the bits below (see pack).
	at int64
	// end is the offset from Timeline.start at which the entry finished,
	// or openEnd(seq) while it is unfinished. Finish sets it with a
	// compare-and-swap and without the timeline's lock, so it is read
	// only atomically, and written so once an Action may hold the entry
	// (see entry.set); the other fields are guarded by Timeline.mu.
	end    int64
	detail string
	// lazy is the fmt.Stringer that renders the detail, or nil; or, for
	// the few entries that failed, captured their stack or have a
	// category the table has no room for, their extra part, which holds
	// it (see parts). That keeps an entry to 48 bytes: a request's
	// timeline keeps its first entries inline, and chunks of them fill
	// the allocator's size classes (see run). A Stringer is
	// held as an any so that storing one (see addReleasable) converts no
	// interface: a conversion between interface types looks up its method
	// table at run time, on the hot path of keeping a log record.
	lazy any
}

// extra is the part of an entry that only an action which failed or
// captured its stack has.
type extra struct {
	err error
	pcs []uintptr
}

// lazyExtra is the extra part of an entry that has a lazy detail too.
type lazyExtra struct {
	extra
	lazy any
}

// catExtra is the extra part of an entry whose category is not in its
// timeline's table (see catOverflow).
type catExtra struct {
	lazyExtra
	category string
}

// newLazy returns what entry.lazy holds for lazy, err and pcs: lazy itself
// when err and pcs are empty.
func newLazy(lazy any, err error, pcs []uintptr) any {
	switch {
	case err == nil && len(pcs) == 0:
		return lazy
	case lazy == nil:
		return &extra{err: err, pcs: pcs}
	}
	return &lazyExtra{extra{err: err, pcs: pcs}, lazy}
}

// parts returns the entry's lazy detail and its extra part, either nil.
func (e *entry) parts() (lazy any, x *extra) {
	switch v := e.lazy.(type) {
	case *extra:
		return nil, v
	case *lazyExtra:
		return v.lazy, &v.extra
	case *catExtra:
		return v.lazy, &v.extra
	}
	return e.lazy, nil
}

// pack returns what entry.at holds for an entry that started at offset
// start, from minOffset to maxOffset, with the category at index cat of its
// timeline's table.
func pack(start time.Duration, cat int64) int64 { return int64(start)<<catBits | cat }

// start returns the offset at which the entry started.
func (e *entry) start() time.Duration { return time.Duration(e.at >> catBits) }

// category returns the index of c in t's table of categories when it is
// its first one or the one findCategory last found or added there (see
// lastCat), and -1 else, for findCategory to find or add it. A category is
// usually a string its instrumentation made once (a constant, or "SQL-" and
// a database's name), so that it is found by its address and length,
// without comparing its bytes or making a call: a request's two most common
// categories, its statements' and its log records', look no further. t.mu
// is held.
func (t *Timeline) category(c string) int64 {
	p, n := unsafe.StringData(c), len(c)
	if s := t.cats[0]; unsafe.StringData(s) == p && len(s) == n && t.ncats > 0 {
		return 0
	}
	// lastCat is 0 (and cats[0] is no match) or the index of a category
	// in the table: no need to check it against ncats.
	i := t.lastCat & (inlineCats - 1)
	if s := t.cats[i]; unsafe.StringData(s) == p && len(s) == n && i > 0 {
		return int64(i)
	}
	return -1
}

// findCategory returns the index of c in t's table of categories, adding
// it when the table has room, or catOverflow. t.mu is held.
func (t *Timeline) findCategory(c string) int64 {
	i := t.lookupCategory(c)
	if 0 < i && i < inlineCats {
		t.lastCat = uint8(i)
	}
	return i
}

// lookupCategory is findCategory but for remembering what it found.
func (t *Timeline) lookupCategory(c string) int64 {
	n := int(t.ncats)
	inline := t.cats[:min(n, inlineCats)]
	for i, s := range inline {
		if unsafe.StringData(s) == unsafe.StringData(c) && len(s) == len(c) {
			return int64(i)
		}
	}
	for i, s := range inline {
		if s == c {
			return int64(i)
		}
	}
	if n > inlineCats {
		for i, s := range t.moreCats[:n-inlineCats] {
			if s == c {
				return int64(inlineCats + i)
			}
		}
	}
	return t.addCategory(c)
}

// addCategory adds c to t's table of categories and returns its index, or
// catOverflow when the table is full. t.mu is held.
func (t *Timeline) addCategory(c string) int64 {
	n := int(t.ncats)
	switch {
	case n < inlineCats:
		t.cats[n] = c
	case n < maxCats:
		if t.moreCats == nil {
			t.moreCats = new([maxCats - inlineCats]string)
		}
		t.moreCats[n-inlineCats] = c
	default:
		return catOverflow
	}
	t.ncats++
	return int64(n)
}

// categoryOf returns the category of e, an entry of t. t.mu is held.
func (t *Timeline) categoryOf(e *entry) string {
	switch i := e.at & catMask; {
	case i < inlineCats:
		return t.cats[i]
	case i != catOverflow:
		return t.moreCats[i-inlineCats]
	}
	return e.lazy.(*catExtra).category
}

// minOffset bounds the offsets of entries from below: a finished entry's end
// is never below it, so the values below are free to mark unfinished
// entries. Offsets beyond 9 years before the timeline started (such as a
// zero time.Time given to Add) are clamped to it, and an entry's start
// beyond 9 years after it to maxOffset, so that it leaves catBits for its
// category (see pack).
const (
	minOffset = -(1 << (62 - catBits + 1))
	maxOffset = 1<<(62-catBits+1) - 1
)

// openEnd is the end of the unfinished entry with sequence number seq: below
// minOffset, and different for every entry, so that finishing an action
// whose slot the ring has since given to another entry changes nothing.
func openEnd(seq uint64) int64 { return math.MinInt64 + int64(seq&(1<<62-1)) }

// isOpen tells whether end marks an unfinished entry.
func isOpen(end int64) bool { return end < minOffset }

// offset returns tm's offset from the timeline's start, clamped.
func (t *Timeline) offset(tm time.Time) time.Duration { return clamp(tm.Sub(t.start)) }

// clamp returns the offset d clamped to minOffset and maxOffset. Even
// time.Since(t.start) can be out of them: on the fake clock of a
// testing/synctest bubble, for a timeline made outside it.
func clamp(d time.Duration) time.Duration { return min(max(d, minOffset), maxOffset) }

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
	t := &Timeline{start: time.Now(), observer: opts.Observer, stacks: opts.Stacks, plain: !opts.Stacks && opts.Observer == nil}
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
	t.chunks = t.chunkList[:0]
	t.last = t.inline[:]
	if t.tail >= 0 {
		t.last = t.inline[:min(inlineEntries, t.head+t.tail)]
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
	// it without the lock (it is the entry of seq while t.kept(seq)).
	e *entry
}

// Start begins an action of the given category ("SQL-main", "http-GET") with
// its detail (the statement, the URL) and returns it; call Finish when the step
// ends.
func (t *Timeline) Start(category, detail string) Action {
	// Small enough to inline, so that a nil Timeline costs a comparison
	// and no call.
	if t == nil {
		return Action{}
	}
	return t.open(category, detail)
}

// open is Start on a timeline. The common case, a timeline with neither
// stacks nor an observer whose next entry takes a slot no entry held before,
// is written out here: one call, and the slot's fields that are not zero
// already are the only ones written.
func (t *Timeline) open(category, detail string) Action {
	if !t.plain {
		var pcs []uintptr
		if t.stacks {
			pcs = stack.Callers(2) // here, a frame less to walk than in begin
		}
		return t.begin(category, detail, nil, pcs, false, 0)
	}
	now := clamp(time.Since(t.start))
	t.mu.Lock()
	if cat := t.category(category); cat >= 0 {
		if seq, i := t.seq, t.seq-t.lastPos; i < uint64(len(t.last)) {
			// A slot that never held an entry: its lazy detail is
			// nil, and no Finish can be reading its end (Entries
			// reads under t.mu, and the Finish of this entry comes
			// after open returns), so plain stores do.
			e := &t.last[i]
			t.seq = seq + 1
			e.at, e.end, e.detail = pack(now, cat), openEnd(seq), detail
			t.mu.Unlock()
			return Action{t: t, seq: seq, e: e}
		}
	}
	return t.openSlow(category, detail, now)
}

// openSlow is open for a category that category does not find or an entry
// that takes a slot an entry may have held: begin, without the observer it
// does not have, a call less for a timeline at its cap, whose every entry
// takes a slot in the ring. t.mu is held; openSlow unlocks it.
func (t *Timeline) openSlow(category, detail string, now time.Duration) Action {
	cat := t.findCategory(category)
	if seq, i := t.seq, t.seq-t.lastPos; i < uint64(len(t.last)) && cat != catOverflow {
		// A category's first entry in a fresh slot, as in open.
		e := &t.last[i]
		t.seq = seq + 1
		e.at, e.end, e.detail = pack(now, cat), openEnd(seq), detail
		t.mu.Unlock()
		return Action{t: t, seq: seq, e: e}
	}
	seq, e, rel, reused := t.reserve()
	var lazy any
	if cat == catOverflow {
		lazy = extraFor(cat, category, nil, nil, nil)
	}
	e.set(reused, pack(now, cat), openEnd(seq), detail, lazy)
	t.mu.Unlock()
	if rel != nil {
		rel.Release()
	}
	return Action{t: t, seq: seq, e: e}
}

// StartStack is Start for an action that captures the stack that started it
// even when the timeline's Options.Stacks is off, for instrumentation that
// asks for stacks itself (such as sqltimeline's Options.Stacks).
func (t *Timeline) StartStack(category, detail string) Action {
	if t == nil {
		return Action{}
	}
	return t.begin(category, detail, nil, nil, true, 2)
}

// StartLazy is Start with a detail rendered only if the timeline is read.
func (t *Timeline) StartLazy(category string, detail fmt.Stringer) Action {
	if t == nil {
		return Action{}
	}
	return t.begin(category, "", detail, nil, false, 2)
}

// begin is Start's general case, for a timeline that may have an observer.
// The action's stack is pcs when its caller captured it; else begin
// captures it when withStack or Options.Stacks asks, skipping skip frames
// above it so that the stack starts at the caller of the exported Start
// method.
func (t *Timeline) begin(category, detail string, lazy fmt.Stringer, pcs []uintptr, withStack bool, skip int) Action {
	if pcs == nil && (withStack || t.stacks) {
		pcs = stack.Callers(skip)
	}
	now := clamp(time.Since(t.start))
	t.mu.Lock()
	cat := t.findCategory(category)
	seq, e, rel, reused := t.reserve()
	e.set(reused, pack(now, cat), openEnd(seq), detail, extraFor(cat, category, lazy, nil, pcs))
	t.mu.Unlock()
	if rel != nil {
		rel.Release()
	}
	a := Action{t: t, seq: seq, e: e}
	if o := t.observer; o != nil {
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
	// reserve and set, for a category that category finds and a slot
	// that never held an entry (as in Timeline.open), written out here:
	// this is the most common case, and they are too large to inline.
	// Everything else is addReleasableSlow, a call of its own, so that
	// this path keeps few values live across its calls.
	if cat := t.category(category); cat >= 0 {
		if seq, i := t.seq, t.seq-t.lastPos; i < uint64(len(t.last)) {
			e := &t.last[i]
			t.seq = seq + 1
			e.at, e.end, e.detail, e.lazy = pack(off, cat), int64(off), releaseDetail, detail
			t.mu.Unlock()
			return
		}
	}
	t.addReleasableSlow(category, off, detail)
}

// addReleasableSlow is addReleasable for a category that category does not
// find or an entry that takes a slot an entry may have held. t.mu is held;
// addReleasableSlow unlocks it.
func (t *Timeline) addReleasableSlow(category string, off time.Duration, detail any) {
	cat := t.findCategory(category)
	if seq, i := t.seq, t.seq-t.lastPos; i < uint64(len(t.last)) && cat != catOverflow {
		// A category's first entry in a fresh slot, as in addReleasable.
		e := &t.last[i]
		t.seq = seq + 1
		e.at, e.end, e.detail, e.lazy = pack(off, cat), int64(off), releaseDetail, detail
		t.mu.Unlock()
		return
	}
	_, e, rel, reused := t.reserve()
	e.set(reused, pack(off, cat), int64(off), releaseDetail, extraFor(cat, category, detail, nil, nil))
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
	cat := t.findCategory(category)
	_, at, rel, reused := t.reserve()
	at.set(reused, pack(s, cat), int64(e), detail, extraFor(cat, category, lazy, err, nil))
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
	if t.tail < 0 || seq < uint64(t.head+t.tail) {
		i := seq - t.lastPos
		if i == uint64(len(t.last)) {
			t.grow(int(seq))
			i = 0
		}
		return seq, &t.last[i], nil, false
	}
	if len(t.ringRun) == 0 {
		t.ringRun = t.run(t.head + t.ring)
	}
	at, t.ringRun = &t.ringRun[0], t.ringRun[1:]
	if t.ring++; t.ring == t.tail {
		t.ring = 0 // and ringRun is empty: it ended at the cap
	}
	if at.detail == releaseDetail && at.lazy != nil && t.readers == 0 {
		lazy, _ := at.parts() // in its extra part if its category is (see catOverflow)
		rel, _ = lazy.(release.Releaser)
	}
	return seq, at, rel, true
}

// set writes an entry to the slot reserve gave: at as pack makes it, and
// lazy as extraFor does. Field by field, and end atomically when the slot
// held an entry before, since a Finish of that entry may be reading it. A
// slot that never held one has no such reader (Entries reads under t.mu,
// and a Finish of this entry comes after Start returns), so a plain store
// does and saves a locked instruction on the common path. t.mu is held.
func (e *entry) set(reused bool, at, end int64, detail string, lazy any) {
	e.at, e.detail, e.lazy = at, detail, lazy
	if reused {
		atomic.StoreInt64(&e.end, end)
	} else {
		e.end = end
	}
}

// extraFor returns what entry.lazy holds for lazy, err and pcs, and for
// category when cat, its index in the timeline's table, is catOverflow.
func extraFor(cat int64, category string, lazy any, err error, pcs []uintptr) any {
	if cat == catOverflow {
		return &catExtra{lazyExtra{extra{err: err, pcs: pcs}, lazy}, category}
	}
	return newLazy(lazy, err, pcs)
}

// len returns how many positions hold an entry. t.mu is held.
func (t *Timeline) len() int {
	if t.tail >= 0 && t.seq > uint64(t.head+t.tail) {
		return t.head + t.tail
	}
	return int(t.seq)
}

// kept tells whether the entry numbered seq is still in its slot: one of
// the first part's, or one of the tail most recent. t.mu is held.
func (t *Timeline) kept(seq uint64) bool {
	return t.tail < 0 || seq < uint64(t.head) || t.seq-seq <= uint64(t.tail)
}

// run returns the slots from position pos < t.len() to the end of the
// storage that holds it, the inline entries or a chunk, and no further
// than the cap. Past the inline entries, chunk k holds the chunkBase<<k - 1 positions from chunkStart(k) on (fewer
// for the last chunk of a capped timeline): one entry short of doubling,
// so that with the 8-byte header the Go allocator adds to a block of over
// 512 bytes that holds pointers, a chunk of 48-byte entries fills a size
// class (768 bytes, 1.5 KiB, 3 KiB...) instead of wasting up to a sixth of
// the next. t.mu is held.
func (t *Timeline) run(pos int) []entry {
	if pos < inlineEntries {
		if t.tail >= 0 {
			return t.inline[pos:min(inlineEntries, t.head+t.tail)]
		}
		return t.inline[pos:]
	}
	k := chunkOf(pos)
	return t.chunks[k][pos-chunkStart(k):]
}

// chunkBase is one more than the number of entries of the first chunk,
// and chunkBits its log2.
const (
	chunkBase = 16
	chunkBits = 4
)

// chunkOf returns the chunk that holds position pos >= inlineEntries.
func chunkOf(pos int) int {
	// Counted as if the inline entries were chunkBase of them, chunk k
	// starts at chunkBase<<k - k: at or below q, so that k is that of
	// q's top bit, or the next one.
	q := pos + chunkBase - inlineEntries
	k := bits.Len(uint(q)) - chunkBits - 1
	if q >= chunkBase<<(k+1)-(k+1) {
		k++
	}
	return k
}

// chunkStart returns the first position of chunk k: the inline entries and
// the chunks before it hold inlineEntries + (chunkBase<<k - chunkBase) - k.
func chunkStart(k int) int { return inlineEntries + chunkBase<<k - chunkBase - k }

// grow allocates the chunk that starts at position pos, the one after
// t.last, and makes it t.last. t.mu is held.
func (t *Timeline) grow(pos int) {
	size := chunkBase<<len(t.chunks) - 1 // see run
	if t.tail >= 0 {
		size = min(size, t.head+t.tail-pos)
	}
	t.last, t.lastPos = make([]entry, size), uint64(pos)
	t.chunks = append(t.chunks, t.last)
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
	if err != nil || a.t.observer != nil {
		a.finished(err)
		return
	}
	// The common case needs no lock: the first Finish swaps the entry's
	// end in; a later one, or one of an action whose entry was dropped,
	// finds another value there and changes nothing. Only the entry and
	// its open end are live across the clock read, so that little is
	// saved around the call.
	e, open := &a.e.end, openEnd(a.seq)
	now := max(time.Since(a.t.start), minOffset) // never read as unfinished
	atomic.CompareAndSwapInt64(e, open, int64(now))
}

// finished is finish for an action that failed or is observed: it takes the
// lock. It is a function of its own so that finish stays small.
func (a Action) finished(err error) {
	t := a.t
	now := max(time.Since(t.start), minOffset)
	t.mu.Lock()
	kept := t.kept(a.seq)
	first := kept && atomic.CompareAndSwapInt64(&a.e.end, openEnd(a.seq), int64(now))
	if first && err != nil {
		if lazy, x := a.e.parts(); x != nil {
			x.err = err // Entries reads it under t.mu too
		} else {
			a.e.lazy = newLazy(lazy, err, nil)
		}
	}
	t.mu.Unlock()
	if o := t.observer; o != nil && (first || !kept) {
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
	return int(t.seq) - t.len() // every entry past the cap dropped one
}

// Len returns how many entries the timeline holds now.
func (t *Timeline) Len() int {
	if t == nil {
		return 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.len()
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
		if o, ok := t.observer.(ContextObserver); ok {
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
