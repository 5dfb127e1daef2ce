package slogoops

import (
	"log/slog"
	"math"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/oops-go/oops/internal/slab"
)

// inlineAttrs is how many of a record's attributes a kept record holds
// without allocating: as many as a slog.Record holds inline.
const inlineAttrs = 5

// A kept record holds its leading attributes whose values are strings,
// numbers (int64, uint64, float64, bool, duration) or times, which is what
// the usual attributes are, inline: their slog.Values as they were logged
// (such a value holds nothing the caller can change later), and their keys
// in a keySet it shares with the other records of its call site. Keeping a
// value whole costs a copy of it and one Kind test, where taking it apart
// would cost a call of a slog accessor, each testing the kind again; sharing
// the keys saves a record 40 bytes and five pointer stores (each a write
// barrier's work while the garbage collector marks).

// A keySet is the keys of a record's inline attributes, in order. It never
// changes once made, and is shared by the kept records of one call site.
type keySet struct {
	pc   uintptr // the call site's, as the record's PC
	n    int
	keys [inlineAttrs]string
}

// keySets holds keySets by a hash of their call site's PC, the last one
// used there, and by a hash of their PC and keys: the records of a call site
// usually have its keys, and find them by PC at the cost of a comparison of
// the keys' addresses; a call site that logs several sets of keys (or
// records made by hand, without a PC) finds them by PC and keys. Either way
// a record takes no allocation but the first of its keys, as long as the
// keySets it uses do not share an entry with others in use.
var keySets [keySetsSize]atomic.Pointer[keySet]

const keySetsSize = 1024

// keySetIndex returns the index of pc's entry in keySets.
func keySetIndex(pc uintptr) uint64 {
	return (uint64(pc) * 0x9e3779b97f4a7c15) >> (64 - 10) // a Fibonacci hash of 10 bits
}

// keptExt is what a kept record holds out of line: the attributes past the
// inline ones (from the first that does not go inline on, in order), the
// level and message when they do not fit the record, and the time and PC of
// a record kept for a report (see kept). It never changes once the record is
// kept.
type keptExt struct {
	more  []slog.Attr
	msg   string
	level slog.Level
	whole bool // msg and level are the record's
	t     time.Time
	pc    uintptr
	timed bool // t and pc are the record's
	// first holds more when it fits: a record with an attribute or three
	// past the inline ones (an error, say) costs no allocation of its own.
	first [extAttrs]slog.Attr
}

// extAttrs is how many attributes a keptExt holds without allocating.
const extAttrs = 3

// keptExts come from a slab and go back with their record (see
// kept.Release): a record made into a report, which is released at once,
// allocates none in the end, nor does an error storm.
var extPool slab.Pool[keptExt]

// newKeptExt returns a keptExt with room for n attributes, to overwrite
// whole: it may be a reused one.
func newKeptExt(n int) *keptExt {
	e := extPool.Get()
	e.msg, e.level, e.whole = "", 0, false
	e.t, e.pc, e.timed = time.Time{}, 0, false
	switch {
	case cap(e.more) >= n:
		// Room from a last use, in first or a slice of its own.
		clear(e.more[:cap(e.more)]) // let go of what that use held
		e.more = e.more[:0]
	case n <= extAttrs:
		e.more = e.first[:0]
	default:
		e.more = make([]slog.Attr, 0, n)
	}
	return e
}

// set makes k a copy of *r with scope sc, overwriting whatever k held (it
// may be a reused record), less r's time and PC (see setTimed). With snapshot, the values the caller could still
// change are rendered now, as snapshotValue renders them (a kept record
// shows what was logged when it was logged); without, they are kept as they
// are, for a record rendered before the log call returns.
//
// The leading attributes whose values go inline (see inlineKind) do, up to
// inlineAttrs; the first that does not, and every one after it, go to k.ext,
// in order.
func (k *kept) set(r *slog.Record, sc *scope, snapshot bool) {
	// Every field is written: plainly, as k is not shared yet (see
	// loadScope).
	k.scope, k.ext = sc, nil
	k.msg, k.msgLen, k.level = unsafe.Pointer(unsafe.StringData(r.Message)), uint16(len(r.Message)), int8(r.Level)
	if slog.Level(k.level) != r.Level || len(r.Message) > math.MaxUint16 {
		k.ext = newKeptExt(r.NumAttrs())
		k.ext.msg, k.ext.level, k.ext.whole = r.Message, r.Level, true
		k.msg, k.msgLen = nil, 0
	}
	var n uint8
	var more bool // an attribute did not go inline: it and the rest spill
	if k.ext == nil {
		// The leading attributes that fit go inline, their keys
		// compared with the call site's last keySet as they go: by
		// address and length, which the same strings share.
		idx := keySetIndex(r.PC)
		ks := keySets[idx].Load()
		want := &noKeys
		found := ks != nil && ks.pc == r.PC
		if found {
			want = &ks.keys
		}
		var diff uintptr
		r.Attrs(func(a slog.Attr) bool {
			if n < inlineAttrs && inlineKind(a.Value.Kind()) {
				k.vals[n] = a.Value
				w := want[n]
				diff |= uintptr(unsafe.Pointer(unsafe.StringData(w))) ^ uintptr(unsafe.Pointer(unsafe.StringData(a.Key))) |
					uintptr(len(w)^len(a.Key))
				n++
				return true
			}
			more = true
			return false
		})
		if n == 0 {
			ks = nil
		} else if !found || diff != 0 || ks.n != int(n) {
			ks = keySetOf(r, int(n), idx, ks)
		}
		k.keys = ks
	} else {
		more = r.NumAttrs() > 0 // nothing goes inline
		k.keys = nil
	}
	if more {
		k.spill(r, int(n), snapshot)
	}
	if n < k.n {
		// Let go of what a last use of k left past n.
		clear(k.vals[n:k.n])
	}
	k.n = n
}

