package otelbridge_test

import (
	"compress/gzip"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/otelbridge"
	"github.com/oops-go/oops/otelbridge/spantimeline"
	"github.com/oops-go/oops/timeline"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	collogs "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// receiver is an OTLP/HTTP endpoint (protobuf encoding) that keeps what it
// is sent.
type receiver struct {
	mu    sync.Mutex
	logs  []*logspb.LogRecord
	spans []*tracepb.Span
	errs  []error
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := rc.read(req)
	if err != nil {
		rc.fail(w, err)
		return
	}
	var resp proto.Message
	switch req.URL.Path {
	case "/v1/logs":
		var in collogs.ExportLogsServiceRequest
		if err := proto.Unmarshal(body, &in); err != nil {
			rc.fail(w, fmt.Errorf("logs: %w", err))
			return
		}
		rc.mu.Lock()
		for _, rl := range in.ResourceLogs {
			for _, sl := range rl.ScopeLogs {
				rc.logs = append(rc.logs, sl.LogRecords...)
			}
		}
		rc.mu.Unlock()
		resp = &collogs.ExportLogsServiceResponse{}
	case "/v1/traces":
		var in coltrace.ExportTraceServiceRequest
		if err := proto.Unmarshal(body, &in); err != nil {
			rc.fail(w, fmt.Errorf("traces: %w", err))
			return
		}
		rc.mu.Lock()
		for _, rs := range in.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				rc.spans = append(rc.spans, ss.Spans...)
			}
		}
		rc.mu.Unlock()
		resp = &coltrace.ExportTraceServiceResponse{}
	default:
		rc.fail(w, fmt.Errorf("unexpected path %q", req.URL.Path))
		return
	}
	out, err := proto.Marshal(resp)
	if err != nil {
		rc.fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(out)
}

func (rc *receiver) read(req *http.Request) ([]byte, error) {
	if ct := req.Header.Get("Content-Type"); ct != "application/x-protobuf" {
		return nil, fmt.Errorf("content type %q", ct)
	}
	var r io.Reader = req.Body
	if req.Header.Get("Content-Encoding") == "gzip" {
		gz, err := gzip.NewReader(req.Body)
		if err != nil {
			return nil, err
		}
		r = gz
	}
	return io.ReadAll(r)
}

func (rc *receiver) fail(w http.ResponseWriter, err error) {
	rc.mu.Lock()
	rc.errs = append(rc.errs, err)
	rc.mu.Unlock()
	http.Error(w, err.Error(), http.StatusBadRequest)
}

func pbAttrs(kvs []*commonpb.KeyValue) map[string]string {
	m := map[string]string{}
	for _, kv := range kvs {
		m[kv.Key] = kv.Value.GetStringValue()
	}
	return m
}

