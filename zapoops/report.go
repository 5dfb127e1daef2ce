package zapoops

import (
	"context"
	"errors"
	"runtime"
	"strings"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/flight"
	"github.com/oops-go/oops/internal/stack"
	"go.uber.org/zap/zapcore"
)

// pendingKey is the key of the invisible field that carries a pending
// report when no id field is added (suppressed, or Options.IDKey "-").
const pendingKey = "oops.pending"

// pending is what the Core decided about an entry at the report level, in
// its hook, before any core of the entry wrote. It travels to the Core's
// Write in the field that carries the id.
type pending struct {
	core *Core
	d    flight.Decision
	id   string
	err  error
	pcs  []uintptr // the log call's stack, when the report needs it
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
// it decides about the report and adds the field with its id.
func (c *Core) beforeWrite(ent zapcore.Entry, fields []zapcore.Field) (zapcore.Entry, []zapcore.Field) {
	p := c.prepare(ent, fields)
	out := make([]zapcore.Field, len(fields), len(fields)+1)
	copy(out, fields)
	if p.id != "" && c.s.idKey != "-" {
		out = append(out, zapcore.Field{Key: c.s.idKey, Type: zapcore.StringType, String: p.id, Interface: p})
	} else {
		out = append(out, zapcore.Field{Key: pendingKey, Type: zapcore.SkipType, Interface: p})
	}
	return ent, out
}

// prepare finds the entry's error and call site, computes its signature and
// asks the Recorder whether to report.
func (c *Core) prepare(ent zapcore.Entry, fields []zapcore.Field) *pending {
	p := &pending{core: c, err: pickError(c.with, fields)}
	needStack := ent.Stack == "" && len(oops.StackOf(p.err)) == 0
	if needStack || !ent.Caller.Defined {
		p.pcs = oops.Callers(1)
	}
	pc := ent.Caller.PC // the call site, for the signature
	if !ent.Caller.Defined {
		pc = userPC(p.pcs)
	}
	if !needStack {
		p.pcs = nil
	}
	k := c.newKept(ent, fields)
	p.d = c.s.rec.Trigger(flight.Signature(pc, ent.Message, p.err), k)
	switch p.d.Verdict {
	case flight.Report:
		p.id = p.d.ID
		if p.id == "" {
			p.id = oops.NewID()
		}
	case flight.Fold:
		p.id = p.d.ID
	}
	return p
}

// publish makes the report for an entry the Recorder said to report, and
// publishes it through the Recorder.
func (c *Core) publish(ent zapcore.Entry, fields []zapcore.Field, p *pending) error {
	enc := newMapEncoder()
	enc.ctx = c.ctx
	enc.addFields(c.with)
	enc.addFields(fields)
	ctx := enc.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	r := c.s.cfg.Create(ctx, oops.Event{
		Err:   p.err,
		Level: ent.Level.CapitalString(),
		Msg:   text(ent.Message),
		Time:  ent.Time,
		Stack: p.pcs,
	})
	r.ID = p.id
	r.Value = text(r.Value) // an error's text may be huge or invalid UTF-8
	if r.TBText == "" {
		// AttachError left it empty because the stack is zap's (pcs is nil
		// then), or the Config's hooks leave it to us.
		if pcs := oops.StackOf(p.err); len(pcs) > 0 {
			r.TBText = oops.FormatStack(pcs)
		} else if ent.Stack != "" {
			r.TBText = ent.Stack
		} else {
			r.TBText = oops.FormatStack(p.pcs)
		}
	}
	attrs := enc.result()
	if r.Attrs == nil {
		r.Attrs = attrs
	} else {
		for k, v := range attrs {
			r.Attrs[k] = v
		}
	}
	if s := stringAttr(attrs, c.s.topic); s != "" {
		r.Topic = s
	} else if r.Topic == "" {
		r.Topic = text(ent.LoggerName)
	}
	if s := stringAttr(attrs, c.s.user); s != "" {
		r.Username = s
	}
	if s := stringAttr(attrs, c.s.url); s != "" {
		r.URL = s
	}
	_, _, err := c.s.rec.Publish(ctx, c.s.cfg, p.d, r)
	if err != nil && !errors.Is(err, oops.ErrFiltered) {
		return errors.Join(errors.New("zapoops: publishing "+r.ID), err)
	}
	return nil
}

func stringAttr(attrs map[string]any, key string) string {
	if key == "-" {
		return ""
	}
	s, _ := attrs[key].(string)
	return s
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
