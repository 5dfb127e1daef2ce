// Package slogoops is a log/slog handler that turns warnings and errors into
// OOPS reports and keeps a flight recorder of the records below them.
//
//	logger := slog.New(slogoops.NewHandler(next, cfg, nil))
//
// The handler wraps the program's own handler (next): every record still
// reaches next as before, filtered by next's level. A record at or above the
// report level (Options.ReportLevel, Warn by default) also becomes a report
// through the oops.Config, and the record passed on to next carries the
// report's id as an attribute (Options.IDKey, "oops_id"), so that the log
// line and the report point at each other. The id is always that of a stored
// report: when no store took it, the attribute is oops_dropped
// (Options.DroppedKey) with the reason instead ("filtered", "queue_full",
// "suppressed", …; see flight.DropReason). Under WithGroup the attribute
// lands in the open group, as any attribute added at that point would;
// Options.IDTopLevel puts it at the top level instead.
//
// Reports are built by flight.Recorder.Report, the one builder zapoops
// shares: the same record gives the same report through either.
//
// # What a report holds
//
//	level, msg   the record's level name and message
//	attrs        every attribute, those added with WithAttrs and WithGroup
//	             included, groups as nested maps, values as oops.Plain makes
//	             them (long strings and lists cut, see flight.Value)
//	type, value  from the first attribute that holds an error (keys "err" and
//	             "error" first, then any, groups included); without one, the
//	             level name and the message
//	tb_text      the stack the error carries (a StackTrace() method, as in
//	             github.com/pkg/errors, or Callers() []uintptr), else the
//	             stack of the log call
//	topic, username, url, resource
//	             from top-level string attributes with these keys (see
//	             Options.TopicKey, UsernameKey, URLKey, ResourceKey), which
//	             win over the template and the hooks (resource over
//	             oops.WithResource); they stay in attrs
//	timeline     the timeline in ctx, if any (the Config's AttachTimeline hook)
//	log          the records the flight recorder kept (see below)
//	signature    oops.Signature of the record's call site (Record.PC), its
//	             message and the error's type chain
//	suppressed   reports of this signature a rate limit held back before it
//
// # Flight recorder
//
// Records below the report level and at or above the recording level
// (Options.RecordLevel, Debug by default) are kept as they were at the log
// call: a copy of the slog.Record (its first attributes held compactly, 160
// bytes a record) whose strings, numbers, times and durations are kept as
// they are (free), whose LogValuers are resolved, and
// whose values that could still change (slices, maps, []byte, pointers,
// structs, errors, Stringers) are rendered at the log call, as a report would
// render them (see flight.Immutable). WithAttrs values are kept the same way.
// They go in as log-<LEVEL> entries of the ctx timeline when ctx carries one
// (log with the …Context methods inside a request), else in the
// flight.Recorder's rings, one per level, which thus hold only what was
// logged without a request's context.
// Enabled is true down to the recording level even where next would drop the
// record; such records are kept but never reach next. The recorder
// (Options.Recorder, flight.Default() unless set) also runs the trailing
// window and the per-signature rate limits: see package flight. The trailing
// window is off in flight.Default(); turn it on with a recorder of your own:
//
//	rec := flight.New(&flight.Options{Window: true}) // 100 records or 5 s
//	h := slogoops.NewHandler(next, cfg, &slogoops.Options{Recorder: rec})
//	defer rec.Flush(ctx) // at shutdown, before the publisher is closed
//
// Set
// Options.NoRecording to keep nothing and make Enabled follow next alone
// below the report level.
//
// A record whose report a rate limit suppressed still reaches next, with
// oops_dropped=suppressed. A record that arrives while a trailing window is
// open (and is not of another request) folds into the window's report and
// carries its id.
//
// Publishing from a log call should never wait for I/O: give the Config an
// oops.Async publisher. A report that was not stored is not an error of the
// log call: Handle returns next's error only. The Recorder counts drops and
// reports them at most once per interval (flight.Options.OnDrops).
package slogoops
