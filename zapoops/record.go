package zapoops

import (
	"log/slog"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/flight"
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
// costs in memory and collection when it is not reused (see Release).
type kept struct {
	inline [inlineFields]zapcore.Field
	more   *[]zapcore.Field // the fields past inlineFields, if any
	core   *Core            // for the fields given to With (never changed)
	nanos  int64            // the entry's time, Unix nanoseconds; 0 for none
	name   string           // the logger's name
	msg    string
	level  zapcore.Level
	n      uint8 // fields in inline
}

// Kept entries come from the slab, 64 to an allocation, or back from the
// recorder once released (see release.Releaser): reusing them keeps their
// memory warm in the cache and spares the garbage collector.
var keptPool slab.Pool[kept]

func (c *Core) newKept(ent zapcore.Entry, fields []zapcore.Field) *kept {
	return c.keptOf(&ent, fields)
}

// keptOf is newKept for the keep path, which has the entry by pointer: an
// Entry is some 140 bytes, worth not copying at every call.
func (c *Core) keptOf(ent *zapcore.Entry, fields []zapcore.Field) *kept {
	k := keptPool.Get()
	// Every field is set: k may be a reused entry (see Release).
	k.core, k.name, k.msg, k.level, k.nanos = c, ent.LoggerName, ent.Message, ent.Level, 0
	if !ent.Time.IsZero() {
		k.nanos = ent.Time.UnixNano()
	}
	used := k.n // inline fields that may hold something
	n, ok := k.setFields(fields, true)
	if !ok {
		// A kept entry shows what was logged when it was logged: the
		// fields that could still change are rendered now.
		used = max(used, n)
		n, _ = k.setFields(snapshotFields(fields, false), false)
	}
	if n < used {
		// Let go of what a last use of k (or the first try) left past n.
		clear(k.inline[n:used])
	}
	k.n = n
	return k
}

// setFields copies fields to k, but for those that write nothing (the
// Context field, zap.Skip), and returns how many are inline. With check, it
// stops and reports false at the first mutable field, which the caller must
// render first (see snapshotFields).
func (k *kept) setFields(fields []zapcore.Field, check bool) (n uint8, ok bool) {
	k.more = nil
	for i := range fields {
		f := &fields[i]
		switch f.Type {
		case zapcore.SkipType:
			continue
		case zapcore.StringType, zapcore.Int64Type, zapcore.BoolType, zapcore.Float64Type,
			zapcore.Int32Type, zapcore.Uint64Type, zapcore.DurationType, zapcore.TimeType:
			// The usual scalars, told apart by a jump table.
		default:
			if check && mutable(f, false) {
				return n, false
			}
		}
		if n < inlineFields {
			k.inline[n] = *f
			n++
			continue
		}
		if k.more == nil {
			more := make([]zapcore.Field, 0, len(fields)-i)
			k.more = &more
		}
		*k.more = append(*k.more, *f)
	}
	return n, true
}

// Release implements release.Releaser: the recorder is done with k. k goes
// back as it is, to be overwritten by newKept: clearing it here would write
// its memory twice per record. What it still points to is held only until
// k is reused or the free list is emptied by a collection.
func (k *kept) Release() { keptPool.Put(k) }

// LogRecord implements flight.Record.
func (k *kept) LogRecord() oops.LogRecord {
	enc := newMapEncoder()
	enc.addFields(k.core.with)
	enc.addFields(k.inline[:k.n])
	if k.more != nil {
		enc.addFields(*k.more)
	}
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

// String implements flight.Record: the timeline entry's detail.
func (k *kept) String() string { return flight.Detail(flight.Render(k)) }

// keep hands the entry to the Recorder: into the Context's timeline, or the
// rings.
func (c *Core) keep(ent *zapcore.Entry, fields []zapcore.Field) {
	ctx := lastContext(fields)
	if ctx == nil {
		ctx = c.ctx
	}
	c.s.rec.Keep(ctx, flightLevel(ent.Level), ent.Time, c.keptOf(ent, fields))
}

// flightLevel puts zap's levels on slog's scale, as package flight counts
// them: Debug -4, Info 0, Warn 4, Error 8, and 4 more per level above.
func flightLevel(l zapcore.Level) slog.Level { return slog.Level(int(l) * 4) }

var (
	_ flight.Record    = (*kept)(nil)
	_ release.Releaser = (*kept)(nil)
)
