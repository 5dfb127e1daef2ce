// Package oops makes every failure in a service into an OOPS report: one
// self-contained record with a unique id a user can quote ("please quote
// OOPS-3f2a…"), the error and its stack, the request, the user, and a timeline
// of the steps (database statements above all) that ran before it went wrong.
//
// The flow is python-oops': a Config copies its Template into a new Report
// and runs its create Hooks (Create); then it runs its Filters and hands the
// report to its Publisher (Publish). Publishers compose: ToMany publishes to
// every store, WithFallback stops at the first that takes the report, and
// Async puts a bounded queue in front of a slow store so that a log call never
// waits for I/O.
//
// # The report's wire keys
//
// Report's fields have fixed names on the wire (JSON here, BSON in the
// datedir store), shared with python-oops tools:
//
//	id          "OOPS-" + 32 lowercase hex digits, given at creation
//	type        the error's most specific type (*fs.PathError), or the level name
//	value       the error text, or the log message
//	tb_text     the stack, in goroutine-dump format: "func(...)\n\tfile:line\n" per frame
//	time        when it happened: RFC 3339 in JSON, a datetime in BSON
//	hostname, reporter, topic, url, username, branch_nick, revno: strings
//	req_vars    a document of strings; secrets show as "<hidden>"
//	timeline    a list of [start_ms, end_ms, category, detail, backtrace-or-null],
//	            with the step's error text as a sixth element when it failed;
//	            offsets are whole milliseconds as integers (as python writes
//	            them), else doubles with microsecond precision
//	duration    seconds, -1 when unknown
//
// and Go extensions:
//
//	level             the log record's level name, when a log record made the report
//	msg               the log message as written (a template, not formatted)
//	attrs             the log record's attributes, groups as nested documents
//	log               records kept by a flight recorder outside any timeline:
//	                  documents with time, level, msg and attrs
//	signature         a short hash grouping reports of the same problem (the call
//	                  site, the message template and the error type chain)
//	trace_id, span_id the trace and span the failure happened in (hex)
//	trace_flags       that span's W3C trace flags (1: sampled), so that a
//	                  publisher behind a queue can rebuild the span context
//	timeline_dropped  how many timeline entries the timeline's cap dropped
//	suppressed        how many reports of this signature a rate limit held back
//	                  since the last one published
//	resource          what the failure concerns, e.g. "order/8123" (see
//	                  WithResource); stores keep each resource's faults
//	revision          0 when a report is first published; n when the same id is
//	                  published again, completed, for the nth time (a trailing
//	                  window closed, a request ended). Stores keep the latest;
//	                  a publisher that is not idempotent by id (a log exporter,
//	                  a webhook) emits once per id, preferring the last revision
//	pending           true while the report's maker will publish the same id
//	                  again, completed; absent (false) on the last revision
//
// Extra carries any other key.
//
// # Revisions, and publishers that are not idempotent by id
//
// A report may be published more than once under its id: a flight recorder
// publishes at the trigger, so that a crash loses nothing, and again,
// completed, when its trailing window closes; a queue may redeliver. Stores
// are idempotent by id and keep the latest revision. A publisher whose
// output cannot be taken back (a log exporter, a webhook, a mail, a pager)
// should send once per id, and the last revision when it can:
//
//   - a report with Pending false is final: send it at once, unless this id
//     was already sent;
//   - a report with Pending true will be followed by a completed revision:
//     hold it, for a bounded delay, and send whichever revision it holds
//     when the final one arrives or the delay ends (and at shutdown), so
//     that a maker that dies in between loses nothing;
//   - remember the ids recently sent, in a bounded memory, and drop a later
//     revision of one of them (it arrived after the delay): the receiver
//     already has the report, and the store has the final content by id;
//   - a webhook whose receiver is idempotent by id (say, it upserts an
//     issue keyed by the OOPS id) can skip all this and send every revision.
//
// otelbridge.LogPublisher does this for OpenTelemetry log records.
//
// # Incidents and revisions
//
// A unit of work (an HTTP request served by oopshttp, a job) can carry an
// Incident in its context: the first report stored during it becomes its
// report, which the work's owner completes when the work ends, and the others
// are noted so that its report can list them. A report published before it
// is complete is a Draft: each party that will publish it again (the
// incident's owner, a flight recorder's trailing window) holds it, each
// revision goes out with Revision one higher, and only the last one clears
// Pending. Config.Publish does the incident's part for every report published
// with such a context; Event.ID lets a maker that quotes the id before the
// report exists (a log line) create the report under that id. The owner's
// completion takes the whole timeline again (Incident.FlattenTimeline): the
// entries the report was made with when nothing was recorded since, else the
// timeline flattened anew.
//
// # One schema, every encoding
//
// WireFields is the schema: one entry per Report field, with its wire key,
// its Go name and its kind. The JSON encoder and decoder here, the BSON ones
// of the datedir store, WriteText and WireKeys are all driven by it (the BSON
// writer, the one on every report's path, writes field by field, held to the
// schema by a test), so a field is never known to one and missing from
// another.
//
// What is written is read back, by this module and by python's tools:
//
//   - times whose year is outside 1 to 9999 (which python's datetime, and
//     RFC 3339, cannot hold) are written as RFC 3339 text with a wider year,
//     and read back as times where a time is expected (Plain turns such
//     times in attributes into that text);
//   - a NaN or infinite duration is written as -1 (unknown);
//   - integers come back exactly: JSON decodes attrs, log attrs and Extra
//     numbers as int64 (uint64 above its range) when they are integers;
//   - values nested deeper than Plain follows are cut as Plain cuts them;
//   - a well-known key whose value is not of its type does not hide the rest
//     of the report: its field stays empty and the value is kept in Extra
//     under UndecodableKey(key); a req_vars list element that is not a
//     [name, value] pair is kept under BadPairKey(i). JSON and BSON decoders
//     follow the same rules;
//   - a report too large for a store is cut with Trim, which cuts the largest
//     values first, marks each ("…[cut N bytes]") and lists them in
//     Extra["cut"] (CutKey).
//
// Package oops imports the standard library and this module's timeline,
// internal/stack (which renders stacks) and internal/wire (times python
// cannot hold, text checks) only.
package oops
