// Package flight is the flight recorder shared by the logging integrations
// (slogoops for log/slog, zapoops for zap): it keeps log records below the
// report level cheaply, attaches them to the next report, keeps recording for
// a trailing window after a report, and bounds report storms with
// per-signature rate limits. It is foolscap's "incident" idea (keep a cheap
// ring of recent log events, dump it when something serious happens) behind
// one logger-agnostic API; an integration brings only its own record type.
//
// # Keeping records
//
// An integration implements Record over its own record type (slog.Record,
// zapcore.Entry plus fields) and hands kept records to Recorder.Keep without
// formatting them. A record must not change once kept, and must show what
// was logged when it was logged, so the integration keeps a snapshot taken
// at the log call. The rule, which slogoops and zapoops both follow:
//
//   - strings, numbers, booleans, times and durations are kept as they are:
//     the caller cannot change them, and keeping them costs nothing
//     (Immutable says which values these are);
//   - a LogValuer is resolved at the log call;
//   - anything else (a slice, a map, []byte, a pointer, a struct, an error,
//     a Stringer, a marshaler) is rendered at the log call with Snapshot, as
//     a report would render it, bounded as Value bounds it, so that a value
//     changed after the call, or a map the caller keeps writing to, cannot
//     change the record or race with a report reading it.
//
// The integration owns the copies:
//
//	type kept struct{ rec slog.Record }           // the integration's type
//	func (k *kept) LogRecord() oops.LogRecord     { … render k.rec … }
//	func (k *kept) String() string                { return flight.Detail(flight.Render(k)) }
//
//	k := &kept{rec: r.Clone()}
//	rec.Keep(ctx, slog.LevelDebug, r.Time, k)
//
// When ctx carries a timeline (see package timeline; a request served by
// oopshttp does), the record becomes a timeline entry of category
// "log-<LEVEL>" (slog.Level.String), rendered only if a report reads the
// timeline, and goes nowhere else: a request's records never reach another
// request's report. Otherwise it goes into the recorder's process-wide
// rings, one per level (Options.RingSize, 100 each by default), so that
// noisy debug records cannot evict warnings; every report carries what the
// rings hold as its process log (Report.Log). Records are rendered
// (Record.LogRecord, with a recover) only when a report is made.
//
// slogoops and zapoops reuse the storage of a record once a ring (or a ctx
// timeline past its cap) evicts it and nothing else can read it any more, so
// that keeping a record touches memory that is already in the cache and
// allocates nothing; that plumbing is the module's own (internal/release).
//
// Integrations render attribute values with Value (oops.Plain, with strings
// cut at MaxValueLen and lists and maps at MaxElements, a marker saying how
// much was left out) and messages with Truncate, so that a 10 MB attribute or
// a Stringer that panics still gives a report of reasonable size.
//
// # Reporting
//
// For a record at or above the report level the integration calls Report,
// the one place where reports are built from log records (slogoops and
// zapoops both use it, so the same record gives the same report through
// either):
//
//	out := rec.Report(ctx, cfg, flight.Entry{Level: …, Msg: …, Err: err, PC: pc,
//		Source: k, Record: k}, flight.DefaultKeys)
//	// out.ID: the id to quote on the log line (a stored report's), or
//	// out.Dropped: why there is none ("filtered", "queue_full", …)
//
// Report asks TriggerContext what to do (fold into an open window, suppress
// by rate limit, or report), decides the id once, creates the report with
// the Config under that id (so that hooks see the id it is stored under),
// fills it from the Entry with one precedence rule (an attribute named by
// Keys wins over the template and the hooks, which win over the logger's
// name) and publishes it with Publish, which attaches the rings' records
// (Records) to Report.Log and sets Report.Signature and Report.Suppressed
// (how many reports of that signature the rate limit held back since the
// last one published). Report is Decide then ReportDecision: an integration
// that copies a record only for a report calls them apart and copies it in
// between, only for VerdictReport, so that a storm's suppressed records copy
// nothing. Trigger and Publish remain for integrations that build reports
// their own way.
//
// One publish-error policy: a report that no store took is not an error of
// the log call. Its line gets no id but the reason (DropReason), the
// Recorder counts it (Stats.Dropped), and Options.OnDrops hears of the drops
// at most once per Options.DropEvery (a minute), so that a storm of failures
// writes a line a minute, not a line a failure.
//
// A report made with a ctx that carries an oops.Incident (a request served
// by oopshttp) may become the incident's report, completed when the request
// ends; it then goes out with Report.Pending set (see oops.Draft).
//
// # Trailing window
//
// With Options.Window on, a report opens a window: records kept after it (by
// Keep, and triggers, which fold into it) are collected until
// Options.WindowRecords records (100) or Options.WindowDuration (5 s),
// whichever comes first. Only records logged without a request's context
// join the window, and only triggers without one, or of the report's own
// request, fold into it (another request's trigger makes its own report). The
// report is published at the trigger with Report.Pending set, so a crash loses
// nothing, and published again under the same id, with the window's records
// appended to Report.Log and its timeline read again, when the window closes:
// Report.Revision one higher, Pending cleared unless the request it belongs
// to has yet to complete it. A report no store took closes its window at once
// and is not published again. The second publish runs on its own goroutine,
// never in a log call. Flush closes an open window at once (call it at
// shutdown, before the Config's publisher is closed).
//
// # Storms
//
// Each signature has a token bucket: Options.Burst reports (10), then one
// per Options.Every (a minute). The number of signatures tracked is bounded
// (Options.MaxSignatures); past it, new signatures share one bucket. Rings,
// windows and buckets are bounded, so a storm of records keeps memory bounded;
// no method waits for I/O (a Config's publisher should be an oops.Async).
// The rate limit takes no lock: log calls of one signature from many
// goroutines do not queue behind each other to be suppressed (a bucket is one
// word, updated by compare-and-swap, and the counts of suppressed reports are
// spread over one cache line per processor, so that cores do not contend for
// them). A suppressed record costs little besides: the buckets run on the
// monotonic clock alone (the wall clock is read only for an open window;
// reports carry their record's own time), and the signature of a call site,
// message and error type chain seen before is remembered, not hashed again.
//
// A Recorder is safe for concurrent use. Default returns the process-wide
// Recorder the integrations use unless told otherwise, so that records kept
// through slog and through zap land in the same rings.
//
// Package flight imports oops, timeline and the standard library only.
package flight
