// Package otelbridge connects OOPS reports and timelines with OpenTelemetry,
// both ways, so that a team running OpenTelemetry finds its OOPS reports in
// its traces and logs, and its traces in its OOPS reports. Each part is
// optional and can be used alone:
//
//   - AttachTrace is a create hook that puts the trace and span ids of the
//     span in ctx on the report (trace_id, span_id).
//   - LogPublisher is an oops.Publisher that emits each report as an
//     OpenTelemetry log record through the Logs API, with the error in the
//     semantic conventions' exception.* attributes, one record per report
//     id, and, if asked, records a failure as an exception event on the
//     active span.
//   - TimelineProcessor is an sdktrace.SpanProcessor that copies the spans of
//     a request (from otelsql, otelhttp or any instrumentation) into the
//     request's timeline as they end, so the report shows them.
//   - SpanObserver is a timeline.Observer that turns timeline actions into
//     CLIENT spans, so that statements recorded by sqltimeline become database
//     spans without a second driver wrapper.
//
// # Wiring it into a service
//
// With oopshttp inside otelhttp's handler, so that each request's context
// carries the request's span when the middleware makes its timeline:
//
//	tp := sdktrace.NewTracerProvider(
//		sdktrace.WithSpanProcessor(otelbridge.NewTimelineProcessor(otelbridge.ProcessorOptions{})),
//		sdktrace.WithBatcher(spanExporter))
//	cfg := &oops.Config{
//		Hooks:     append(slices.Clone(oops.DefaultHooks), otelbridge.AttachTrace),
//		Publisher: oops.ToMany(store, otelbridge.NewLogPublisher(otelbridge.LogOptions{LoggerProvider: lp})),
//	}
//	mw := oopshttp.Middleware(cfg, &oopshttp.Options{
//		Timeline: timeline.Options{Observer: otelbridge.NewSpanObserver(tp)},
//	})
//	handler := otelhttp.NewHandler(mw(mux), "items")
//
// One SpanObserver serves every request: it is a timeline.ContextObserver,
// told by timeline.NewContext of the context each timeline is put in, and
// makes each timeline's spans children of the span in that context. Outside
// a middleware, NewTimeline makes a timeline mirrored as spans and the
// context carrying it in one call.
//
// # How the processor finds a span's timeline
//
// A span carries no context.Context once it has started, so
// TimelineProcessor looks at the context a span is started with: OnStart
// receives it, and when it carries a timeline (timeline.FromContext) the
// processor remembers the span, keyed by its span id (checked against its
// trace id), until the span ends. Any span started below a context that carries a timeline is
// therefore recorded in that timeline, whatever created it; spans started
// elsewhere (the request's own server span when it was started before the
// timeline was put in the context, background work) cost one context lookup
// and are not recorded. A span that never ends is forgotten at Shutdown; the
// number of spans waiting is capped (ProcessorOptions.MaxPending).
//
// # Using both directions at once
//
// SpanObserver starts its spans with a context that carries no timeline, so
// a TimelineProcessor on the same TracerProvider does not copy them back into
// the timeline they came from, and Timeline.Add (which the processor uses)
// is not observed, so the processor's entries do not become spans again:
// every step appears once in each place.
//
// # Costs
//
// AttachTrace with no span in ctx is one context lookup (about 25 ns).
// TimelineProcessor costs one context lookup for a span started outside any
// timeline (and, right after spans under timelines ended, one short critical
// section), and for a span of a request two short critical sections on one
// mutex, the description of the span and the timeline entry (about 200 ns
// of CPU, BenchmarkTimelineProcessorOnly). SpanObserver makes a
// span per action, which costs what the SDK charges for a span (microseconds):
// turn it on where database spans are wanted.
//
// # Trace context and asynchronous publishing
//
// LogPublisher takes the trace context from the ctx it publishes with. An
// oops.Async publisher publishes from its own goroutine with a context of its
// own; the publisher then falls back to the report's TraceID, SpanID and
// TraceFlags (set by AttachTrace), so the log record is still correlated
// with its trace, and still says whether the trace was sampled.
//
// # One failure, one record
//
// A report can be published more than once under its id: a flight
// recorder publishes at the trigger and again, completed, when its trailing
// window closes (Report.Revision counts the republications, Report.Pending
// says another will come). Stores keep the latest by id; log records cannot
// be taken back, so LogPublisher emits one record per id:
//
//   - a pending report is held back, at most LogOptions.PendingDelay
//     (DefaultPendingDelay, 10 s) from its first publication, waiting for
//     its final revision, which is then emitted in its place;
//   - a final report (Pending false) is emitted at once;
//   - when the delay ends, what is held is emitted as it is; a revision
//     that arrives after its id was emitted is dropped, as is a redelivery;
//   - LogPublisher.ForceFlush and Shutdown emit what is held: call them
//     before the LoggerProvider's.
//
// The exception event on the span is recorded once per id too, at once:
// the request's span usually ends before a trailing window closes. The ids
// remembered are capped (LogOptions.MaxRemembered).
//
// Another publisher whose output cannot be taken back, a webhook say,
// should do the same: send a final report at once and once, hold a pending
// one for a bounded delay and send the latest revision it has when the final
// one comes or the delay ends (and at shutdown), and drop a revision of an
// id it already sent, remembering ids in a bounded memory. A receiver that
// upserts by OOPS id can instead be sent every revision.
//
// # Failures and warnings on spans
//
// With LogOptions.SpanEvent, a report counts as a failure of the span it
// happened in (status Error and an exception event) when it is about an
// error, or when its level is at least LogOptions.ErrorSeverity (ERROR by
// default). A warning without an error (a slow query) is not a failed
// request: it becomes a log record in the span's trace and leaves the span
// alone. This is what otelslog and otelzap do.
//
// Package otelbridge is the only package of this module that imports
// OpenTelemetry.
package otelbridge
