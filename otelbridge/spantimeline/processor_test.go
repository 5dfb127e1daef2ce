package spantimeline_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/internal/benchcpu"
	"github.com/oops-go/oops/otelbridge/spantimeline"
	"github.com/oops-go/oops/timeline"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

func TestProcessorRecordsChildSpansOfTheRequest(t *testing.T) {
	proc := spantimeline.NewProcessor(nil)
	tp, _ := newTraces(t, proc)
	tracer := tp.Tracer("test")

	// The server span starts before the timeline exists, as with otelhttp
	// outside the OOPS middleware.
	ctx, server := tracer.Start(context.Background(), "GET /items", trace.WithSpanKind(trace.SpanKindServer))
	tl := timeline.New()
	ctx = timeline.NewContext(ctx, tl)

	t0 := time.Now()
	_, db := tracer.Start(ctx, "SELECT items", trace.WithSpanKind(trace.SpanKindClient), trace.WithTimestamp(t0),
		trace.WithAttributes(attribute.String("db.system.name", "postgresql"), attribute.String("db.query.text", "SELECT * FROM items WHERE id = $1")))
	db.End(trace.WithTimestamp(t0.Add(3 * time.Millisecond)))

	_, call := tracer.Start(ctx, "GET", trace.WithSpanKind(trace.SpanKindClient), trace.WithTimestamp(t0.Add(4*time.Millisecond)),
		trace.WithAttributes(attribute.String("http.request.method", "GET"), attribute.String("url.full", "http://prices/items/1")))
	call.SetStatus(codes.Error, "503 Service Unavailable")
	call.End(trace.WithTimestamp(t0.Add(9 * time.Millisecond)))

	innerCtx, work := tracer.Start(ctx, "render", trace.WithTimestamp(t0.Add(10*time.Millisecond)))
	_, cache := tracer.Start(innerCtx, "cache get", trace.WithTimestamp(t0.Add(11*time.Millisecond)),
		trace.WithAttributes(attribute.String("db.system.name", "redis"), attribute.String("db.query.text", "GET item:1")))
	cache.End(trace.WithTimestamp(t0.Add(12 * time.Millisecond)))
	work.End(trace.WithTimestamp(t0.Add(13 * time.Millisecond)))

	// A span outside the request is not recorded.
	_, other := tracer.Start(context.Background(), "background job")
	other.End()

	assert.Equal(t, 0, proc.Pending())
	server.End()

	entries := tl.Entries()
	require.Len(t, entries, 4)
	want := []struct{ category, detail, err string }{
		{"SQL-postgresql", "SELECT * FROM items WHERE id = $1", ""},
		{"http-GET", "http://prices/items/1", "503 Service Unavailable"},
		{"span-internal", "render", ""},
		{"DB-redis", "GET item:1", ""},
	}
	for i, w := range want {
		assert.Equal(t, w.category, entries[i].Category, "entry %d", i)
		assert.Equal(t, w.detail, entries[i].Detail, "entry %d", i)
		if w.err == "" {
			assert.NoError(t, entries[i].Err, "entry %d", i)
		} else {
			assert.EqualError(t, entries[i].Err, w.err, "entry %d", i)
		}
		assert.False(t, entries[i].Unfinished)
	}
	base := t0.Sub(tl.Started())
	assert.Equal(t, base, entries[0].Start)
	assert.Equal(t, base+3*time.Millisecond, entries[0].End)
	assert.Equal(t, base+4*time.Millisecond, entries[1].Start)
	assert.Equal(t, base+9*time.Millisecond, entries[1].End)

	// And the report made in the request shows them.
	r := (&oops.Config{}).Create(ctx, oops.Event{Err: errors.New("boom")})
	require.Len(t, r.Timeline, 4)
	assert.Equal(t, "SQL-postgresql", r.Timeline[0].Category)
	assert.Equal(t, "503 Service Unavailable", r.Timeline[1].Error)
}