// TestOTLPEndToEnd runs a request through the whole bridge with real OTLP
// exporters sending to a receiver on loopback: the statements of the
// request become spans, a span from other instrumentation becomes a timeline
// entry, the failure becomes a report carrying the trace, the report becomes
// a log record in the same trace and an exception event on the request span.
func TestOTLPEndToEnd(t *testing.T) {
	rc := &receiver{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	ctx := context.Background()

	noRetry := otlptracehttp.RetryConfig{Enabled: false}
	traceExp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(srv.URL+"/v1/traces"), otlptracehttp.WithRetry(noRetry))
	require.NoError(t, err)
	logExp, err := otlploghttp.New(ctx, otlploghttp.WithEndpointURL(srv.URL+"/v1/logs"), otlploghttp.WithRetry(otlploghttp.RetryConfig{Enabled: false}))
	require.NoError(t, err)

	proc := spantimeline.NewProcessor(nil)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(proc), sdktrace.WithSyncer(traceExp))
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewSimpleProcessor(logExp)))
	cfg := oops.Config{
		Hooks:     hooks(),
		Publisher: otelbridge.NewLogPublisher(&otelbridge.LogOptions{LoggerProvider: lp, SpanEvent: true}),
	}

	// The request.
	reqCtx, server := tp.Tracer("otelhttp").Start(ctx, "GET /items/{id}", trace.WithSpanKind(trace.SpanKindServer))
	reqCtx, _ = otelbridge.NewTimeline(reqCtx, tp, nil)

	db, err := sql.Open("sqlite", ":memory:")
	require.NoError(t, err)
	defer db.Close()
	const stmt = "SELECT name FROM items WHERE id = ?"
	for _, q := range []string{"CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)", stmt} {
		a := timeline.FromContext(reqCtx).Start("SQL-sqlite", q)
		var err error
		if q == stmt {
			err = db.QueryRowContext(reqCtx, q, 42).Scan(new(string))
		} else {
			_, err = db.ExecContext(reqCtx, q)
		}
		a.FinishErr(err)
	}
	_, call := tp.Tracer("otelhttp").Start(reqCtx, "GET", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("http.request.method", "GET"), attribute.String("url.full", "http://prices/items/42")))
	call.End()

	failure := fmt.Errorf("item 42: %w \xff", sql.ErrNoRows)
	r := cfg.Create(reqCtx, oops.Event{Err: failure, Stack: oops.Callers(0)})
	ids, err := cfg.Publish(reqCtx, r)
	require.NoError(t, err)
	require.Equal(t, []string{r.ID}, ids)
	server.End()

	require.NoError(t, tp.Shutdown(ctx))
	require.NoError(t, lp.Shutdown(ctx))

	// The report.
	traceID := server.SpanContext().TraceID()
	assert.Equal(t, traceID.String(), r.TraceID)
	assert.Equal(t, server.SpanContext().SpanID().String(), r.SpanID)
	require.Len(t, r.Timeline, 3)
	assert.Equal(t, "SQL-sqlite", r.Timeline[1].Category)
	assert.Equal(t, stmt, r.Timeline[1].Detail)
	assert.Equal(t, "sql: no rows in result set", r.Timeline[1].Error)
	assert.Equal(t, "http-GET", r.Timeline[2].Category)
	assert.Equal(t, "http://prices/items/42", r.Timeline[2].Detail)

	// What arrived.
	rc.mu.Lock()
	defer rc.mu.Unlock()
	require.Empty(t, rc.errs)

	require.Len(t, rc.logs, 1)
	lr := rc.logs[0]
	assert.Equal(t, traceID[:], lr.TraceId)
	assert.Equal(t, r.SpanID, fmt.Sprintf("%x", lr.SpanId))
	assert.Equal(t, logspb.SeverityNumber_SEVERITY_NUMBER_ERROR, lr.SeverityNumber)
	assert.Equal(t, "ERROR", lr.SeverityText)
	assert.Equal(t, "item 42: sql: no rows in result set \uFFFD", lr.Body.GetStringValue())
	la := pbAttrs(lr.Attributes)
	assert.Equal(t, r.ID, la["oops.id"])
	assert.Equal(t, "*errors.errorString", la["exception.type"])
	assert.Equal(t, "item 42: sql: no rows in result set \uFFFD", la["exception.message"])
	assert.Contains(t, la["exception.stacktrace"], "TestOTLPEndToEnd")
	assert.Equal(t, uint64(r.Time.UnixNano()), lr.TimeUnixNano)

	byName := map[string]*tracepb.Span{}
	for _, s := range rc.spans {
		assert.Equal(t, traceID[:], s.TraceId, "span %s in the request's trace", s.Name)
		byName[s.Name] = s
	}
	require.Len(t, rc.spans, 4, "CREATE, SELECT, the outgoing GET and the server span")
	sel := byName["SELECT"]
	require.NotNil(t, sel)
	assert.Equal(t, tracepb.Span_SPAN_KIND_CLIENT, sel.Kind)
	assert.Equal(t, stmt, pbAttrs(sel.Attributes)["db.query.text"])
	assert.Equal(t, "sqlite", pbAttrs(sel.Attributes)["db.system.name"])
	assert.Equal(t, tracepb.Status_STATUS_CODE_ERROR, sel.Status.GetCode())
	srvSpan := byName["GET /items/{id}"]
	require.NotNil(t, srvSpan)
	assert.Equal(t, srvSpan.SpanId, sel.ParentSpanId)
	assert.Equal(t, tracepb.Status_STATUS_CODE_ERROR, srvSpan.Status.GetCode())
	require.Len(t, srvSpan.Events, 1)
	assert.Equal(t, "exception", srvSpan.Events[0].Name)
	assert.Equal(t, r.ID, pbAttrs(srvSpan.Events[0].Attributes)["oops.id"])
}

func TestOTLPExportFailureIsNotLost(t *testing.T) {
	// A receiver that refuses everything: the exporter's error reaches
	// otel's error handler, and the publisher still returns the report's id
	// (emitting is fire-and-forget in the Logs API), so a store before it in
	// ToMany keeps the report.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "no", http.StatusBadRequest)
	}))
	defer srv.Close()
	ctx := context.Background()
	logExp, err := otlploghttp.New(ctx, otlploghttp.WithEndpointURL(srv.URL+"/v1/logs"), otlploghttp.WithRetry(otlploghttp.RetryConfig{Enabled: false}))
	require.NoError(t, err)
	exportErr := make(chan error, 1)
	proc := &errProcessor{Processor: sdklog.NewSimpleProcessor(logExp), exp: logExp, errs: exportErr}
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(proc))
	defer func() { _ = lp.Shutdown(ctx) }()

	var kept []string
	store := oops.PublisherFunc(func(_ context.Context, r *oops.Report) ([]string, error) {
		kept = append(kept, r.ID)
		return []string{r.ID}, nil
	})
	r := &oops.Report{ID: oops.NewID(), Value: "boom"}
	_, err = oops.ToMany(store, otelbridge.NewLogPublisher(&otelbridge.LogOptions{LoggerProvider: lp})).Publish(ctx, r)
	require.NoError(t, err)
	assert.Equal(t, []string{r.ID}, kept)
	assert.Error(t, <-exportErr, "the receiver refused the record")
}

