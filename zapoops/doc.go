// Package zapoops turns zap entries at Warn and above into OOPS reports and
// keeps a flight recorder of the entries below them: for go.uber.org/zap what
// slogoops is for log/slog, sharing its recorder (package flight).
//
// Wrap a logger's core in one call:
//
//	logger = logger.WithOptions(zapoops.WrapCore(cfg, nil))
//
// or put a Core beside the others:
//
//	logger := zap.New(zapcore.NewTee(jsonCore, zapoops.NewCore(cfg, nil)))
//
// Every entry still reaches the wrapped (or sibling) cores as before, filtered
// by their own levels. An entry at or above the report level
// (Options.ReportLevel, Warn by default) also becomes a report through the
// oops.Config, and every core of that entry receives one more string field,
// the report's id (Options.IDKey, "oops_id"), so that the log line and the
// report point at each other. The report is made and published before any
// core writes, so the id is always that of a stored report; when no store
// took it, the field is oops_dropped (Options.DroppedKey) with the reason
// instead ("filtered", "queue_full", "suppressed", …; see flight.DropReason).
// Under an open zap.Namespace the field lands in the namespace.
//
// Reports are built by flight.Recorder.Report, the one builder slogoops
// shares: the same record gives the same report through either.
//
// # What a report holds
//
//	level, msg   the entry's level ("ERROR", "DPANIC", …) and message
//	attrs        every field, those given to With included: objects and
//	             Dict as nested maps, arrays as lists, namespaces as nested
//	             maps holding the fields after them, errors as their text,
//	             zap.Errors as a list of texts, zap.Any of anything as
//	             oops.Plain makes it; long strings and lists cut as
//	             flight.Value cuts them; a marshaler, Stringer or field type
//	             that panics gives a placeholder for its own value only
//	type, value  from the first error field (keys "err" and "error" first,
//	             then any, zap.Errors joined); without one, the level name
//	             and the message
//	tb_text      the stack the error carries (a StackTrace() method, as in
//	             github.com/pkg/errors, or Callers() []uintptr), else the
//	             entry's stack (zap.AddStacktrace), else the stack of the
//	             log call
//	topic        a string field "topic" (Options.TopicKey), else the Config
//	             template's (or a hook's) topic, else the logger's name
//	             (Logger.Named)
//	username, url, resource
//	             string fields of these names, which win over the template
//	             and the hooks (resource over oops.WithResource); they stay
//	             in attrs
//	timeline     the timeline of the Context field's ctx (the Config's
//	             AttachTimeline hook)
//	log          the entries the flight recorder kept in its rings
//	signature    oops.Signature of the call site (the entry's Caller when
//	             zap.AddCaller is on, else the first frame of the log call's
//	             stack outside zap), the message and the error's type chain
//	suppressed   reports of this signature a rate limit held back before it
//
// # Context
//
// zap calls take no context.Context. The Context field carries one and
// writes nothing: give it per call or to With, and the report gets that
// ctx's timeline (and whatever else the Config's hooks read from ctx), and
// kept entries go into that timeline.
//
//	logger.Error("charge failed", zap.Error(err), zapoops.Context(ctx))
//
// # Flight recorder
//
// Entries below the report level and at or above the recording level
// (Options.RecordLevel, Debug by default) are kept as they were at the log
// call: a copy of the entry and its fields, strings, numbers, times and
// durations as they are (free: the first five are held in the kept entry
// itself, 192 bytes, allocated 63 at a time), and every field whose value
// could still change or render differently (arrays, objects, zap.Any of a
// slice, map or pointer, zap.Binary, zap.Stringer, errors) rendered at the
// log call, as a report would render it (see flight.Immutable). They go in
// as log-<LEVEL> entries of the Context's timeline when there is one, else in
// the flight.Recorder's rings, one per level, which thus hold only what was
// logged without a request's context. Enabled is true down to the recording
// level even where the wrapped core would drop the entry; such entries are
// kept but never reach it. The recorder (Options.Recorder, flight.Default()
// unless set, shared with slogoops) also runs the trailing window and the
// per-signature rate limits. An entry whose report a rate limit suppressed is
// still written, with oops_dropped=suppressed; one that arrives while a
// trailing window is open (and has no Context of another request) folds into
// the window's report and carries its id.
//
// # zap's conventions
//
// Check adds the Core only for entries it reports or keeps, and a wrapped
// core only as that core's own Check decides. With returns a new Core and
// never changes its parent. Sync closes an open trailing window, waits (up
// to Options.FlushTimeout) for the Config's publisher when it has a
// Flush(context.Context) error method, as oops.Async has, and syncs the
// wrapped core. Entries at DPanic, Panic and Fatal level are reported like
// any other, and wait for the publisher the same way before zap panics or
// exits.
//
// Publishing from a log call should never wait for I/O: give the Config an
// oops.Async publisher. A report that was not stored is not an error of the
// log call: Write does not return it (zap would print one line per failure
// to its ErrorOutput). The Recorder counts it and reports the drops at most
// once per interval (flight.Options.OnDrops).
//
// Package zapoops imports oops, flight, the module's internal/stack (which
// renders the log call's stack) and zap (go.uber.org/zap and zapcore), and no
// other third-party package.
package zapoops
