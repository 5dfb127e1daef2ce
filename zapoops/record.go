package zapoops

import (
	"log/slog"
	"math"
	"strconv"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/flight"
	"github.com/oops-go/oops/internal/detail"
	"github.com/oops-go/oops/internal/release"
	"github.com/oops-go/oops/internal/slab"
	"go.uber.org/zap/zapcore"
)

// inlineFields is how many call fields a kept entry holds without
// allocating.
const inlineFields = 5

// kept is an entry the flight recorder keeps: a copy of the entry and of its
// fields, not encoded. It implements flight.Record and renders only when a
// report reads it. It is laid out small because its size is what keeping
// costs in memory and collection when it is not reused (see Release): a
// request's kept entries are garbage once its timeline is, so every byte of
// them is allocated, zeroed and collected once per entry. That is why its
// first fields are held as slots of 24 bytes rather than zapcore.Fields of
// 64 (see slot): a kept entry is 192 bytes, not 384.
type kept struct {
	inline [inlineFields]slot
	ext    *keptExt // the fields past the inline ones and the detail, if any; see loadExt
	core   *Core    // for the fields given to With (never changed)
	nanos  int64    // the entry's time, Unix nanoseconds; 0 for none
	name   string   // the logger's name
	msg    string
	keyLen [inlineFields]uint8             // of the inline slots' keys
	types  [inlineFields]zapcore.FieldType // of the inline slots
	level  zapcore.Level
	n      uint8 // fields in inline
}

// A slot holds an inline field whose value is a number (zapcore.Field's
// Integer: every integer, float, bool and duration type), a string, or a
// time with its location (zapcore.TimeType), which is what the usual zap
// fields are, and whose key is at most maxSlotKey bytes long. It is the
// zapcore.Field less what such a field leaves empty, its key's length and
// its type kept beside the slots in a byte each: 24 bytes, two of them
// pointers, where the field is 64 bytes with three pointers (each a write
// barrier while the collector marks).
type slot struct {
	key unsafe.Pointer // the key's bytes
	ptr unsafe.Pointer // a string's bytes, a time's *time.Location, or nil
	num int64          // the field's Integer, or a string's length
}

// maxSlotKey is the longest key a slot holds.
const maxSlotKey = math.MaxUint8

// field returns the i'th inline field as the zapcore.Field it was.
func (k *kept) field(i int) zapcore.Field {
	s := &k.inline[i]
	f := zapcore.Field{Key: unsafe.String((*byte)(s.key), int(k.keyLen[i])), Type: k.types[i]}
	switch f.Type {
	case zapcore.StringType:
		f.String = unsafe.String((*byte)(s.ptr), int(s.num))
	case zapcore.TimeType:
		f.Integer = s.num
		if s.ptr != nil {
			f.Interface = (*time.Location)(s.ptr)
		}
	default:
		f.Integer = s.num
	}
	return f
}

// inlineFields returns the inline fields, as zapcore.Fields in buf.
func (k *kept) inlineFields(buf *[inlineFields]zapcore.Field) []zapcore.Field {
	for i := range int(k.n) {
		buf[i] = k.field(i)
	}
	return buf[:k.n]
}

// keptExt is what a kept entry holds out of line: the fields past the
// inline ones, and its timeline detail once rendered (every report of a
// request reads the timeline again). It never changes once the entry is
// kept: String swaps in a new one that has the detail.
type keptExt struct {
	more     []zapcore.Field
	detail   string
	rendered bool
}

// newKeptExt returns a keptExt with room for n fields: a few are in the same
// allocation, so that an entry with a field or two past its slots (a sixth
// field, say) costs one allocation more, not two.
func newKeptExt(n int) *keptExt {
	if n <= extFields {
		e := new(keptExtFields)
		e.ext.more = e.fields[:0]
		return &e.ext
	}
	return &keptExt{more: make([]zapcore.Field, 0, n)}
}

// extFields is how many fields newKeptExt puts in the keptExt's allocation.
const extFields = 3

