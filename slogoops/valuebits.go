package slogoops

import (
	"log/slog"
	"math"
	"unsafe"
)

// valueBits is how a slog.Value is laid out (see log/slog's value.go): num
// holds the number of the numeric kinds (Int64, Uint64, Float64 as its
// bits, Bool as 0 or 1, Duration in nanoseconds) and a string's length;
// any holds the Kind for the numeric kinds and the string's bytes for a
// string. Reading a Value so spares the keep path a type switch and a call
// per attribute, a good part of what copying a record into slots costs;
// valueBitsOK says whether the layout was found as described, and when it
// is not (a later Go changed it), the keep path uses slog's accessors.
type valueBits struct {
	_   [0]func()
	num uint64
	any any
}

// eface is an interface's two words.
type eface struct {
	typ, data unsafe.Pointer
}

var (
	// stringType is the dynamic type of a string Value's any.
	stringType unsafe.Pointer
	// valueBitsOK reports whether slog.Values are laid out as valueBits
	// says.
	valueBitsOK = checkValueBits()
)

func bitsOf(v *slog.Value) *valueBits { return (*valueBits)(unsafe.Pointer(v)) }

func anyWords(b *valueBits) *eface { return (*eface)(unsafe.Pointer(&b.any)) }

// checkValueBits reports whether slog.Values hold their numbers and strings
// as valueBits says, and sets stringType.
func checkValueBits() bool {
	if unsafe.Sizeof(slog.Value{}) != unsafe.Sizeof(valueBits{}) {
		return false
	}
	s := "value layout"
	sv := slog.StringValue(s)
	sb := bitsOf(&sv)
	if sb.num != uint64(len(s)) || anyWords(sb).data != unsafe.Pointer(unsafe.StringData(s)) {
		return false
	}
	if _, isKind := sb.any.(slog.Kind); isKind {
		return false
	}
	for _, c := range []struct {
		v    slog.Value
		kind slog.Kind
		num  uint64
	}{
		{slog.Int64Value(-7), slog.KindInt64, math.MaxUint64 - 6},
		{slog.Uint64Value(math.MaxUint64 - 1), slog.KindUint64, math.MaxUint64 - 1},
		{slog.Float64Value(-0.5), slog.KindFloat64, math.Float64bits(-0.5)},
		{slog.BoolValue(true), slog.KindBool, 1},
		{slog.BoolValue(false), slog.KindBool, 0},
		{slog.DurationValue(-3), slog.KindDuration, math.MaxUint64 - 2},
	} {
		b := bitsOf(&c.v)
		if kind, ok := b.any.(slog.Kind); !ok || kind != c.kind || b.num != c.num {
			return false
		}
	}
	stringType = anyWords(sb).typ
	return true
}

// putBits sets slot s to v when v is a string or a number, read from its
// bits, and returns v's kind, or reports false (the caller then asks slog).
func putBits(s *slot, v *slog.Value) (slog.Kind, bool) {
	b := bitsOf(v)
	if w := anyWords(b); w.typ == stringType {
		s.ptr, s.num = w.data, b.num
		return slog.KindString, true
	}
	if kind, ok := b.any.(slog.Kind); ok {
		switch kind {
		case slog.KindInt64, slog.KindUint64, slog.KindFloat64, slog.KindBool, slog.KindDuration:
			s.ptr, s.num = nil, b.num
			return kind, true
		}
	}
	return 0, false
}
