package slogoops

import (
	"context"
	"log/slog"

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
	// record passed to next; "" means "oops_id".
	IDKey string
	// NoIDKey adds no id attribute.
	NoIDKey bool
	// DroppedKey is the key of the attribute that says, instead of an id,
	// why a record at the report level has no stored report (a
	// flight.Drop constant: "suppressed", "filtered", "queue_full", …); ""
	// means "oops_dropped".
	DroppedKey string
	// NoDroppedKey adds no dropped attribute.
	NoDroppedKey bool
	// IDTopLevel puts the id (or dropped) attribute at the top level of the
	// record passed to next even under WithGroup, where an added attribute
	// would otherwise land in the open group. It costs rebuilding next's
	// attributes and groups for each record that made a report.
	IDTopLevel bool
	// TopicKey, UsernameKey, URLKey and ResourceKey name the top-level
	// attributes whose string values fill the report's topic, username, url
	// and resource (see flight.Recorder.Report for the precedence); ""
	// means "topic", "username", "url" and "resource".
	TopicKey, UsernameKey, URLKey, ResourceKey string
	// NoTopicKey, NoUsernameKey, NoURLKey and NoResourceKey turn one of
	// them off: no attribute fills that report field.
	NoTopicKey, NoUsernameKey, NoURLKey, NoResourceKey bool
}

// A Handler is a slog.Handler that makes reports of records at the report
// level, keeps the records below it and passes every record on to next.
// It is safe for concurrent use.
type Handler struct {
	next  slog.Handler
	root  slog.Handler // next before WithAttrs and WithGroup, for IDTopLevel
	cfg   *oops.Config
	rec   *flight.Recorder
	o     *settings // shared by the handlers WithAttrs and WithGroup derive
	scope *scope    // attributes and groups added by WithAttrs and WithGroup
}

type settings struct {
	report, record    level
	recording         bool
	idKey, droppedKey string
	idTop             bool
	keys              flight.Keys
	// fixed is set when the levels that decide a record's way are
	// constants (no slog.Leveler to ask); keepFrom is then the level from
	// which records below the report level are kept (the report level
	// itself, which no such record reaches, when recording is off).
	fixed    bool
	keepFrom slog.Level
}

// levels returns the report level and the level from which records below it
// are kept (at or above the report level when none are): a record at report
// or above makes a report, one at keep or above (and below report) is kept.
// For constant levels, the usual case, it costs no interface call.
func (s *settings) levels() (report, keep slog.Level) {
	if s.fixed {
		return s.report.fixed, s.keepFrom
	}
	return s.askLevels()
}

// askLevels is levels for a Leveler that is not a constant.
func (s *settings) askLevels() (report, keep slog.Level) {
	report = s.report.get()
	keep = report
	if s.recording {
		keep = s.record.get()
	}
	return report, keep
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
		idKey:     keyOr(opts.IDKey, "oops_id", opts.NoIDKey), droppedKey: keyOr(opts.DroppedKey, "oops_dropped", opts.NoDroppedKey),
		idTop: opts.IDTopLevel,
		keys: flight.Keys{
			Topic: keyOr(opts.TopicKey, flight.DefaultKeys.Topic, opts.NoTopicKey), Username: keyOr(opts.UsernameKey, flight.DefaultKeys.Username, opts.NoUsernameKey),
			URL: keyOr(opts.URLKey, flight.DefaultKeys.URL, opts.NoURLKey), Resource: keyOr(opts.ResourceKey, flight.DefaultKeys.Resource, opts.NoResourceKey),
		},
	}
	s.fixed = s.report.dyn == nil && (s.record.dyn == nil || !s.recording)
	s.keepFrom = s.report.fixed
	if s.recording {
		s.keepFrom = s.record.fixed
	}
	rec := opts.Recorder
	if rec == nil {
		rec = flight.Default()
	}
	return &Handler{next: next, root: next, cfg: cfg, rec: rec, o: s}
}

// keyOr returns k, or def when k is empty, or "" (no key) when off.
func keyOr(k, def string, off bool) string {
	switch {
	case off:
		return ""
	case k == "":
		return def
	}
	return k
}

