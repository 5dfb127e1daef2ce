package flight

import (
	"context"
	"log/slog"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/internal/errchain"
	"github.com/oops-go/oops/internal/stack"
)

// An Entry is a log record at the report level as an integration hands it
// to Recorder.Report: what every logger has, in plain form, and its
// attributes rendered on demand.
type Entry struct {
	Level slog.Level // for the report's level name (Level.String) unless LevelName is set
	Name  string     // the level's name when the logger names it otherwise ("DPANIC"); "" means Level.String()
	Msg   string     // the message template
	Time  time.Time  // when it was logged
	Err   error      // the error the record is about, or nil
	PC    uintptr    // the log call site, for the signature; 0 when unknown
	// Source renders the record's attributes and gives the log call's
	// stack, asked only when a report is made. Nil means neither.
	Source Source
	// TBText is a traceback the logger made itself (zap's Entry.Stack),
	// used when the error carries no stack.
	TBText string
	// Logger is the logger's name: the report's topic when neither an
	// attribute, the template nor a hook gives one.
	Logger string
	// Record is the record as kept (a snapshot; see Record), for a trailing
	// window the record folds into; nil if the integration keeps none.
	Record Record
}

// A Source gives what a report needs of a record beyond the Entry, computed
// only when a report is made. An integration implements it on a value it
// allocates anyway (its kept record), so that a record that makes no report
// costs nothing for it.
type Source interface {
	// ReportAttrs renders the record's attributes for Report.Attrs, as plain
	// data (see Value); nil when there are none.
	ReportAttrs() map[string]any
	// ReportStack returns the log call's stack (see oops.Callers), used when
	// the error carries none and Entry.TBText is empty; nil when unknown.
	ReportStack() []uintptr
}

// Keys name the top-level string attributes that fill report fields; ""
// turns one off. Both integrations default them to DefaultKeys.
type Keys struct {
	Topic, Username, URL, Resource string
}

// DefaultKeys are the attribute names slogoops and zapoops use unless told
// otherwise.
var DefaultKeys = Keys{Topic: "topic", Username: "username", URL: "url", Resource: "resource"}

// An Outcome says what became of an Entry: the id its log line quotes, or
// why there is none.
type Outcome struct {
	Verdict Verdict
	// ID is the id to quote: a stored report's (VerdictReport), or the open
	// window's (VerdictFold). Empty when nothing was stored.
	ID string
	// Dropped says why ID is empty: one of the Drop constants
	// (DropSuppressed for VerdictSuppress). Empty when ID is set.
	Dropped string
	// Err is the publisher's error, if any. It is counted and summarized by
	// the Recorder (Options.OnDrops); a log call does not return it.
	Err error
}

// Report is the one place where slogoops and zapoops turn a record at the
// report level into a report: it asks TriggerContext, and for a Report
// verdict it creates the report with cfg (under the id decided by the
// trigger, so that hooks see the id the report is stored under), fills it
// from e and publishes it with Publish.
//
// The report holds, besides what the Config's hooks attach: level, msg,
// type and value (from e.Err, else the level name and the message), tb_text
// (the stack e.Err carries, else e.TBText, else e.Stack), the attributes
// (merged into the template's; an attribute wins over a template entry of the
// same key), signature, suppressed and the process log (Records).
//
// Fields named by keys follow one precedence rule: a string attribute named
// by keys wins over the template and the hooks (it is the most specific thing
// known), which win over e.Logger (for the topic). The attribute stays in
// attrs. keys.Resource fills Report.Resource, overriding oops.WithResource.
//
// A report that was not stored gives an Outcome with no ID and the reason in
// Dropped; failures are counted, never returned to the log call (see
// Options.OnDrops).
func (r *Recorder) Report(ctx context.Context, cfg *oops.Config, e Entry, keys Keys) Outcome {
	if ctx == nil {
		ctx = context.Background()
	}
	return r.ReportDecision(ctx, cfg, r.Decide(ctx, e), e, keys)
}

// Decide is the first half of Report: TriggerContext's Decision for e,
// under the signature of e.PC, e.Msg and e.Err, with e.Record for an open
// window to fold. It reads nothing else of e. An integration that copies a
// record only to make a report calls Decide first and copies it (into
// e.Source) only for VerdictReport: a storm's suppressed records then copy
// nothing. With a trailing window (Options.Window), e.Record must be set
// already, as a Fold verdict keeps it.
func (r *Recorder) Decide(ctx context.Context, e Entry) Decision {
	if ctx == nil {
		ctx = context.Background()
	}
	return r.TriggerContext(ctx, signature(e.PC, e.Msg, e.Err), e.Record)
}

// ReportDecision is the rest of Report, for d, the Decision Decide made for
// e: for VerdictReport it creates, fills and publishes the report; for the
// other verdicts it gives their Outcome. e must be the Entry given to
// Decide, with e.Source (and e.Record) filled in since if need be.
func (r *Recorder) ReportDecision(ctx context.Context, cfg *oops.Config, d Decision, e Entry, keys Keys) Outcome {
	if ctx == nil {
		ctx = context.Background()
	}
	switch d.Verdict {
	case VerdictFold:
		return Outcome{Verdict: VerdictFold, ID: d.ID}
	case VerdictSuppress:
		return Outcome{Verdict: VerdictSuppress, Dropped: DropSuppressed}
	}
	level := e.Name
	if level == "" {
		level = e.Level.String()
	}
	msg := Truncate(oops.ValidUTF8(e.Msg))
	errStack := len(errchain.StackOf(e.Err)) > 0
	var pcs []uintptr
	if !errStack && e.TBText == "" && e.Source != nil {
		pcs = e.Source.ReportStack()
	}
	rep := cfg.Create(ctx, oops.Event{Err: e.Err, Level: level, Msg: msg, Time: e.Time, Stack: pcs, ID: d.ID})
	rep.Value = Truncate(oops.ValidUTF8(rep.Value)) // an error's text may be huge or invalid UTF-8
	if rep.TBText == "" {
		// The hooks left it to us (no AttachError), or the stack is the
		// logger's own text.
		switch {
		case errStack:
			rep.TBText = stack.Format(errchain.StackOf(e.Err))
		case e.TBText != "":
			rep.TBText = e.TBText
		default:
			rep.TBText = stack.Format(pcs)
		}
	}
	var attrs map[string]any
	if e.Source != nil {
		attrs = e.Source.ReportAttrs()
	}
	if rep.Attrs == nil {
		rep.Attrs = attrs
	} else {
		for k, v := range attrs {
			rep.Attrs[k] = v
		}
	}
	set := func(dst *string, key string) {
		if key == "" {
			return
		}
		if s, ok := attrs[key].(string); ok && s != "" {
			*dst = s
		}
	}
	set(&rep.Topic, keys.Topic)
	set(&rep.Username, keys.Username)
	set(&rep.URL, keys.URL)
	set(&rep.Resource, keys.Resource)
	if rep.Topic == "" {
		rep.Topic = Truncate(oops.ValidUTF8(e.Logger))
	}
	id, _, err := r.Publish(ctx, cfg, d, rep)
	if id == "" {
		return Outcome{Verdict: VerdictReport, Dropped: DropReason(err), Err: err}
	}
	return Outcome{Verdict: VerdictReport, ID: id, Err: err}
}
