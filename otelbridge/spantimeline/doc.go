// Package spantimeline records OpenTelemetry spans in OOPS timelines: its
// Processor is an sdktrace.SpanProcessor that copies the spans of a request
// (from otelsql, otelhttp or any instrumentation) into the request's
// timeline as they end, so that a report made in the request shows them,
// as sqltimeline does for the statements of a database/sql driver.
//
// It is apart from package otelbridge because it plugs into the trace SDK
// (go.opentelemetry.io/otel/sdk/trace), which otelbridge, using the API
// alone, does not import; the two work together (see otelbridge's
// SpanObserver).
//
//	tp := sdktrace.NewTracerProvider(
//		sdktrace.WithSpanProcessor(spantimeline.NewProcessor(nil)),
//		sdktrace.WithBatcher(spanExporter))
//
// # How the processor finds a span's timeline
//
// A span carries no context.Context once it has started, so the Processor
// looks at the context a span is started with: OnStart receives it, and when
// it carries a timeline (timeline.FromContext) the processor remembers the
// span, keyed by its span id (checked against its trace id), until the span
// ends. Any span started below a context that carries a timeline is
// therefore recorded in that timeline, whatever created it; spans started
// elsewhere (the request's own server span when it was started before the
// timeline was put in the context, background work) cost one context lookup
// and are not recorded. A span that never ends is forgotten at Shutdown; the
// number of spans waiting is capped (Options.MaxPending).
//
// Entries are added with Timeline.Add, which a timeline's Observer does not
// see, so the spans that otelbridge.SpanObserver makes of timeline actions
// are not copied back, nor the copies turned into spans again.
//
// # Costs
//
// A span started outside any timeline costs one context lookup (and, right
// after spans under timelines ended, one short critical section); a span of
// a request costs two short critical sections on one mutex, the description
// of the span and the timeline entry (about 200 ns of CPU,
// BenchmarkProcessorOnly).
//
// Package spantimeline imports this module's timeline, the OpenTelemetry
// API and its trace SDK.
package spantimeline