// Enabled reports whether a record at level l is wanted: by next, to be
// kept by the flight recorder, or to become a report.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool {
	if report, keep := h.o.levels(); l >= min(report, keep) {
		return true
	}
	return h.next.Enabled(ctx, l)
}

// Handle keeps r or makes a report of it, as its level says, and passes it
// on to next if next is enabled for its level. It returns next's error; a
// report that could not be published is the publisher's to count (see
// oops.AsyncStats), not the log call's.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	report, keep := h.o.levels()
	if r.Level >= report {
		return h.handleReport(ctx, r)
	}
	if r.Level >= keep {
		// A snapshot of r (see keep), copied once, into the kept record,
		// here rather than in a function of its own: keeping is the
		// usual way of a record, and the call was a good part of its cost.
		k := newKept()
		k.set(&r, h.scope, true)
		h.rec.Keep(ctx, r.Level, r.Time, k)
	}
	if !h.next.Enabled(ctx, r.Level) {
		return nil
	}
	return h.next.Handle(ctx, r)
}

func (h *Handler) handleReport(ctx context.Context, r slog.Record) error {
	var k *kept
	window := h.rec.Options().Window
	e := flight.Entry{
		Level: r.Level,
		Name:  r.Level.String(),
		Msg:   r.Message,
		Time:  r.Time,
		PC:    r.PC,
	}
	var d flight.Decision
	if window {
		// The record may fold into a window, rendered later: a snapshot,
		// made before the recorder decides.
		k = h.keep(r)
		e.Err, e.Source, e.Record = k.findError(), k, k
		d = h.rec.Decide(ctx, e)
	} else {
		// Rendered now or never: the recorder decides from r itself, and
		// only a report gets a copy (a clone will do, and costs less than
		// a snapshot), so that a storm's suppressed records copy nothing.
		e.Err = recordError(&r, h.scope)
		d = h.rec.Decide(ctx, e)
		if d.Verdict == flight.VerdictReport {
			k = newKept()
			k.set(&r, h.scope, false)
			k.setTimed(&r)
			e.Source = k
		}
	}
	out := h.rec.ReportDecision(ctx, h.cfg, d, e, h.o.keys)
	if k != nil && (out.Verdict == flight.VerdictSuppress || !window) {
		// The recorder kept nothing of a suppressed record, nor of any
		// without a window (the report holds what it rendered of it, not
		// the copy): the copy is free again at once, so that a storm, or a
		// report, allocates none.
		k.Release()
	}
	if !h.next.Enabled(ctx, r.Level) {
		return nil
	}
	var a slog.Attr
	switch {
	case out.ID != "" && h.o.idKey != "":
		a = slog.String(h.o.idKey, out.ID)
	case out.ID == "" && h.o.droppedKey != "":
		a = slog.String(h.o.droppedKey, out.Dropped)
	default:
		return h.next.Handle(ctx, r)
	}
	if h.o.idTop && h.scope.hasGroup() {
		return h.topLevel(a).Handle(ctx, r)
	}
	r = r.Clone()
	r.AddAttrs(a)
	return h.next.Handle(ctx, r)
}

// keep returns a snapshot of r for a report, with h's scope, its time and
// its PC, that shares nothing the caller may change (see kept.set): the
// caller may reuse r, and change the values it logged, once Handle returns.
func (h *Handler) keep(r slog.Record) *kept {
	k := newKept()
	k.set(&r, h.scope, true)
	k.setTimed(&r)
	return k
}

// topLevel returns next as it would be with a added before h's attributes
// and groups: a at the top level of the line.
func (h *Handler) topLevel(a slog.Attr) slog.Handler {
	n := h.root.WithAttrs([]slog.Attr{a})
	for _, s := range h.scope.steps() {
		if s.group != "" {
			n = n.WithGroup(s.group)
		} else {
			n = n.WithAttrs(s.attrs)
		}
	}
	return n
}

// ReportStack implements flight.Source: the stack from k's log call site on.
func (k *kept) ReportStack() []uintptr { return callerStack(k.pc()) }

// ReportAttrs implements flight.Source.
func (k *kept) ReportAttrs() map[string]any { return k.attrs() }

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
	h2.scope = &scope{parent: h.scope, attrs: snapshotAttrs(attrs)}
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