func TestDescribeSpan(t *testing.T) {
	for _, tc := range []struct {
		name     string
		stub     tracetest.SpanStub
		category string
		detail   string
	}{
		{"current db keys", tracetest.SpanStub{Name: "q", SpanKind: trace.SpanKindClient, Attributes: []attribute.KeyValue{
			attribute.String("db.system.name", "sqlite"), attribute.String("db.query.text", "SELECT 1")}}, "SQL-sqlite", "SELECT 1"},
		{"otelsql legacy keys", tracetest.SpanStub{Name: "sql.conn.query", SpanKind: trace.SpanKindClient, Attributes: []attribute.KeyValue{
			attribute.String("db.system", "mysql"), attribute.String("db.statement", "SELECT 2")}}, "SQL-mysql", "SELECT 2"},
		{"current key wins over legacy", tracetest.SpanStub{Name: "q", Attributes: []attribute.KeyValue{
			attribute.String("db.statement", "old"), attribute.String("db.query.text", "new"),
			attribute.String("db.system", "mysql"), attribute.String("db.system.name", "mariadb")}}, "SQL-mariadb", "new"},
		{"db without query text", tracetest.SpanStub{Name: "find users", Attributes: []attribute.KeyValue{
			attribute.String("db.system.name", "mongodb")}}, "DB-mongodb", "find users"},
		{"http client", tracetest.SpanStub{Name: "GET", SpanKind: trace.SpanKindClient, Attributes: []attribute.KeyValue{
			attribute.String("http.request.method", "get"), attribute.String("url.full", "https://x/y")}}, "http-GET", "https://x/y"},
		{"http legacy", tracetest.SpanStub{Name: "HTTP POST", SpanKind: trace.SpanKindClient, Attributes: []attribute.KeyValue{
			attribute.String("http.method", "POST"), attribute.String("http.url", "https://x/z")}}, "http-POST", "https://x/z"},
		{"http server span", tracetest.SpanStub{Name: "GET /a", SpanKind: trace.SpanKindServer, Attributes: []attribute.KeyValue{
			attribute.String("http.request.method", "GET")}}, "span-server", "GET /a"},
		{"rpc", tracetest.SpanStub{Name: "svc/Method", SpanKind: trace.SpanKindClient, Attributes: []attribute.KeyValue{
			attribute.String("rpc.system.name", "grpc")}}, "rpc-grpc", "svc/Method"},
		{"messaging", tracetest.SpanStub{Name: "publish orders", SpanKind: trace.SpanKindProducer, Attributes: []attribute.KeyValue{
			attribute.String("messaging.system", "kafka")}}, "messaging-kafka", "publish orders"},
		{"plain", tracetest.SpanStub{Name: "compute", SpanKind: trace.SpanKindInternal}, "span-internal", "compute"},
		{"plain client", tracetest.SpanStub{Name: "dial", SpanKind: trace.SpanKindClient}, "span-client", "dial"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			category, detail, ok := spantimeline.DescribeSpan(tc.stub.Snapshot())
			assert.True(t, ok)
			assert.Equal(t, tc.category, category)
			assert.Equal(t, tc.detail, detail)
		})
	}
}

func TestProcessorDescribeCanSkip(t *testing.T) {
	proc := spantimeline.NewProcessor(&spantimeline.Options{
		Describe: func(s sdktrace.ReadOnlySpan) (string, string, bool) {
			if s.SpanKind() != trace.SpanKindClient {
				return "", "", false
			}
			return "ext", s.Name(), true
		},
	})
	tp, _ := newTraces(t, proc)
	tl := timeline.New()
	ctx := timeline.NewContext(context.Background(), tl)
	_, a := tp.Tracer("t").Start(ctx, "internal")
	a.End()
	_, b := tp.Tracer("t").Start(ctx, "call", trace.WithSpanKind(trace.SpanKindClient))
	b.End()
	entries := tl.Entries()
	require.Len(t, entries, 1)
	assert.Equal(t, "ext", entries[0].Category)
	assert.Equal(t, "call", entries[0].Detail)
	assert.Equal(t, 0, proc.Pending())
}

func TestProcessorCapsPendingSpans(t *testing.T) {
	proc := spantimeline.NewProcessor(&spantimeline.Options{MaxPending: 2})
	tp, _ := newTraces(t, proc)
	tl := timeline.New()
	ctx := timeline.NewContext(context.Background(), tl)
	var spans []trace.Span
	for range 3 {
		_, s := tp.Tracer("t").Start(ctx, "open")
		spans = append(spans, s)
	}
	assert.Equal(t, 2, proc.Pending())
	assert.Equal(t, uint64(1), proc.Skipped())
	for _, s := range spans {
		s.End()
	}
	assert.Equal(t, 0, proc.Pending())
	assert.Equal(t, 2, tl.Len(), "the spans past the cap are not recorded")

	// Shutdown forgets spans that never ended.
	_, s := tp.Tracer("t").Start(ctx, "never ends")
	_ = s
	assert.Equal(t, 1, proc.Pending())
	require.NoError(t, proc.Shutdown(context.Background()))
	assert.Equal(t, 0, proc.Pending())
	require.NoError(t, proc.ForceFlush(context.Background()))
}

