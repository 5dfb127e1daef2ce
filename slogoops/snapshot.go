package slogoops

import (
	"log/slog"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/flight"
)

// snapshotTo writes to *dst a copy of *r that shows what was logged when it
// was logged: LogValuers resolved, and values the caller could still change
// (slices, maps, []byte, pointers, structs, errors, Stringers; see
// flight.Immutable) rendered now. A record of strings, numbers, times and
// durations, the usual case, is only cloned. Both are pointers so that the
// record, some 300 bytes, is copied once, into *dst.
func snapshotTo(dst, r *slog.Record) {
	if !recordNeedsSnapshot(r) {
		*dst = r.Clone() // inlined: one copy of the record
		return
	}
	*dst = slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	attrs := make([]slog.Attr, 0, r.NumAttrs())
	r.Attrs(func(a slog.Attr) bool {
		attrs = append(attrs, slog.Attr{Key: a.Key, Value: snapshotValue(a.Value, 0)})
		return true
	})
	dst.AddAttrs(attrs...)
}

// recordNeedsSnapshot reports whether r holds a value snapshotTo must
// render.
func recordNeedsSnapshot(r *slog.Record) bool {
	need := false
	r.Attrs(func(a slog.Attr) bool {
		// A scalar's kind is all there is to look at: the common case
		// stays one comparison (the scalar kinds are KindBool to
		// KindUint64, the values slog itself holds).
		if k := a.Value.Kind(); k >= slog.KindBool && k <= slog.KindUint64 {
			return true
		}
		need = needsSnapshot(a.Value, 0)
		return !need
	})
	return need
}

// snapshotAttrs returns attrs as snapshotTo would keep them, for WithAttrs.
func snapshotAttrs(attrs []slog.Attr) []slog.Attr {
	out := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		out[i] = slog.Attr{Key: a.Key, Value: snapshotValue(a.Value, 0)}
	}
	return out
}

func needsSnapshot(v slog.Value, depth int) bool {
	switch v.Kind() {
	case slog.KindLogValuer:
		return true
	case slog.KindAny:
		return !flight.Immutable(v.Any())
	case slog.KindGroup:
		if depth >= maxGroupDepth {
			return true
		}
		for _, a := range v.Group() {
			if needsSnapshot(a.Value, depth+1) {
				return true
			}
		}
	}
	return false
}

func snapshotValue(v slog.Value, depth int) slog.Value {
	switch v.Kind() {
	case slog.KindLogValuer:
		// Resolve recovers from a LogValue that panics.
		return snapshotValue(v.Resolve(), depth)
	case slog.KindAny:
		x := v.Any()
		if flight.Immutable(x) {
			return v
		}
		if err, ok := x.(error); ok {
			if fe, ok := err.(*frozenError); ok {
				return slog.AnyValue(fe)
			}
			// The error stays findable (findError) with its text as it
			// read at the log call.
			return slog.AnyValue(&frozenError{err: err, text: flight.Truncate(oops.ErrorText(err))})
		}
		return slog.AnyValue(flight.Snapshot(x))
	case slog.KindGroup:
		if depth >= maxGroupDepth {
			return slog.StringValue("<too deep>")
		}
		g := v.Group()
		out := make([]slog.Attr, len(g))
		for i, a := range g {
			out[i] = slog.Attr{Key: a.Key, Value: snapshotValue(a.Value, depth+1)}
		}
		return slog.GroupValue(out...)
	}
	return v
}

// A frozenError is an error as it read when it was logged: its text then,
// and the error itself for its type chain and stack.
type frozenError struct {
	err  error
	text string
}

func (e *frozenError) Error() string { return e.text }
func (e *frozenError) Unwrap() error { return e.err }
