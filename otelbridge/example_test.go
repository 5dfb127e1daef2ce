package otelbridge_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/otelbridge"
	"github.com/oops-go/oops/timeline"
	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

func ExampleAttachTrace() {
	// A context carrying a span, as a propagator or a tracer leaves it.
	tid, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	sid, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	ctx := trace.ContextWithSpanContext(context.Background(),
		trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled}))

	cfg := oops.Config{Hooks: append(oops.DefaultHooks(), otelbridge.AttachTrace)}
	r := cfg.Create(ctx, oops.Event{Err: errors.New("boom")})
	fmt.Println(r.TraceID, r.SpanID)

	r = cfg.Create(context.Background(), oops.Event{Err: errors.New("boom")})
	fmt.Printf("no span: %q %q\n", r.TraceID, r.SpanID)
	// Output:
	// 4bf92f3577b34da6a3ce929d0e0e4736 00f067aa0ba902b7
	// no span: "" ""
}

func ExampleNewLogPublisher() {
	exp := &memExporter{} // any sdklog.Exporter: OTLP, stdout, ...
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewSimpleProcessor(exp)))
	defer lp.Shutdown(context.Background())

	cfg := oops.Config{Publisher: otelbridge.NewLogPublisher(&otelbridge.LogOptions{LoggerProvider: lp})}
	r := cfg.Create(context.Background(), oops.Event{Err: errors.New("connection refused")})
	ids, _ := cfg.Publish(context.Background(), r)

	rec := exp.records()[0]
	attrs := logAttrs(rec)
	fmt.Println(rec.Severity(), rec.Body().AsString())
	fmt.Println(attrs["exception.type"], attrs["exception.message"])
	fmt.Println(attrs["oops.id"] == ids[0])
	// Output:
	// ERROR connection refused
	// *errors.errorString connection refused
	// true
}

// A report published at a trigger and again, completed, under the same id
// is one log record, with the final content.
func ExampleLogPublisher_revisions() {
	exp := &memExporter{}
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewSimpleProcessor(exp)))
	defer lp.Shutdown(context.Background())
	pub := otelbridge.NewLogPublisher(&otelbridge.LogOptions{
		LoggerProvider: lp,
		Attributes: func(r *oops.Report) []attribute.KeyValue {
			return []attribute.KeyValue{attribute.Int("log.count", len(r.Log))}
		},
	})

	cfg := oops.Config{Publisher: pub}
	r := cfg.Create(context.Background(), oops.Event{Err: errors.New("payment declined")})
	r.Pending = true // a trailing window will publish it again
	_, _ = cfg.Publish(context.Background(), r)
	fmt.Println("records after the trigger:", len(exp.records()))

	final := r.Clone()
	final.Revision, final.Pending = 1, false
	final.Log = append(final.Log, oops.LogRecord{Level: "INFO", Msg: "refund queued"})
	_, _ = cfg.Publish(context.Background(), final)

	recs := exp.records()
	fmt.Println("records after the window:", len(recs))
	fmt.Println("revision", logAttrs(recs[0])["oops.revision"], "with", logAttrs(recs[0])["log.count"], "log record")

	_ = pub.Shutdown(context.Background()) // emits what is still held; then lp.Shutdown
	// Output:
	// records after the trigger: 0
	// records after the window: 1
	// revision 1 with 1 log record
}

func ExampleNewTimeline() {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	defer tp.Shutdown(context.Background())

	ctx, request := tp.Tracer("example").Start(context.Background(), "GET /items")
	ctx, _ = otelbridge.NewTimeline(ctx, tp, nil)

	// What sqltimeline does for every statement:
	timeline.FromContext(ctx).Start("SQL-sqlite", "SELECT name FROM items").Finish()
	request.End()

	s := rec.Ended()[0]
	fmt.Println(s.Name(), s.SpanKind(), s.Parent().SpanID() == request.SpanContext().SpanID())
	for _, kv := range s.Attributes() {
		fmt.Println(kv.Key, "=", kv.Value.String())
	}
	// Output:
	// SELECT client true
	// db.system.name = sqlite
	// db.query.text = SELECT name FROM items
	// oops.timeline.category = SQL-sqlite
}
