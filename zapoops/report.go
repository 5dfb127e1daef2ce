package zapoops

import (
	"context"
	"runtime"
	"strings"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/flight"
	"github.com/oops-go/oops/internal/stack"
	"go.uber.org/zap/zapcore"
)

// pendingKey is the key of the invisible field that carries a report's
// outcome when no id or dropped field is added (Options.NoIDKey or
// Options.NoDroppedKey).
const pendingKey = "oops.pending"

// pending is what became of an entry at the report level, decided and
// published in the Core's hook before any core of the entry wrote, so that
// the field every core writes says what happened: the id of a stored
// report, or why there is none. It travels to the Core's Write in that field.
type pending struct {
	core   *Core
	out    flight.Outcome
	fields []zapcore.Field // the entry's, for ReportAttrs
	top    uintptr         // the hook's frame, where the stack a report shows starts (see ReportStack)
	site   uintptr         // else the call site zap found (Entry.Caller), where it starts
	stack  bool            // the report needs the log call's stack

	// fieldBuf holds the fields beforeWrite returns when they fit, so
	// that an entry at the report level costs one allocation, not two.
	fieldBuf [4]zapcore.Field
}

// ReportAttrs implements flight.Source: the fields of With and of the call.
func (p *pending) ReportAttrs() map[string]any {
	enc := newMapEncoder()
	enc.addFields(p.core.with)
	enc.addFields(p.fields)
	return enc.result()
}

// ReportStack implements flight.Source: the stack of the log call, from the
// core's hook (top) or zap's call site (site) on. It is captured only now,
// when a report is made: a storm's suppressed entries never pay for it.
// Report calls it on the log call's goroutine, below the hook, so the frames
// from there on are the log call's; when neither frame is found, the whole
// stack is given, whose leading frames (ours, zap's) stack.Format leaves out.
func (p *pending) ReportStack() []uintptr {
	if !p.stack {
		return nil
	}
	pcs := oops.Callers(1)
	for i, pc := range pcs {
		// zap's call site is a Frame.PC, the return address less one.
		if pc == p.top && p.top != 0 || p.site != 0 && (pc == p.site || pc == p.site+1) {
			return pcs[i:]
		}
	}
	return pcs
}

// isOurs reports whether f is a field a Core's hook added.
func isOurs(f *zapcore.Field) bool {
	_, ok := f.Interface.(*pending)
	return ok && (f.Type == zapcore.StringType || f.Type == zapcore.SkipType)
}

func findPending(c *Core, fields []zapcore.Field) *pending {
	for i := len(fields) - 1; i >= 0; i-- {
		if p, ok := fields[i].Interface.(*pending); ok && p.core == c {
			return p
		}
	}
	return nil
}

// beforeWrite runs before any core of an entry at the report level writes:
// it makes and publishes the report, and adds the field that says what
// became of it.
func (c *Core) beforeWrite(ent zapcore.Entry, fields []zapcore.Field) (zapcore.Entry, []zapcore.Field) {
	e, ctx, top := c.entry(&ent, fields)
	d := c.s.rec.Decide(ctx, e)
	p := c.suppressed
	if d.Verdict != flight.VerdictSuppress {
		// Only an entry that makes a report, or folds into a window,
		// needs an outcome of its own: a suppressed entry of a storm
		// shares the Core's, and is decided without one.
		p = &pending{core: c}
		p.out = c.finish(ctx, d, e, &ent, fields, top, p)
	}
	var out []zapcore.Field
	if p != c.suppressed && len(fields) < len(p.fieldBuf) {
		out = p.fieldBuf[:len(fields)]
	} else {
		out = make([]zapcore.Field, len(fields), len(fields)+1)
	}
	copy(out, fields)
	switch {
	case p.out.ID != "" && c.s.idKey != "":
		out = append(out, zapcore.Field{Key: c.s.idKey, Type: zapcore.StringType, String: p.out.ID, Interface: p})
	case p.out.ID == "" && c.s.droppedKey != "":
		out = append(out, zapcore.Field{Key: c.s.droppedKey, Type: zapcore.StringType, String: p.out.Dropped, Interface: p})
	default:
		out = append(out, zapcore.Field{Key: pendingKey, Type: zapcore.SkipType, Interface: p})
	}
	return ent, out
}

// report finds the entry's error, call site and context, and hands it to
// the Recorder, which decides, builds and publishes the report (see
// flight.Recorder.Report).
func (c *Core) report(ent zapcore.Entry, fields []zapcore.Field, p *pending) flight.Outcome {
	e, ctx, top := c.entry(&ent, fields)
	return c.finish(ctx, c.s.rec.Decide(ctx, e), e, &ent, fields, top, p)
}