// errProcessor exports each record itself to see the exporter's error.
type errProcessor struct {
	sdklog.Processor
	exp  sdklog.Exporter
	errs chan error
}

func (p *errProcessor) OnEmit(ctx context.Context, r *sdklog.Record) error {
	err := p.exp.Export(ctx, []sdklog.Record{*r})
	select {
	case p.errs <- err:
	default:
	}
	return nil
}

// TestOTLPBatchSurvivesInvalidUTF8FromAttributes sends, in one batch, a
// good report and one whose LogOptions.Attributes return strings that are
// not valid UTF-8, in keys, values, slices and maps: the exporter accepts
// the batch and both records arrive.
func TestOTLPBatchSurvivesInvalidUTF8FromAttributes(t *testing.T) {
	rc := &receiver{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	ctx := context.Background()
	logExp, err := otlploghttp.New(ctx, otlploghttp.WithEndpointURL(srv.URL+"/v1/logs"), otlploghttp.WithRetry(otlploghttp.RetryConfig{Enabled: false}))
	require.NoError(t, err)
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewBatchProcessor(logExp)))
	defer func() { _ = lp.Shutdown(ctx) }()

	p := otelbridge.NewLogPublisher(&otelbridge.LogOptions{
		LoggerProvider: lp,
		Attributes: func(r *oops.Report) []attribute.KeyValue {
			if r.Value == "good" {
				return []attribute.KeyValue{attribute.String("tenant", "acme")}
			}
			return []attribute.KeyValue{
				attribute.String("tenant", "ac\xffme"),
				attribute.String("bad\xfekey", "v"),
				attribute.StringSlice("tags", []string{"ok", "b\xc3\x28d"}),
				{Key: "nested", Value: attribute.MapValue(
					attribute.String("k\xff", "v\xff"),
					attribute.KeyValue{Key: "list", Value: attribute.SliceValue(attribute.StringValue("x\xffy"), attribute.IntValue(3))},
				)},
				attribute.Int("n", 7),
			}
		},
	})
	good := &oops.Report{ID: oops.NewID(), Type: "*errors.errorString", Value: "good"}
	bad := &oops.Report{ID: oops.NewID(), Type: "*errors.errorString", Value: "bad", Level: "WARN\xff"}
	for _, r := range []*oops.Report{good, bad} {
		_, err := p.Publish(ctx, r)
		require.NoError(t, err)
	}
	require.NoError(t, lp.ForceFlush(ctx), "the exporter refused nothing")

	rc.mu.Lock()
	defer rc.mu.Unlock()
	require.Empty(t, rc.errs)
	require.Len(t, rc.logs, 2, "the good report is not lost with the bad one")
	byID := map[string]*logspb.LogRecord{}
	for _, lr := range rc.logs {
		byID[pbAttrs(lr.Attributes)["oops.id"]] = lr
	}
	require.Contains(t, byID, good.ID)
	require.Contains(t, byID, bad.ID)
	assert.Equal(t, "acme", pbAttrs(byID[good.ID].Attributes)["tenant"])

	lr := byID[bad.ID]
	assert.Equal(t, "WARN\uFFFD", lr.SeverityText)
	attrs := map[string]*commonpb.AnyValue{}
	for _, kv := range lr.Attributes {
		attrs[kv.Key] = kv.Value
	}
	assert.Equal(t, "ac\uFFFDme", attrs["tenant"].GetStringValue())
	assert.Equal(t, "v", attrs["bad\uFFFDkey"].GetStringValue())
	var tags []string
	for _, v := range attrs["tags"].GetArrayValue().GetValues() {
		tags = append(tags, v.GetStringValue())
	}
	assert.Equal(t, []string{"ok", "b\uFFFD(d"}, tags)
	nested := attrs["nested"].GetKvlistValue().GetValues()
	require.Len(t, nested, 2)
	byKey := map[string]*commonpb.AnyValue{}
	for _, kv := range nested {
		byKey[kv.Key] = kv.Value
	}
	assert.Equal(t, "v\uFFFD", byKey["k\uFFFD"].GetStringValue())
	list := byKey["list"].GetArrayValue().GetValues()
	require.Len(t, list, 2)
	assert.Equal(t, "x\uFFFDy", list[0].GetStringValue())
	assert.Equal(t, int64(3), list[1].GetIntValue())
	assert.Equal(t, int64(7), attrs["n"].GetIntValue())
}