// keptExtFields is a keptExt with its first fields.
type keptExtFields struct {
	ext    keptExt
	fields [extFields]zapcore.Field
}

// loadExt returns k.ext. The keep path writes k.ext plainly, before the
// entry is shared (which orders that write before any read), and so does a
// reuse of k (which clears a detail left by its last use: see fill);
// String may swap it while others read it, so reads of a kept entry load it
// atomically. Both keep the keep path free of locked instructions and k
// the size it was.
func (k *kept) loadExt() *keptExt {
	return (*keptExt)(atomic.LoadPointer(k.extPointer()))
}

func (k *kept) extPointer() *unsafe.Pointer { return (*unsafe.Pointer)(unsafe.Pointer(&k.ext)) }

// more returns the fields past inlineFields.
func (k *kept) more() []zapcore.Field {
	if e := k.loadExt(); e != nil {
		return e.more
	}
	return nil
}

// Kept entries come from the slab, 63 to an allocation, or back from the
// recorder once released (see release.Releaser): reusing them keeps their
// memory warm in the cache and spares the garbage collector.
var keptPool slab.Pool[kept]

// newKept returns a kept copy of the entry and its fields.
func (c *Core) newKept(ent zapcore.Entry, fields []zapcore.Field) *kept {
	k := keptPool.Get()
	if !k.fill(c, &ent, fields, true) {
		// A kept entry shows what was logged when it was logged: the
		// fields that could still change are rendered now.
		k.fillSnapshot(c, &ent, fields)
	}
	return k
}

// fillSnapshot fills k with the fields as they read now (see
// snapshotFields), for an entry with a mutable field. The rendered fields
// go to a buffer on the stack: only the copies of the mutable values (and
// k.ext, for those that fit no slot) are allocated.
func (k *kept) fillSnapshot(c *Core, ent *zapcore.Entry, fields []zapcore.Field) {
	var buf [2 * inlineFields]zapcore.Field
	k.fill(c, ent, snapshotFields(buf[:0], fields, false), false)
}

// fill sets every field of k (which may be a reused entry: see Release) to
// the entry and its fields, but for those that write nothing (the Context
// field, zap.Skip). With check, it reports false when a field is mutable,
// k then holding only part of the fields: the caller must render them
// first (see snapshotFields) and fill k again. The keep path (Core.Write) calls it
// itself, not through newKept, which takes the Entry, some 140 bytes, by
// value.
//
// The leading fields that fit a slot (see slot) go inline, up to
// inlineFields; the first that does not, and every field after it, go to
// k.ext, in order.
func (k *kept) fill(c *Core, ent *zapcore.Entry, fields []zapcore.Field, check bool) bool {
	k.core, k.name, k.msg, k.level, k.nanos = c, ent.LoggerName, ent.Message, ent.Level, 0
	if !ent.Time.IsZero() {
		k.nanos = ent.Time.UnixNano()
	}
	if k.ext != nil {
		k.ext = nil // plainly: see loadExt
	}
	used := uint(k.n) // inline slots the last use of k may have left something in
	// The usual entry, a few scalars and perhaps a Context field, takes
	// this loop, which calls nothing; the first other field ends it, and
	// it and the rest go to setFieldsFrom. The type is looked up in
	// slotKinds: one load where a switch over the types costs a compare
	// and branch each.
	var n uint // unsigned, so that n < len(k.inline) proves k.inline[n] in bounds
	i := 0
	for ; i < len(fields); i++ {
		f := &fields[i]
		t := f.Type
		kind := slotKinds[t]
		if kind == slotSkip {
			continue
		}
		if n >= uint(len(k.inline)) || uint(len(f.Key)) > maxSlotKey {
			break
		}
		var ptr unsafe.Pointer
		num := f.Integer
		if kind == slotString && f.Interface == nil {
			// (One with an Interface is a Core's id field: see isOurs.)
			ptr, num = unsafe.Pointer(unsafe.StringData(f.String)), int64(len(f.String))
		} else if kind != slotInteger {
			loc, isLoc := f.Interface.(*time.Location)
			if kind != slotTime || !isLoc && f.Interface != nil {
				break
			}
			ptr = unsafe.Pointer(loc)
		}
		k.inline[n] = slot{key: unsafe.Pointer(unsafe.StringData(f.Key)), ptr: ptr, num: num}
		k.keyLen[n], k.types[n] = uint8(len(f.Key)), t
		n++
	}
	ok := true
	if i < len(fields) {
		ok = k.setFieldsFrom(fields[i:], check)
	}
	if n < used {
		// Let go of what the last use of k left past n.
		clear(k.inline[n:used])
	}
	k.n = uint8(n)
	return ok
}

