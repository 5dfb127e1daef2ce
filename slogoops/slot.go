package slogoops

import (
	"log/slog"
	"math"
	"time"
	"unsafe"

	"github.com/oops-go/oops/internal/slab"
)

// inlineAttrs is how many of a record's attributes a kept record holds
// without allocating: as many as a slog.Record holds inline.
const inlineAttrs = 5

// A slot holds an inline attribute whose value is a string, a number (an
// int64, uint64, float64, bool or duration) or a time that Unix nanoseconds
// represent, which is what the usual attributes are, and whose key is at
// most maxSlotKey bytes long. It is the slog.Attr less what such a value
// leaves empty, its key's length and its kind kept beside the slots in a
// byte each: 24 bytes, where the slog.Attr is 40.
type slot struct {
	key unsafe.Pointer // the key's bytes
	ptr unsafe.Pointer // a string's bytes, a time's *time.Location (nil: the zero time), or nil
	num uint64         // the number (a float's bits), a string's length, a time's Unix nanoseconds
}

// maxSlotKey is the longest key a slot holds.
const maxSlotKey = math.MaxUint8

// keptExt is what a kept record holds out of line: the attributes past the
// inline ones (from the first that does not fit a slot on, in order), and
// the level and message when they do not fit the record (see kept). It
// never changes once the record is kept.
type keptExt struct {
	more  []slog.Attr
	msg   string
	level slog.Level
	whole bool // msg and level are the record's
	// first holds more when it fits: a record with an attribute or three
	// past its slots (an error, say) costs no allocation of its own.
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
// may be a reused record). With snapshot, the values the caller could still
// change are rendered now, as snapshotValue renders them (a kept record
// shows what was logged when it was logged); without, they are kept as they
// are, for a record rendered before the log call returns.
//
// The leading attributes that fit a slot go inline, up to inlineAttrs; the
// first that does not, and every one after it, go to k.ext, in order.
func (k *kept) set(r *slog.Record, sc *scope, snapshot bool) {
	used := k.n // inline slots that may hold something
	// Every field is written: plainly, as k is not shared yet (see
	// loadScope).
	k.t, k.pc, k.scope, k.ext = r.Time, r.PC, sc, nil
	k.msg, k.msgLen, k.level = unsafe.Pointer(unsafe.StringData(r.Message)), uint32(len(r.Message)), int8(r.Level)
	if slog.Level(k.level) != r.Level || len(r.Message) > math.MaxUint32 {
		k.ext = newKeptExt(r.NumAttrs())
		k.ext.msg, k.ext.level, k.ext.whole = r.Message, r.Level, true
		k.msg, k.msgLen = nil, 0
	}
	var n uint8
	var more bool // an attribute did not go inline: it and the rest spill
	if k.ext == nil {
		n, more = k.fill(r)
	} else {
		more = r.NumAttrs() > 0 // no slots to fill
	}
	if more {
		k.spill(r, int(n), snapshot)
	}
	if n < used {
		// Let go of what a last use of k left past n.
		clear(k.inline[n:used])
	}
	k.n = n
}

// fill puts r's leading attributes in k's inline slots, as many as fit, and
// returns how many, and whether any are left to spill. It is a function of
// its own so that the loop keeps little live across its calls of put.
func (k *kept) fill(r *slog.Record) (n uint8, more bool) {
	r.Attrs(func(a slog.Attr) bool {
		// a's fields go to put in registers: passing &a would store a
		// to memory only for put to load it back.
		if k.put(n, a.Key, a.Value) {
			n++
			return true
		}
		more = true
		return false
	})
	return n, more
}

// put sets inline slot n to the attribute key=v, or reports false when
// there is no such slot or it does not fit one.
func (k *kept) put(n uint8, key string, v slog.Value) bool {
	if n >= inlineAttrs || len(key) > maxSlotKey {
		return false
	}
	// Through slog's accessors, not by reading slog.Value's unexported
	// layout: a later Go may lay it out otherwise, and no check at start
	// can prove every value is read right.
	var ptr unsafe.Pointer
	var num uint64
	kind := v.Kind()
	switch kind {
	case slog.KindString:
		str := v.String()
		ptr, num = unsafe.Pointer(unsafe.StringData(str)), uint64(len(str))
	case slog.KindInt64:
		num = uint64(v.Int64())
	case slog.KindFloat64:
		num = math.Float64bits(v.Float64())
	case slog.KindBool:
		if v.Bool() {
			num = 1
		}
	case slog.KindDuration:
		num = uint64(v.Duration())
	case slog.KindUint64:
		num = v.Uint64()
	case slog.KindTime:
		var ok bool
		if ptr, num, ok = timeSlot(v.Time()); !ok {
			return false
		}
	default:
		return false
	}
	// The slot is written whole, once, whatever the kind: one store of
	// its pointers (and one write barrier check) rather than one a case.
	k.inline[n] = slot{key: unsafe.Pointer(unsafe.StringData(key)), ptr: ptr, num: num}
	k.keyLen[n], k.kinds[n] = uint8(len(key)), uint8(kind)
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

// timeSlot returns a slot's ptr and num for t, or reports false when t
// does not fit a slot: slog holds a time that Unix nanoseconds represent as
// its nanoseconds and location, and rebuilds it from them alike (see attr);
// the zero time has no location.
func timeSlot(t time.Time) (ptr unsafe.Pointer, num uint64, ok bool) {
	if t.IsZero() {
		return nil, 0, true
	}
	ns := t.UnixNano()
	if !time.Unix(0, ns).Equal(t) {
		return nil, 0, false
	}
	return unsafe.Pointer(t.Location()), uint64(ns), true
}

// attr returns inline attribute i as the slog.Attr it was.
func (k *kept) attr(i int) slog.Attr {
	s := &k.inline[i]
	key := unsafe.String((*byte)(s.key), int(k.keyLen[i]))
	var v slog.Value
	switch slog.Kind(k.kinds[i]) {
	case slog.KindString:
		v = slog.StringValue(unsafe.String((*byte)(s.ptr), int(s.num)))
	case slog.KindInt64:
		v = slog.Int64Value(int64(s.num))
	case slog.KindUint64:
		v = slog.Uint64Value(s.num)
	case slog.KindFloat64:
		v = slog.Float64Value(math.Float64frombits(s.num))
	case slog.KindBool:
		v = slog.BoolValue(s.num != 0)
	case slog.KindDuration:
		v = slog.DurationValue(time.Duration(s.num))
	case slog.KindTime:
		var t time.Time
		if s.ptr != nil {
			t = time.Unix(0, int64(s.num)).In((*time.Location)(s.ptr))
		}
		v = slog.TimeValue(t)
	}
	return slog.Attr{Key: key, Value: v}
}

// eachAttr calls f with k's own attributes (not its scope's), in the order
// they were logged, until f returns false.
func (k *kept) eachAttr(f func(slog.Attr) bool) {
	for i := range int(k.n) {
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
	n := int(k.n)
	if k.ext != nil {
		n += len(k.ext.more)
	}
	return n
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