// entry returns what the Recorder decides an entry by (see
// flight.Recorder.Decide): its error, call site, context and, with a
// trailing window, its kept copy; and the hook's frame, top, when the call
// site was found by walking the stack: entry's caller's frame (it is not
// inlined, so that the frame is there to find).
//
//go:noinline
func (c *Core) entry(ent *zapcore.Entry, fields []zapcore.Field) (e flight.Entry, ctx context.Context, top uintptr) {
	pc := ent.Caller.PC // the call site, for the signature
	if !ent.Caller.Defined {
		// The caller's frames, from the hook's on, in a buffer that stays
		// on the stack: only the call site is needed unless a report is
		// made. stack.Fill gives what runtime.Callers would, for less.
		var buf [stack.MaxDepth]uintptr
		n := stack.Fill(1, buf[:])
		pc = userPC(buf[:n])
		if n > 0 {
			top = buf[0]
		}
	}
	ctx = lastContext(fields)
	if ctx == nil {
		ctx = c.ctx
	}
	e = flight.Entry{
		Level:  flightLevel(ent.Level),
		Name:   ent.Level.CapitalString(),
		Msg:    ent.Message,
		Time:   ent.Time,
		Err:    pickError(c.with, fields),
		PC:     pc,
		TBText: ent.Stack,
		Logger: ent.LoggerName,
	}
	if c.s.rec.Options().Window {
		// The entry may fold into a window, rendered later.
		e.Record = c.newKept(*ent, fields)
	}
	return e, ctx, top
}

// finish completes d, the Recorder's decision for e, with p as the source
// of the report's attributes and stack (see flight.Recorder.ReportDecision).
func (c *Core) finish(ctx context.Context, d flight.Decision, e flight.Entry, ent *zapcore.Entry, fields []zapcore.Field, top uintptr, p *pending) flight.Outcome {
	// Whether the error carries a stack of its own is left to the Recorder,
	// which asks ReportStack only when it does not.
	p.fields = fields
	if ent.Stack == "" {
		p.stack, p.top = true, top
		if top == 0 {
			p.site = e.PC
		}
	}
	e.Source = p
	return c.s.rec.ReportDecision(ctx, c.s.cfg, d, e, c.s.keys)
}

// pickError returns the error of the first error field with key "err" or
// "error", else of the first error field (zap.Errors counts, joined), else
// nil. Fields of the call come after those of With.
func pickError(with, fields []zapcore.Field) error {
	var first error
	for _, fs := range [2][]zapcore.Field{with, fields} {
		for i := range fs {
			err := fieldError(&fs[i])
			if err == nil {
				continue
			}
			if fs[i].Key == "err" || fs[i].Key == "error" {
				return err
			}
			if first == nil {
				first = err
			}
		}
	}
	return first
}

func fieldError(f *zapcore.Field) error {
	switch f.Type {
	case zapcore.ErrorType:
		err, _ := f.Interface.(error)
		return err
	case zapcore.ArrayMarshalerType:
		errs, ok := errorSlice(f.Interface)
		if !ok {
			return nil
		}
		var nonNil []error
		for _, e := range errs {
			if e != nil {
				nonNil = append(nonNil, e)
			}
		}
		if len(nonNil) > 0 {
			return joinErrors(nonNil)
		}
	}
	return nil
}

// userPC returns the program counter of the first frame of pcs outside zap,
// this module's library packages and the runtime: the log call site. It
// depends on the whole of pcs only, so it is cached by it: a call site that
// reports again and again resolves its frames once.
func userPC(pcs []uintptr) uintptr {
	if len(pcs) == 0 {
		return 0
	}
	return userPCs.Get(pcs, findUserPC)
}

var userPCs stack.Cache[uintptr]

func findUserPC(pcs []uintptr) uintptr {
	frames := runtime.CallersFrames(pcs)
	for i := 0; ; i++ {
		f, more := frames.Next()
		if !libraryFunc(f.Function) {
			if i < len(pcs) {
				return f.PC + 1 // a return address, as runtime.Callers gives
			}
			return 0
		}
		if !more {
			return 0
		}
	}
}

func libraryFunc(fn string) bool {
	if i := strings.IndexByte(fn, '['); i >= 0 {
		fn = fn[:i] // type arguments hold slashes of their own
	}
	pkg := fn
	if slash := strings.LastIndexByte(fn, '/'); slash >= 0 {
		if dot := strings.IndexByte(fn[slash+1:], '.'); dot >= 0 {
			pkg = fn[:slash+1+dot]
		}
	} else if dot := strings.IndexByte(fn, '.'); dot >= 0 {
		pkg = fn[:dot]
	}
	switch {
	case pkg == "runtime", strings.HasPrefix(pkg, "go.uber.org/zap"):
		return true
	case pkg == "github.com/oops-go/oops" || strings.HasPrefix(pkg, "github.com/oops-go/oops/"):
		return !strings.HasSuffix(pkg, "_test") && !strings.Contains(pkg, "/examples/")
	}
	return false
}
