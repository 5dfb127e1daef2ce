// Package otelbridge connects OOPS reports and timelines with OpenTelemetry,
// both ways, so that a team running OpenTelemetry finds its OOPS reports in
// its traces and logs, and its traces in its OOPS reports. Each part is
// optional and can be used alone:
//
//   - AttachTrace is a create hook that puts the trace and span ids of the
//     span in ctx on the report (trace_id, span_id).
//   - LogPublisher is an oops.Publisher that emits each report as an
//     OpenTelemetry log record through the Logs API, with the error in the
//     semantic conventions' exception.* attributes, and, if asked, records it
//     as an exception event on the active span.
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
//		Hooks:     append(oops.DefaultHooks(), otelbridge.AttachTrace),
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
// timeline, and for a span of a request two short critical sections on one
// mutex plus the timeline entry (about 200 ns). SpanObserver makes a
// span per action, which costs what the SDK charges for a span (microseconds):
// turn it on where database spans are wanted.
//
// # Trace context and asynchronous publishing
//
// LogPublisher takes the trace context from the ctx it publishes with. An
// oops.Async publisher publishes from its own goroutine with a context of its
// own; the publisher then falls back to the report's TraceID and SpanID (set
// by AttachTrace), so the log record is still correlated with its trace.
//
// Package otelbridge is the only package of this module that imports
// OpenTelemetry.
package otelbridge
