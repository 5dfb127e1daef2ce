package spantimeline_test

import (
	"context"
	"fmt"

	"github.com/oops-go/oops/otelbridge/spantimeline"
	"github.com/oops-go/oops/timeline"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

func Example() {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spantimeline.NewProcessor(nil)))
	defer tp.Shutdown(context.Background())
	tracer := tp.Tracer("example")

	// The request's context carries a timeline; spans started under it (by
	// otelsql, otelhttp, ...) land in it as they end.
	ctx := timeline.NewContext(context.Background(), timeline.New())
	_, span := tracer.Start(ctx, "query", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("db.system.name", "postgresql"), attribute.String("db.query.text", "SELECT 1")))
	span.End()

	for _, e := range timeline.FromContext(ctx).Entries() {
		fmt.Println(e.Category, e.Detail)
	}
	// Output:
	// SQL-postgresql SELECT 1
}

func ExampleOptions_describe() {
	// Record only the spans that leave the process, under a category of
	// their own.
	proc := spantimeline.NewProcessor(&spantimeline.Options{
		Describe: func(s sdktrace.ReadOnlySpan) (category, detail string, ok bool) {
			if s.SpanKind() != trace.SpanKindClient {
				return "", "", false
			}
			return "remote", s.Name(), true
		},
	})
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(proc))
	defer tp.Shutdown(context.Background())
	tracer := tp.Tracer("example")

	ctx := timeline.NewContext(context.Background(), timeline.New())
	_, work := tracer.Start(ctx, "render")
	work.End()
	_, call := tracer.Start(ctx, "GET prices", trace.WithSpanKind(trace.SpanKindClient))
	call.End()

	for _, e := range timeline.FromContext(ctx).Entries() {
		fmt.Println(e.Category, e.Detail)
	}
	// Output:
	// remote GET prices
}
