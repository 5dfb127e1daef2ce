package zapoops

import (
	"encoding/base64"
	"fmt"
	"sync"
	"unsafe"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/flight"
	"go.uber.org/zap/zapcore"
)

// mutable reports whether f's value can change, or render differently, after
// the log call: marshalers, []byte, reflected values that are not
// flight.Immutable, Stringers and errors. Strings, numbers, times and
// durations are kept as they are, for free.
func mutable(f *zapcore.Field, keepErrors bool) bool {
	switch f.Type {
	case zapcore.ArrayMarshalerType, zapcore.ObjectMarshalerType, zapcore.InlineMarshalerType,
		zapcore.BinaryType, zapcore.ByteStringType, zapcore.StringerType:
		return true
	case zapcore.ErrorType:
		return !keepErrors
	case zapcore.ReflectType:
		return !flight.Immutable(f.Interface)
	}
	return false
}

// snapshotFields returns fields as they read now: each mutable field is
// rendered (as a report would render it, bounded the same way) into fields
// that hold plain values, so that a kept entry shows what was logged when it
// was logged. It returns fields itself when none is mutable, and otherwise
// appends to dst, which may be a buffer on the caller's stack. keepErrors
// leaves error fields as they are (the fields given to With, where the
// report's error is looked for).
func snapshotFields(dst, fields []zapcore.Field, keepErrors bool) []zapcore.Field {
	first := -1
	for i := range fields {
		if mutable(&fields[i], keepErrors) {
			first = i
			break
		}
	}
	if first < 0 {
		return fields
	}
	out := append(dst, fields[:first]...)
	for i := first; i < len(fields); i++ {
		f := &fields[i]
		if !mutable(f, keepErrors) {
			out = append(out, *f)
			continue
		}
		if g, ok := freeze(f); ok {
			out = append(out, g)
			continue
		}
		enc := snapshotEncoders.Get().(*mapEncoder)
		enc.addField(f)
		for k, v := range enc.result() {
			out = append(out, frozenField(k, v))
		}
		enc.reset()
		snapshotEncoders.Put(enc)
	}
	return out
}

// snapshotEncoders hold the top-level encoders of snapshotFields, which
// gather a field's values only to hand them on as frozen fields: the values
// are kept, the encoder and its map are not.
var snapshotEncoders = sync.Pool{New: func() any { return newMapEncoder() }}

// reset makes a top-level encoder from newMapEncoder as it was made, keeping
// its map's room.
func (e *mapEncoder) reset() {
	clear(e.root)
	*e = mapEncoder{root: e.root, cur: e.root, budget: e.budget}
	*e.budget = budget{left: maxValues}
}

// freeze renders a mutable field that renders to one value under its own
// key (bytes, a Stringer, an error, a reflected value) as the map encoder
// would, straight into a frozen field: such a field costs its copy, not an
// encoder and a map as well. It reports false for the others (marshalers,
// which may add keys of their own), which take the map encoder.
func freeze(f *zapcore.Field) (g zapcore.Field, ok bool) {
	key := oops.ValidUTF8(f.Key)
	what := "field"
	defer func() {
		// What mapEncoder.protect does: a panic costs this value only.
		if r := recover(); r != nil {
			g, ok = frozenString(key, fmt.Sprintf("<%s panicked: %v>", what, r)), true
		}
	}()
	switch f.Type {
	case zapcore.BinaryType:
		return frozenString(key, text(base64String(f.Interface.([]byte)))), true
	case zapcore.ByteStringType:
		return frozenString(key, text(string(f.Interface.([]byte)))), true
	case zapcore.StringerType:
		what = "String"
		return frozenString(key, text(stringerText(f.Interface))), true
	case zapcore.ErrorType:
		err, _ := f.Interface.(error)
		return frozenString(key, text(oops.ErrorText(err))), true
	case zapcore.ReflectType:
		what = "value"
		return frozenField(key, flight.Value(f.Interface)), true
	}
	return zapcore.Field{}, false
}

// base64String is base64.StdEncoding.EncodeToString(b) in one allocation,
// not two: the encoded bytes become the string, as nothing else holds
// them.
func base64String(b []byte) string {
	n := base64.StdEncoding.EncodedLen(len(b))
	if n == 0 {
		return ""
	}
	out := make([]byte, n)
	base64.StdEncoding.Encode(out, b)
	return unsafe.String(&out[0], n)
}

// frozenField holds a plain value rendered by the map encoder.
func frozenField(key string, v any) zapcore.Field {
	if s, ok := v.(string); ok {
		return frozenString(key, s)
	}
	return zapcore.Field{Key: key, Type: zapcore.ReflectType, Interface: v}
}

// frozenString is frozenField of a string, which it takes as one: a
// string made an interface value would be allocated again.
func frozenString(key, s string) zapcore.Field {
	return zapcore.Field{Key: key, Type: zapcore.StringType, String: s}
}
