package slogoops

import (
	"context"
	"log/slog"
	"slices"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/flight"
)

// Options configure a Handler. The zero value (or nil) gives the defaults.
type Options struct {
	// ReportLevel is the level from which records become reports; nil means
	// slog.LevelWarn.
	ReportLevel slog.Leveler
	// RecordLevel is the level from which records below the report level are
	// kept by the flight recorder; nil means slog.LevelDebug.
	RecordLevel slog.Leveler
	// NoRecording turns the flight recorder's keeping of records off.
	// Reports still go through the recorder's rate limits and window.
	NoRecording bool
	// Recorder keeps records and runs the rate limits and the trailing
	// window; nil means flight.Default().
	Recorder *flight.Recorder

	// IDKey is the key of the attribute that carries the report's id on the
	// record passed to next; "" means "oops_id", "-" adds no attribute.
	IDKey string
	// TopicKey, UsernameKey and URLKey name the top-level attributes whose
	// string values fill the report's topic, username and url; "" means
	// "topic", "username" and "url", "-" turns one off.
	TopicKey, UsernameKey, URLKey string
}

// A Handler is a slog.Handler that makes reports of records at the report
// level, keeps the records below it and passes every record on to next.
// It is safe for concurrent use.
type Handler struct {
	next  slog.Handler
	cfg   *oops.Config
	rec   *flight.Recorder
	o     *settings // shared by the handlers WithAttrs and WithGroup derive
	scope *scope    // attributes and groups added by WithAttrs and WithGroup
}

type settings struct {
	report, record              level
	recording                   bool
	idKey, topic, username, url string
}

// level is a slog.Leveler read without an interface call when it is a
// constant slog.Level.
type level struct {
	fixed slog.Level
	dyn   slog.Leveler // nil when fixed
}

func newLevel(l slog.Leveler, def slog.Level) level {
	switch x := l.(type) {
	case nil:
		return level{fixed: def}
	case slog.Level:
		return level{fixed: x}
	}
	return level{dyn: l}
}

func (l level) get() slog.Level {
	if l.dyn != nil {
		return l.dyn.Level()
	}
	return l.fixed
}

// NewHandler returns a Handler that passes records on to next (nil: write
// them nowhere) and makes reports through cfg (nil: a zero oops.Config,
// which publishes nowhere). opts may be nil.
func NewHandler(next slog.Handler, cfg *oops.Config, opts *Options) *Handler {
	if opts == nil {
		opts = &Options{}
	}
	if cfg == nil {
		cfg = &oops.Config{}
	}
	if next == nil {
		next = slog.DiscardHandler
	}
	s := &settings{
		report:    newLevel(opts.ReportLevel, slog.LevelWarn),
		record:    newLevel(opts.RecordLevel, slog.LevelDebug),
		recording: !opts.NoRecording,
		idKey:     keyOr(opts.IDKey, "oops_id"), topic: keyOr(opts.TopicKey, "topic"),
		username: keyOr(opts.UsernameKey, "username"), url: keyOr(opts.URLKey, "url"),
	}
	rec := opts.Recorder
	if rec == nil {
		rec = flight.Default()
	}
	return &Handler{next: next, cfg: cfg, rec: rec, o: s}
}

func keyOr(k, def string) string {
	switch k {
	case "":
		return def
	case "-":
		return ""
	}
	return k
}

// Enabled reports whether a record at level l is wanted: by next, to be
// kept by the flight recorder, or to become a report.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool {
	if l >= h.o.report.get() || (h.o.recording && l >= h.o.record.get()) {
		return true
	}
	return h.next.Enabled(ctx, l)
}

// Handle keeps r or makes a report of it, as its level says, and passes it
// on to next if next is enabled for its level. It returns next's error; a
// report that could not be published is the publisher's to count (see
// oops.AsyncStats), not the log call's.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= h.o.report.get() {
		return h.handleReport(ctx, r)
	}
	if h.o.recording && r.Level >= h.o.record.get() {
		h.rec.Keep(ctx, flight.Level(r.Level), r.Time, h.keep(r))
	}
	if !h.next.Enabled(ctx, r.Level) {
		return nil
	}
	return h.next.Handle(ctx, r)
}

