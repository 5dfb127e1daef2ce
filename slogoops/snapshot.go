package slogoops

import (
	"log/slog"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/flight"
)

// snapshotAttrs returns attrs as a kept record would hold them (see
// snapshotValue), for WithAttrs.
func snapshotAttrs(attrs []slog.Attr) []slog.Attr {
	out := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		out[i] = slog.Attr{Key: a.Key, Value: snapshotValue(a.Value, 0)}
	}
	return out
}

// snapshotValue returns v as a kept record holds it (see kept.set): what
// was logged, when it was logged. LogValuers are resolved, and values the
// caller could still change (slices, maps, []byte, pointers, structs,
// errors, Stringers; see flight.Immutable) rendered now. Strings, numbers,
// times and durations, the usual values, are returned as they are.
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
