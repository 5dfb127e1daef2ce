package flight

import (
	"reflect"
	"time"
)

// Immutable reports whether v, an attribute value, can be kept as it is
// until a report renders it: nil, booleans, numbers, strings, time.Time and
// time.Duration (and types defined on them), which the caller cannot change
// after the log call. Anything else (a slice, a map, []byte, a pointer, a
// struct, an error, a Stringer, a LogValuer) can still change, or render
// differently, once the log call has returned.
//
// This is the rule every kept record follows (see Record): a record shows what
// was logged, when it was logged. Immutable values, the common case, are kept
// for free; the others are rendered at the log call by Snapshot, which costs
// what rendering them for a report would, bounded as Value bounds it.
func Immutable(v any) bool {
	switch v.(type) {
	case nil, string, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, uintptr,
		float32, float64, complex64, complex128, time.Duration:
		return true
	case time.Time:
		return true // its *Location is never changed in place
	}
	switch reflect.TypeOf(v).Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128, reflect.String:
		return true
	}
	return false
}

// Snapshot returns v when it is Immutable, else v rendered now as plain data
// (Value): fresh maps and slices, texts of errors and Stringers, cut where
// Value cuts. A method of v that panics gives a placeholder, as in Value.
func Snapshot(v any) any {
	if Immutable(v) {
		return v
	}
	return Value(v)
}