func TestProcessorConcurrentRequests(t *testing.T) {
	proc := spantimeline.NewProcessor(nil)
	tp, _ := newTraces(t, proc)
	tracer := tp.Tracer("t")
	var wg sync.WaitGroup
	tls := make([]*timeline.Timeline, 8)
	for i := range tls {
		tls[i] = timeline.New()
		wg.Go(func() {
			ctx, root := tracer.Start(context.Background(), "request")
			ctx = timeline.NewContext(ctx, tls[i])
			var inner sync.WaitGroup
			for range 4 {
				inner.Go(func() {
					for range 25 {
						_, s := tracer.Start(ctx, "q", trace.WithAttributes(attribute.String("db.system.name", "sqlite")))
						s.End()
					}
				})
			}
			inner.Wait()
			root.End()
		})
	}
	wg.Wait()
	for _, tl := range tls {
		assert.Equal(t, 100, tl.Len())
		for _, e := range tl.Entries() {
			assert.Equal(t, "SQL-sqlite", e.Category)
		}
	}
	assert.Equal(t, 0, proc.Pending())
}

// nopProcessor stands for the exporting processor every real setup has:
// with any processor registered, the SDK snapshots each span as it ends.
type nopProcessor struct{}

func (nopProcessor) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (nopProcessor) OnEnd(sdktrace.ReadOnlySpan)                     {}
func (nopProcessor) Shutdown(context.Context) error                  { return nil }
func (nopProcessor) ForceFlush(context.Context) error                { return nil }

// BenchmarkProcessor measures what the processor adds to a span of a
// request: impl=sdk starts and ends a span with an exporting processor
// (doing nothing), impl=sdk+timeline adds the Processor, which
// records the span into the request's timeline. The difference is the
// processor's cost per span.
func BenchmarkProcessor(b *testing.B) {
	for _, impl := range []string{"sdk", "sdk+timeline"} {
		b.Run("impl="+impl, func(b *testing.B) {
			opts := []sdktrace.TracerProviderOption{
				sdktrace.WithSampler(sdktrace.AlwaysSample()),
				sdktrace.WithSpanProcessor(nopProcessor{}),
			}
			if impl == "sdk+timeline" {
				opts = append(opts, sdktrace.WithSpanProcessor(spantimeline.NewProcessor(nil)))
			}
			tp := sdktrace.NewTracerProvider(opts...)
			defer func() { _ = tp.Shutdown(context.Background()) }()
			tracer := tp.Tracer("bench")
			ctx, root := tracer.Start(context.Background(), "request")
			defer root.End()
			ctx = timeline.NewContext(ctx, timeline.New())
			attrs := trace.WithAttributes(attribute.String("db.system.name", "sqlite"), attribute.String("db.query.text", "SELECT 1"))
			b.ReportAllocs()
			stopCPU := benchcpu.Start(b)
			defer stopCPU()
			for b.Loop() {
				_, s := tracer.Start(ctx, "SELECT", attrs)
				s.End()
			}
		})
	}
}

// BenchmarkProcessorOnly calls the processor's OnStart and OnEnd
// directly, with the span and the ended-span snapshot the SDK hands them.
func BenchmarkProcessorOnly(b *testing.B) {
	proc := spantimeline.NewProcessor(nil)
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()), sdktrace.WithSpanProcessor(rec))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	ctx := timeline.NewContext(context.Background(), timeline.New())
	_, s := tp.Tracer("bench").Start(ctx, "SELECT",
		trace.WithAttributes(attribute.String("db.system.name", "sqlite"), attribute.String("db.query.text", "SELECT 1")))
	s.End()
	rw := s.(sdktrace.ReadWriteSpan)
	ended := rec.Ended()[0]
	for _, bc := range []struct {
		name string
		ctx  context.Context
	}{{"timeline=yes", ctx}, {"timeline=no", context.Background()}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			stopCPU := benchcpu.Start(b)
			defer stopCPU()
			for b.Loop() {
				proc.OnStart(bc.ctx, rw)
				proc.OnEnd(ended)
			}
		})
	}
	// The floor: recording the same entry straight into a timeline.
	b.Run("timeline=add-only", func(b *testing.B) {
		tl := timeline.New()
		start, end := ended.StartTime(), ended.EndTime()
		b.ReportAllocs()
		stopCPU := benchcpu.Start(b)
		defer stopCPU()
		for b.Loop() {
			tl.Add("SQL-sqlite", start, end, "SELECT 1")
		}
	})
}

func TestProcessorDescribePanics(t *testing.T) {
	proc := spantimeline.NewProcessor(&spantimeline.Options{
		Describe: func(sdktrace.ReadOnlySpan) (string, string, bool) { panic("describe broke") },
	})
	tp, rec := newTraces(t, proc)
	tl := timeline.New()
	_, s := tp.Tracer("t").Start(timeline.NewContext(context.Background(), tl), "x")
	assert.NotPanics(t, func() { s.End() })
	assert.Equal(t, 0, tl.Len())
	assert.Len(t, rec.Ended(), 1, "the span still reaches the other processors")
	assert.Equal(t, 0, proc.Pending())
}
