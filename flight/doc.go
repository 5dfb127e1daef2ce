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
// formatting them. A record must not change once kept, so the integration
// copies (clones) it first; Slab hands out the storage for the copies with an
// amortized zero allocations per record:
//
//	type kept struct{ rec slog.Record }           // the integration's type
//	func (k *kept) LogRecord() oops.LogRecord     { … render k.rec … }
//	func (k *kept) String() string                { return flight.Detail(flight.Render(k)) }
//
//	var slab flight.Slab[kept]
//	k := slab.New()
//	k.rec = r.Clone()
//	rec.Keep(ctx, flight.LevelDebug, r.Time, k)
//
// When ctx carries a timeline (see package timeline), the record becomes a
// timeline entry of category "log-<LEVEL>" (Level.Category), rendered only if
// a report reads the timeline. Otherwise it goes into the recorder's
// process-wide rings, one per level (Options.RingSize, 100 each by default),
// so that noisy debug records cannot evict warnings. Records are rendered
// (Record.LogRecord, with a recover) only when a report is made.
//
// A Record that also implements Releaser gets its Release method called when
// a ring (or a ctx timeline past its cap) evicts it and nothing else can
// read it any more; the integration can then reuse its storage for the next
// record (slogoops and zapoops keep a free list in front of their Slab), so
// that keeping a record touches memory that is already in the cache and
// allocates nothing.
//
// Integrations render attribute values with Value (oops.Plain, with strings
// cut at MaxValueLen and lists and maps at MaxElements, a marker saying how
// much was left out) and messages with Truncate, so that a 10 MB attribute or
// a Stringer that panics still gives a report of reasonable size.
//
// # Reporting
//
// For a record at or above the report level the integration asks Trigger
// what to do, with the report's Signature:
//
//	d := rec.Trigger(flight.Signature(pc, msg, err), k)
//	switch d.Verdict {
//	case flight.Report: // make the report, then hand it to Publish
//		r := cfg.Create(ctx, oops.Event{…})
//		… fill attrs, topic …
//		id, _, _ := rec.Publish(ctx, cfg, d, r) // sets id, signature, suppressed, log; publishes
//		// pass id on with the log line; do not touch r any more
//	case flight.Fold: // the record joined the open window's report: d.ID
//	case flight.Suppress: // a rate limit held it back; counted
//	}
//
// Publish attaches what the rings hold (Records) to Report.Log, sets
// Report.Signature and Report.Suppressed (how many reports of that signature
// the rate limit held back since the last one published) and publishes
// with the Config's Publish. Entries of the ctx timeline reach the report through
// the Config's AttachTimeline hook, as for any other timeline entry.
//
// # Trailing window
//
// With Options.Window on, a report opens a window: records kept after it (by
// Keep, and triggers, which fold into it) are collected until
// Options.WindowRecords records (100) or Options.WindowDuration (5 s),
// whichever comes first. The report is published at the trigger, so a crash
// loses nothing, and published again under the same id, with the window's
// records appended to Report.Log, when the window closes. The second publish
// runs on its own goroutine, never in a log call. Flush closes an open window
// at once (call it at shutdown, before the Config's publisher is closed).
//
// # Storms
//
// Each signature has a token bucket: Options.Burst reports (10), then one
// per Options.Every (a minute). The number of signatures tracked is bounded
// (Options.MaxSignatures); past it, new signatures share one bucket. Rings,
// windows and buckets are bounded, so a storm of records keeps memory bounded;
// no method waits for I/O (a Config's publisher should be an oops.Async).
//
// A Recorder is safe for concurrent use. Default returns the process-wide
// Recorder the integrations use unless told otherwise, so that records kept
// through slog and through zap land in the same rings.
//
// Package flight imports oops, timeline and the standard library only.
package flight
