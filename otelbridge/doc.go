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
//   - spantimeline.Processor, in the subpackage spantimeline, is an
//     sdktrace.SpanProcessor that copies the spans of a request (from
//     otelsql, otelhttp or any instrumentation) into the request's timeline
//     as they end, so the report shows them.
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
//		sdktrace.WithSpanProcessor(spantimeline.NewProcessor(nil)),
//		sdktrace.WithBatcher(spanExporter))
//	cfg := &oops.Config{
//		Hooks:     append(oops.DefaultHooks(), otelbridge.AttachTrace),
//		Publisher: oops.ToMany(store, otelbridge.NewLogPublisher(&otelbridge.LogOptions{LoggerProvider: lp})),
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
// # The API apart from the SDK
//
// Package otelbridge imports only the OpenTelemetry API (otel, trace, log,
// attribute, codes, semconv), as instrumentation libraries do: a program
// that wants trace ids on its reports, or reports as log records, compiles
// no SDK, and works with whatever TracerProvider and LoggerProvider it
// installs. The span processor plugs into the trace SDK, so it lives apart,
// in package spantimeline, which imports the SDK.
//
// # Using both directions at once
//
// SpanObserver starts its spans with a context that carries no timeline, so
// a spantimeline.Processor on the same TracerProvider does not copy them back
// into the timeline they came from, and Timeline.Add (which it uses)
// is not observed, so the processor's entries do not become spans again:
// every step appears once in each place.
//
// # Costs
//
// AttachTrace with no span in ctx is one context lookup (about 25 ns).
// SpanObserver makes a span per action, which costs what the SDK charges for
// a span (microseconds): turn it on where database spans are wanted. The
// span processor's costs are in package spantimeline's documentation.
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
// Package otelbridge and its subpackage spantimeline are the only packages
// of this module that import OpenTelemetry.
package otelbridge
