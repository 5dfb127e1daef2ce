package slogoops

import (
	"log/slog"
	"reflect"
	"slices"
	"unsafe"
)

// Keeping a record asks of each attribute whether its value is a scalar
// (see recordNeedsSnapshot). Through Record.Attrs and Value.Kind that is a
// closure call and a type switch per attribute, the largest part of what
// keeping a record costs; reading the record's attributes and each value's
// dynamic type in place is a few instructions. It depends on slog's
// unexported layout, so it is used only when init finds that layout, field
// by field, as recordLayout and valueLayout describe it; otherwise (a Go
// release that changed it) scalarAttrs says it cannot tell and the caller
// takes the Attrs way.

// recordLayout is slog.Record's layout: its attributes are front[:nFront],
// then back.
type recordLayout struct {
	Time    [unsafe.Sizeof(slog.Record{}.Time)]byte
	Message string
	Level   slog.Level
	PC      uintptr
	front   [5]slog.Attr
	nFront  int
	back    []slog.Attr
}

// valueLayout is slog.Value's layout: any holds a slog.Kind for the numeric
// kinds and bool, or a pointer type of slog's own for a string.
type valueLayout struct {
	_   [0]func()
	num uint64
	any any
}

var (
	// layoutOK tells whether slog's layout is the one described above.
	layoutOK = checkLayout()
	// kindType and stringType are the dynamic types of valueLayout.any
	// for a slog.Int64Value and a slog.StringValue.
	kindType   = typeWord(slog.Int64Value(0))
	stringType = typeWord(slog.StringValue("x"))
)

// typeWord returns the type word of v's internal any.
func typeWord(v slog.Value) unsafe.Pointer {
	x := (*valueLayout)(unsafe.Pointer(&v)).any
	return (*[2]unsafe.Pointer)(unsafe.Pointer(&x))[0]
}

func checkLayout() bool {
	same := func(real, mirror reflect.Type) bool {
		if real.Size() != mirror.Size() || real.NumField() != mirror.NumField() {
			return false
		}
		for i := range real.NumField() {
			a, b := real.Field(i), mirror.Field(i)
			if a.Name != b.Name || a.Offset != b.Offset || a.Type.Size() != b.Type.Size() {
				return false
			}
			if a.Name != "Time" && a.Name != "_" && a.Type != b.Type && a.Type.Kind() != b.Type.Kind() {
				return false
			}
		}
		return true
	}
	if !same(reflect.TypeFor[slog.Record](), reflect.TypeFor[recordLayout]()) ||
		!same(reflect.TypeFor[slog.Value](), reflect.TypeFor[valueLayout]()) {
		return false
	}
	// The front attributes must be where Attrs reads them, and a Kind and
	// a string must be told apart by their type words.
	var r slog.Record
	r.AddAttrs(slog.Int64("a", 1), slog.String("b", "x"))
	l := (*recordLayout)(unsafe.Pointer(&r))
	return l.nFront == 2 && l.front[0].Key == "a" && l.front[1].Key == "b" &&
		typeWord(l.front[0].Value) == kindType && typeWord(l.front[1].Value) == stringType &&
		kindType != stringType && kindType != nil && stringType != nil &&
		typeWord(slog.BoolValue(true)) == kindType && typeWord(slog.Float64Value(1)) == kindType
}

// cloneTo sets *dst to r.Clone(), copying the record once, straight into
// *dst: r.Clone() returns its copy, which is then copied into *dst.
func cloneTo(dst, r *slog.Record) {
	if !layoutOK {
		*dst = r.Clone()
		return
	}
	*dst = *r
	l := (*recordLayout)(unsafe.Pointer(dst))
	l.back = slices.Clip(l.back) // as Clone does: see slog.Record.Clone
}

// scalarAttrs reports whether every attribute of r is a scalar (see
// recordNeedsSnapshot) when it can tell cheaply: known is false when it
// cannot (slog's layout is not the expected one, or a value is of a kind it
// does not decide, such as a time), and the caller asks the long way.
func scalarAttrs(r *slog.Record) (scalar, known bool) {
	if !layoutOK {
		return false, false
	}
	l := (*recordLayout)(unsafe.Pointer(r))
	for i := range min(l.nFront, len(l.front)) {
		if t := typeWord(l.front[i].Value); t != kindType && t != stringType {
			return false, false
		}
	}
	for i := range l.back {
		if t := typeWord(l.back[i].Value); t != kindType && t != stringType {
			return false, false
		}
	}
	return true, true
}