// What fill does with a field, by type (see slotKinds).
const (
	slotOther   = iota // fits no slot
	slotInteger        // its value is Integer alone
	slotString
	slotTime
	slotSkip // writes nothing
)

// slotKinds gives the slot kind of every field type.
var slotKinds = [256]uint8{
	zapcore.Int64Type: slotInteger, zapcore.BoolType: slotInteger, zapcore.Float64Type: slotInteger,
	zapcore.Int32Type: slotInteger, zapcore.Uint64Type: slotInteger, zapcore.DurationType: slotInteger,
	zapcore.Int16Type: slotInteger, zapcore.Int8Type: slotInteger, zapcore.Uint32Type: slotInteger,
	zapcore.Uint16Type: slotInteger, zapcore.Uint8Type: slotInteger, zapcore.UintptrType: slotInteger,
	zapcore.Float32Type: slotInteger,
	zapcore.StringType:  slotString,
	zapcore.TimeType:    slotTime,
	zapcore.SkipType:    slotSkip,
}

// setFieldsFrom keeps fields in k.ext, in order, but for those that write
// nothing. With check, it reports false, having kept nothing, when a field
// is mutable.
func (k *kept) setFieldsFrom(fields []zapcore.Field, check bool) bool {
	if check {
		// Look first: room taken for the fields before a mutable one
		// would be taken again once the fields are rendered.
		for i := range fields {
			if mutable(&fields[i], false) {
				return false
			}
		}
	}
	for i := range fields {
		f := &fields[i]
		if f.Type == zapcore.SkipType {
			continue
		}
		if k.ext == nil {
			k.ext = newKeptExt(len(fields) - i)
		}
		k.ext.more = append(k.ext.more, *f)
	}
	return true
}

// Release implements release.Releaser: the recorder is done with k. k goes
// back as it is, to be overwritten by fill: clearing it here would write
// its memory twice per record. What it still points to is held only until
// k is reused or the free list is emptied by a collection.
func (k *kept) Release() { keptPool.Put(k) }

// LogRecord implements flight.Record.
func (k *kept) LogRecord() oops.LogRecord {
	enc := newMapEncoder()
	enc.addFields(k.core.with)
	var buf [inlineFields]zapcore.Field
	enc.addFields(k.inlineFields(&buf))
	enc.addFields(k.more())
	attrs := enc.result()
	if k.name != "" {
		if _, taken := attrs["logger"]; !taken {
			attrs["logger"] = text(k.name)
		}
	}
	var t time.Time
	if k.nanos != 0 {
		t = time.Unix(0, k.nanos).UTC()
	}
	return oops.LogRecord{Time: t, Level: k.level.CapitalString(), Msg: text(k.msg), Attrs: attrs}
}

// String implements flight.Record: the timeline entry's detail,
// flight.Detail(flight.Render(k)), rendered once (k does not change) and
// straight to text when every field is a scalar.
func (k *kept) String() string {
	e := k.loadExt()
	if e != nil && e.rendered {
		return e.detail
	}
	s, ok := k.flatDetail()
	if !ok {
		s = flight.Detail(flight.Render(k))
	}
	r := &keptExt{detail: s, rendered: true}
	if e != nil {
		r.more = e.more
	}
	// A String that raced this one may have swapped first: it rendered
	// the same text.
	atomic.CompareAndSwapPointer(k.extPointer(), unsafe.Pointer(e), unsafe.Pointer(r))
	return s
}

