package otelbridge_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/otelbridge"
	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// memExporter is an in-memory sdklog.Exporter.
type memExporter struct {
	mu   sync.Mutex
	recs []sdklog.Record
}

func (e *memExporter) Export(_ context.Context, recs []sdklog.Record) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, r := range recs {
		e.recs = append(e.recs, r.Clone())
	}
	return nil
}

func (*memExporter) Shutdown(context.Context) error   { return nil }
func (*memExporter) ForceFlush(context.Context) error { return nil }

func (e *memExporter) records() []sdklog.Record {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.recs)
}

// newLogs returns a log SDK provider exporting synchronously to memory.
func newLogs(t testing.TB) (*sdklog.LoggerProvider, *memExporter) {
	exp := &memExporter{}
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewSimpleProcessor(exp)))
	t.Cleanup(func() { _ = lp.Shutdown(context.Background()) })
	return lp, exp
}

// newTraces returns a trace SDK provider with a span recorder and the given
// processors, sampling every span.
func newTraces(t testing.TB, procs ...sdktrace.SpanProcessor) (*sdktrace.TracerProvider, *tracetest.SpanRecorder) {
	rec := tracetest.NewSpanRecorder()
	opts := []sdktrace.TracerProviderOption{sdktrace.WithSampler(sdktrace.AlwaysSample())}
	for _, p := range procs {
		opts = append(opts, sdktrace.WithSpanProcessor(p))
	}
	opts = append(opts, sdktrace.WithSpanProcessor(rec))
	tp := sdktrace.NewTracerProvider(opts...)
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return tp, rec
}

// logAttrs returns a record's attributes as a map of strings.
func logAttrs(r sdklog.Record) map[string]string {
	m := map[string]string{}
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		m[string(kv.Key)] = kv.Value.String()
		return true
	})
	return m
}

func kvMap(kvs []attribute.KeyValue) map[string]string {
	m := map[string]string{}
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value.String()
	}
	return m
}

// hooks are the default hooks followed by AttachTrace.
func hooks() []oops.Hook {
	return append(oops.DefaultHooks(), otelbridge.AttachTrace)
}

// newLimitedLogs is newLogs with an attribute value length limit.
func newLimitedLogs(t testing.TB, exp *memExporter, limit int) *sdklog.LoggerProvider {
	lp := sdklog.NewLoggerProvider(
		sdklog.WithProcessor(sdklog.NewSimpleProcessor(exp)),
		sdklog.WithAttributeValueLengthLimit(limit))
	t.Cleanup(func() { _ = lp.Shutdown(context.Background()) })
	return lp
}

// nopProcessor stands for the exporting processor every real setup has:
// with any processor registered, the SDK snapshots each span as it ends.
type nopProcessor struct{}

func (nopProcessor) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (nopProcessor) OnEnd(sdktrace.ReadOnlySpan)                     {}
func (nopProcessor) Shutdown(context.Context) error                  { return nil }
func (nopProcessor) ForceFlush(context.Context) error                { return nil }