// noKeys is compared with the keys of a call site that has no keySet yet.
var noKeys [inlineAttrs]string

// keySetOf returns the keySet of r's first n attributes, found or made:
// last, the keySet at its PC's index idx in keySets, if it has those keys
// (equal strings, if not the same), or the one at the index of its PC and
// keys, or a new one. The keySet returned becomes the one at idx.
func keySetOf(r *slog.Record, n int, idx uint64, last *keySet) *keySet {
	var keys [inlineAttrs]string
	i := 0
	r.Attrs(func(a slog.Attr) bool {
		keys[i] = a.Key
		i++
		return i < n
	})
	if last != nil && last.has(r.PC, n, &keys) {
		return last
	}
	byKeys := keysIndex(r.PC, n, &keys, idx)
	ks := keySets[byKeys].Load()
	if ks == nil || !ks.has(r.PC, n, &keys) {
		ks = &keySet{pc: r.PC, n: n, keys: keys}
		keySets[byKeys].Store(ks)
	}
	keySets[idx].Store(ks)
	return ks
}

// keysIndex returns the index in keySets of the keySet of n keys at pc,
// never idx, pc's own: a hash of pc, n and (at most 64 bytes of) the first
// and last keys.
func keysIndex(pc uintptr, n int, keys *[inlineAttrs]string, idx uint64) uint64 {
	h := uint64(14695981039346656037) // FNV-1a
	for _, k := range [2]string{keys[0], keys[n-1]} {
		for i := 0; i < len(k) && i < 64; i++ {
			h = (h ^ uint64(k[i])) * 1099511628211
		}
		h = (h ^ uint64(len(k))) * 1099511628211
	}
	i := keySetIndex(pc ^ uintptr(h) ^ uintptr(n))
	if i == idx {
		i ^= 1
	}
	return i
}

// has reports whether ks is the keySet of n keys at pc.
func (ks *keySet) has(pc uintptr, n int, keys *[inlineAttrs]string) bool {
	return ks.pc == pc && ks.n == n && ks.keys == *keys
}

// numInline returns how many attributes k holds inline.
func (k *kept) numInline() int { return int(k.n) }

// inlineKind reports whether a value of kind k goes inline as it is: it
// holds nothing a caller may change after the log call (a string's bytes
// never change; slog holds a time as its nanoseconds and location, or as a
// copy of its own).
func inlineKind(k slog.Kind) bool {
	switch k {
	case slog.KindAny, slog.KindGroup, slog.KindLogValuer:
		return false
	}
	return true
}

// spill keeps r's attributes from the from'th on in k.ext, in order, each
// snapshotted (snapshotValue) when snapshot is set.
func (k *kept) spill(r *slog.Record, from int, snapshot bool) {
	if k.ext == nil {
		k.ext = newKeptExt(r.NumAttrs() - from)
	}
	i := 0
	r.Attrs(func(a slog.Attr) bool {
		if i++; i <= from {
			return true
		}
		if snapshot {
			a.Value = snapshotValue(a.Value, 0)
		}
		k.ext.more = append(k.ext.more, a)
		return true
	})
}

// attr returns inline attribute i as it was logged.
func (k *kept) attr(i int) slog.Attr {
	return slog.Attr{Key: k.keys.keys[i], Value: k.vals[i]}
}

// eachAttr calls f with k's own attributes (not its scope's), in the order
// they were logged, until f returns false.
func (k *kept) eachAttr(f func(slog.Attr) bool) {
	for i := range k.numInline() {
		if !f(k.attr(i)) {
			return
		}
	}
	if k.ext != nil {
		for _, a := range k.ext.more {
			if !f(a) {
				return
			}
		}
	}
}

// numAttrs returns how many attributes k holds of its own.
func (k *kept) numAttrs() int {
	n := k.numInline()
	if k.ext != nil {
		n += len(k.ext.more)
	}
	return n
}

// setTimed adds r's time and PC to k, a copy of r (see set): a record kept
// for a report holds them.
func (k *kept) setTimed(r *slog.Record) {
	if k.ext == nil {
		k.ext = newKeptExt(0)
	}
	k.ext.t, k.ext.pc, k.ext.timed = r.Time, r.PC, true
}

// time returns the record's time, as it was (monotonic reading and all), or
// the zero time when k holds none (see setTimed): the recorder knows it (see
// flight.Record.LogRecord).
func (k *kept) time() time.Time {
	if k.ext != nil && k.ext.timed {
		return k.ext.t
	}
	return time.Time{}
}

// pc returns the record's PC, or 0 when k holds none (see setTimed).
func (k *kept) pc() uintptr {
	if k.ext != nil && k.ext.timed {
		return k.ext.pc
	}
	return 0
}

// message returns the record's message.
func (k *kept) message() string {
	if k.ext != nil && k.ext.whole {
		return k.ext.msg
	}
	return unsafe.String((*byte)(k.msg), int(k.msgLen))
}

// recLevel returns the record's level.
func (k *kept) recLevel() slog.Level {
	if k.ext != nil && k.ext.whole {
		return k.ext.level
	}
	return slog.Level(k.level)
}