// maxFlatFields bounds the fields flatDetail renders: past it the map
// encoder's budget (maxValues) may come into play.
const maxFlatFields = 256

// flatDetail renders k's detail without building the attributes' map, as
// flight.Detail(flight.Render(k)) would render it. It reports false for a
// field that is not a scalar (a namespace, a marshaler, a reflected value,
// ...), or when anything panics: the long way then decides.
func (k *kept) flatDetail() (s string, ok bool) {
	more := k.more()
	n := len(k.core.with) + int(k.n) + len(more)
	if n > maxFlatFields {
		return "", false
	}
	defer func() {
		if recover() != nil {
			s, ok = "", false
		}
	}()
	var buf [8]detail.Attr
	attrs := buf[:0]
	if attrs, ok = appendFlat(attrs, k.core.with); !ok {
		return "", false
	}
	var fbuf [inlineFields]zapcore.Field
	if attrs, ok = appendFlat(attrs, k.inlineFields(&fbuf)); !ok {
		return "", false
	}
	if attrs, ok = appendFlat(attrs, more); !ok {
		return "", false
	}
	if k.name != "" {
		taken := false
		for _, a := range attrs {
			if a.Key == "logger" {
				taken = true
				break
			}
		}
		if !taken {
			attrs = append(attrs, detail.String("logger", text(k.name)))
		}
	}
	return detail.Flat(text(k.msg), attrs), true
}

// appendFlat appends fields as flatDetail renders them, or reports false at
// the first it leaves to the map encoder.
func appendFlat(attrs []detail.Attr, fields []zapcore.Field) ([]detail.Attr, bool) {
	for i := range fields {
		f := &fields[i]
		k := oops.ValidUTF8(f.Key)
		var a detail.Attr
		switch f.Type {
		case zapcore.SkipType:
			continue
		case zapcore.StringType:
			if isOurs(f) {
				continue
			}
			a = detail.String(k, text(f.String))
		case zapcore.Int64Type:
			a = detail.Int(k, f.Integer)
		case zapcore.Int32Type:
			a = detail.Int(k, int64(int32(f.Integer)))
		case zapcore.Int16Type:
			a = detail.Int(k, int64(int16(f.Integer)))
		case zapcore.Int8Type:
			a = detail.Int(k, int64(int8(f.Integer)))
		case zapcore.Uint64Type, zapcore.UintptrType:
			a = detail.Uint(k, uint64(f.Integer))
		case zapcore.Uint32Type:
			a = detail.Uint(k, uint64(uint32(f.Integer)))
		case zapcore.Uint16Type:
			a = detail.Uint(k, uint64(uint16(f.Integer)))
		case zapcore.Uint8Type:
			a = detail.Uint(k, uint64(uint8(f.Integer)))
		case zapcore.BoolType:
			a = detail.String(k, strconv.FormatBool(f.Integer == 1))
		case zapcore.Float64Type:
			a = detail.Float(k, math.Float64frombits(uint64(f.Integer)))
		case zapcore.Float32Type:
			a = detail.Float(k, float64(math.Float32frombits(uint32(f.Integer))))
		case zapcore.DurationType:
			a = detail.String(k, time.Duration(f.Integer).String())
		case zapcore.TimeType:
			t := time.Unix(0, f.Integer)
			if f.Interface != nil {
				t = t.In(f.Interface.(*time.Location))
			}
			a = detail.String(k, t.String())
		case zapcore.TimeFullType:
			a = detail.String(k, f.Interface.(time.Time).String())
		case zapcore.ErrorType:
			err, _ := f.Interface.(error)
			a = detail.String(k, text(oops.ErrorText(err)))
		default:
			return attrs, false
		}
		attrs = append(attrs, a)
	}
	return attrs, true
}

// flightLevel puts zap's levels on slog's scale, as package flight counts
// them: Debug -4, Info 0, Warn 4, Error 8, and 4 more per level above.
func flightLevel(l zapcore.Level) slog.Level { return slog.Level(int(l) * 4) }

var (
	_ flight.Record    = (*kept)(nil)
	_ release.Releaser = (*kept)(nil)
)