func (h *Handler) handleReport(ctx context.Context, r slog.Record) error {
	k := h.keep(r)
	err := k.findError()
	d := h.rec.Trigger(flight.Signature(r.PC, r.Message, err), k)
	var id string
	switch d.Verdict {
	case flight.Fold:
		id = d.ID
	case flight.Report:
		id = h.publish(ctx, d, k, err)
	}
	if !h.next.Enabled(ctx, r.Level) {
		return nil
	}
	if id != "" && h.o.idKey != "" {
		r = r.Clone()
		r.AddAttrs(slog.String(h.o.idKey, id))
	}
	return h.next.Handle(ctx, r)
}

// keep returns a copy of r, with h's scope, that shares nothing the caller
// may change: the caller may reuse r once Handle returns.
func (h *Handler) keep(r slog.Record) *kept {
	k := newKept()
	k.rec = r.Clone()
	k.scope = h.scope
	return k
}

// publish makes the report of k and publishes it; it returns its id.
func (h *Handler) publish(ctx context.Context, d flight.Decision, k *kept, err error) string {
	msg := flight.Truncate(oops.ValidUTF8(k.rec.Message))
	rep := h.cfg.Create(ctx, oops.Event{
		Err:   err,
		Level: k.rec.Level.String(),
		Msg:   msg,
		Time:  k.rec.Time,
		Stack: callerStack(k.rec.PC),
	})
	rep.Value = flight.Truncate(oops.ValidUTF8(rep.Value))
	attrs := k.attrs()
	if rep.Attrs == nil {
		rep.Attrs = attrs
	} else {
		for key, v := range attrs {
			rep.Attrs[key] = v
		}
	}
	fill := func(dst *string, key string) {
		if key == "" || *dst != "" {
			return
		}
		if s, ok := attrs[key].(string); ok {
			*dst = s
		}
	}
	fill(&rep.Topic, h.o.topic)
	fill(&rep.Username, h.o.username)
	fill(&rep.URL, h.o.url)
	// Publishing errors are the publisher's to count (oops.Async counts
	// them); the record itself still reaches next with the id.
	id, _, _ := h.rec.Publish(ctx, h.cfg, d, rep)
	return id
}

// callerStack returns the stack from the log call site (pc) on. It captures
// the whole stack once (the frames above the call site cost as much to skip
// as to capture) and finds the call site in it, however many frames lie
// above it: the usual five (publish, handleReport and Handle here,
// Logger.log and the Logger method in log/slog), or more when a handler
// wraps this one.
//
//go:noinline
func callerStack(pc uintptr) []uintptr {
	return fromCallSite(oops.Callers(1), pc)
}

// fromCallSite returns pcs from the log call site on: the frames above it are
// this package's and log/slog's, which the report leaves out anyway, and
// skipping them here saves resolving them. Without a PC (a Record made by
// hand), or when it is not found, pcs is returned whole.
func fromCallSite(pcs []uintptr, pc uintptr) []uintptr {
	if pc == 0 {
		return pcs
	}
	for i, p := range pcs {
		if p == pc {
			return pcs[i:]
		}
	}
	return pcs
}

// WithAttrs returns a Handler whose records and reports carry attrs too.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	h2 := *h
	h2.next = h.next.WithAttrs(attrs)
	h2.scope = &scope{parent: h.scope, attrs: slices.Clone(attrs)}
	return &h2
}

// WithGroup returns a Handler that puts the attributes that follow in the
// group name.
func (h *Handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	h2 := *h
	h2.next = h.next.WithGroup(name)
	h2.scope = &scope{parent: h.scope, group: name}
	return &h2
}

// Next returns the handler h passes records on to.
func (h *Handler) Next() slog.Handler { return h.next }

// Recorder returns the flight recorder h uses.
func (h *Handler) Recorder() *flight.Recorder { return h.rec }
