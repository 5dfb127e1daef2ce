package zapoops

import (
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
// was logged. It returns fields itself when none is mutable. keepErrors
// leaves error fields as they are (the fields given to With, where the
// report's error is looked for).
func snapshotFields(fields []zapcore.Field, keepErrors bool) []zapcore.Field {
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
	out := make([]zapcore.Field, first, len(fields)+2)
	copy(out, fields[:first])
	for i := first; i < len(fields); i++ {
		f := &fields[i]
		if !mutable(f, keepErrors) {
			out = append(out, *f)
			continue
		}
		enc := newMapEncoder()
		enc.addField(f)
		for k, v := range enc.result() {
			out = append(out, frozenField(k, v))
		}
	}
	return out
}

// frozenField holds a plain value rendered by the map encoder.
func frozenField(key string, v any) zapcore.Field {
	if s, ok := v.(string); ok {
		return zapcore.Field{Key: key, Type: zapcore.StringType, String: s}
	}
	return zapcore.Field{Key: key, Type: zapcore.ReflectType, Interface: v}
}
