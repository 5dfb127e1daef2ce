package otelbridge_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/otelbridge"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/trace"
)

func TestLogPublisherEmitsReportAsRecord(t *testing.T) {
	lp, exp := newLogs(t)
	tp, _ := newTraces(t)
	ctx, span := tp.Tracer("test").Start(context.Background(), "request")
	defer span.End()

	cfg := oops.Config{Hooks: hooks(), Publisher: otelbridge.NewLogPublisher(&otelbridge.LogOptions{LoggerProvider: lp})}
	cfg.Template.Topic = "GET /items/{id}"
	err := fmt.Errorf("load item: %w", &quotaError{"open /nope: file does not exist"})
	r := cfg.Create(ctx, oops.Event{Err: err, Stack: oops.Callers(0)})
	r.Signature = "sig123"

	ids, perr := cfg.Publish(ctx, r)
	require.NoError(t, perr)
	assert.Equal(t, []string{r.ID}, ids)

	recs := exp.records()
	require.Len(t, recs, 1)
	rec := recs[0]
	assert.Equal(t, log.SeverityError, rec.Severity())
	assert.Equal(t, "ERROR", rec.SeverityText())
	assert.Equal(t, "load item: open /nope: file does not exist", rec.Body().AsString())
	assert.True(t, rec.Timestamp().Equal(r.Time), "timestamp is the report's time")
	assert.Equal(t, span.SpanContext().TraceID(), rec.TraceID())
	assert.Equal(t, span.SpanContext().SpanID(), rec.SpanID())

	attrs := logAttrs(rec)
	assert.Equal(t, "*otelbridge_test.quotaError", attrs["exception.type"])
	assert.Equal(t, "load item: open /nope: file does not exist", attrs["exception.message"])
	assert.Contains(t, attrs["exception.stacktrace"], "TestLogPublisherEmitsReportAsRecord")
	assert.Equal(t, r.TBText, attrs["exception.stacktrace"])
	assert.Equal(t, r.ID, attrs["oops.id"])
	assert.True(t, oops.ValidID(attrs["oops.id"]))
	assert.Equal(t, "sig123", attrs["oops.signature"])
	assert.Equal(t, "GET /items/{id}", attrs["oops.topic"])
	assert.NotContains(t, attrs, "code.stacktrace")
	assert.NotContains(t, attrs, "oops.url", "empty fields are left out")
}

func TestLogPublisherLogRecordWithoutError(t *testing.T) {
	lp, exp := newLogs(t)
	cfg := oops.Config{Publisher: otelbridge.NewLogPublisher(&otelbridge.LogOptions{LoggerProvider: lp})}
	r := cfg.Create(context.Background(), oops.Event{Level: "WARN", Msg: "disk almost full", Stack: oops.Callers(0)})
	_, err := cfg.Publish(context.Background(), r)
	require.NoError(t, err)

	recs := exp.records()
	require.Len(t, recs, 1)
	assert.Equal(t, log.SeverityWarn, recs[0].Severity())
	assert.Equal(t, "WARN", recs[0].SeverityText())
	assert.Equal(t, "disk almost full", recs[0].Body().AsString())
	attrs := logAttrs(recs[0])
	assert.NotContains(t, attrs, "exception.type", "no error, no exception")
	assert.NotContains(t, attrs, "exception.message")
	assert.Contains(t, attrs["code.stacktrace"], "TestLogPublisherLogRecordWithoutError")
	assert.False(t, recs[0].TraceID().IsValid(), "no span anywhere")
}

func TestSeverity(t *testing.T) {
	for _, tc := range []struct {
		level string
		want  log.Severity
		text  string
	}{
		{"", log.SeverityError, "ERROR"},
		{"ERROR", log.SeverityError1, "ERROR"},
		{"ERROR+2", log.SeverityError3, "ERROR+2"},
		{"ERROR+3", log.SeverityError4, "ERROR+3"},
		{"ERROR+4", log.SeverityFatal1, "ERROR+4"},
		{"ERROR+100", log.SeverityFatal4, "ERROR+100"},
		{"WARN", log.SeverityWarn1, "WARN"},
		{"warning", log.SeverityWarn1, "warning"},
		{"INFO", log.SeverityInfo1, "INFO"},
		{"INFO-4", log.SeverityDebug1, "INFO-4"},
		{"DEBUG", log.SeverityDebug1, "DEBUG"},
		{"DEBUG-100", log.SeverityTrace1, "DEBUG-100"},
		{"TRACE", log.SeverityTrace1, "TRACE"},
		{"FATAL", log.SeverityFatal1, "FATAL"},
		{"panic", log.SeverityFatal1, "panic"},
		{"dpanic", log.SeverityFatal1, "dpanic"},
		{"CRITICAL", log.SeverityFatal1, "CRITICAL"},
		{"NOTICE", log.SeverityError, "NOTICE"},
		{"ERROR+x", log.SeverityError, "ERROR+x"},
	} {
		sev, text := otelbridge.Severity(tc.level)
		assert.Equal(t, tc.want, sev, "level %q", tc.level)
		assert.Equal(t, tc.text, text, "level %q", tc.level)
	}
}

func TestLogPublisherTakesTraceFromReportWhenContextHasNone(t *testing.T) {
	// oops.Async publishes with a context of its own: the record must still
	// carry the trace the report was made in.
	lp, exp := newLogs(t)
	tp, _ := newTraces(t)
	ctx, span := tp.Tracer("test").Start(context.Background(), "request")
	defer span.End()

	async := oops.NewAsync(otelbridge.NewLogPublisher(&otelbridge.LogOptions{LoggerProvider: lp}), nil)
	cfg := oops.Config{Hooks: hooks(), Publisher: async}
	r := cfg.Create(ctx, oops.Event{Err: errors.New("boom")})
	ids, err := cfg.Publish(ctx, r)
	require.NoError(t, err)
	require.Equal(t, []string{r.ID}, ids)
	require.NoError(t, async.Close(context.Background()))

	recs := exp.records()
	require.Len(t, recs, 1)
	assert.Equal(t, span.SpanContext().TraceID(), recs[0].TraceID())
	assert.Equal(t, span.SpanContext().SpanID(), recs[0].SpanID())
	assert.Equal(t, trace.FlagsSampled, recs[0].TraceFlags(), "the span was sampled")
	assert.Equal(t, r.ID, logAttrs(recs[0])["oops.id"])
}

func TestLogPublisherKeepsTraceFlagsThroughAsync(t *testing.T) {
	lp, exp := newLogs(t)
	async := oops.NewAsync(otelbridge.NewLogPublisher(&otelbridge.LogOptions{LoggerProvider: lp}), nil)
	cfg := oops.Config{Hooks: hooks(), Publisher: async}
	for _, flags := range []trace.TraceFlags{trace.FlagsSampled, 0} {
		sc := trace.NewSpanContext(trace.SpanContextConfig{
			TraceID: trace.TraceID{1, 2, 3}, SpanID: trace.SpanID{4, 5, 6}, TraceFlags: flags, Remote: true,
		})
		ctx := trace.ContextWithRemoteSpanContext(context.Background(), sc)
		r := cfg.Create(ctx, oops.Event{Err: errors.New("boom")})
		assert.Equal(t, int(flags), r.TraceFlags)
		_, err := cfg.Publish(ctx, r)
		require.NoError(t, err)
	}
	require.NoError(t, async.Close(context.Background()))
	recs := exp.records()
	require.Len(t, recs, 2)
	assert.Equal(t, trace.FlagsSampled, recs[0].TraceFlags())
	assert.Equal(t, trace.TraceFlags(0), recs[1].TraceFlags())
	for _, rec := range recs {
		assert.Equal(t, trace.TraceID{1, 2, 3}, rec.TraceID())
		assert.Equal(t, trace.SpanID{4, 5, 6}, rec.SpanID())
	}
}

func TestLogPublisherIgnoresMalformedReportTraceIDs(t *testing.T) {
	lp, exp := newLogs(t)
	p := otelbridge.NewLogPublisher(&otelbridge.LogOptions{LoggerProvider: lp})
	for _, r := range []*oops.Report{
		{ID: oops.NewID(), Value: "a", TraceID: "not hex", SpanID: "0102030405060708"},
		{ID: oops.NewID(), Value: "b", TraceID: "0102030405060708090a0b0c0d0e0f10", SpanID: "zz"},
		{ID: oops.NewID(), Value: "c", TraceID: "00000000000000000000000000000000", SpanID: "0000000000000000"},
	} {
		_, err := p.Publish(context.Background(), r)
		require.NoError(t, err)
	}
	recs := exp.records()
	require.Len(t, recs, 3, "bad trace ids do not stop the record")
	for _, rec := range recs {
		assert.False(t, rec.TraceID().IsValid())
	}
}

func TestLogPublisherCleansInvalidUTF8(t *testing.T) {
	lp, exp := newLogs(t)
	p := otelbridge.NewLogPublisher(&otelbridge.LogOptions{LoggerProvider: lp})
	r := &oops.Report{ID: oops.NewID(), Type: "main.\xffErr", Value: "bad \xc3\x28 bytes", TBText: "f()\n\t\xfe:1\n", Topic: "t\xff"}
	_, err := p.Publish(context.Background(), r)
	require.NoError(t, err)
	recs := exp.records()
	require.Len(t, recs, 1)
	assert.Equal(t, "bad \uFFFD( bytes", recs[0].Body().AsString())
	for k, v := range logAttrs(recs[0]) {
		assert.True(t, utf8.ValidString(v), "attribute %s = %q", k, v)
	}
	assert.Equal(t, "main.\uFFFDErr", logAttrs(recs[0])["exception.type"])
	assert.Equal(t, "bad \xc3\x28 bytes", r.Value, "the report itself is not changed")
}

func TestLogPublisherHugeValueIsLimitedByProvider(t *testing.T) {
	exp := &memExporter{}
	lp := newLimitedLogs(t, exp, 1024)
	p := otelbridge.NewLogPublisher(&otelbridge.LogOptions{LoggerProvider: lp})
	huge := strings.Repeat("x", 1<<20)
	r := &oops.Report{ID: oops.NewID(), Type: "*errors.errorString", Value: huge, TBText: huge}
	ids, err := p.Publish(context.Background(), r)
	require.NoError(t, err)
	assert.Equal(t, []string{r.ID}, ids)
	recs := exp.records()
	require.Len(t, recs, 1)
	assert.Len(t, logAttrs(recs[0])["exception.message"], 1024)
	assert.Len(t, logAttrs(recs[0])["exception.stacktrace"], 1024)
	assert.Equal(t, r.ID, logAttrs(recs[0])["oops.id"])
}

func TestLogPublisherExtraAttributes(t *testing.T) {
	lp, exp := newLogs(t)
	p := otelbridge.NewLogPublisher(&otelbridge.LogOptions{
		LoggerProvider: lp,
		Attributes: func(r *oops.Report) []attribute.KeyValue {
			return []attribute.KeyValue{attribute.String("tenant", r.Extra["tenant"].(string))}
		},
	})
	_, err := p.Publish(context.Background(), &oops.Report{ID: oops.NewID(), Value: "v", Extra: map[string]any{"tenant": "acme"}})
	require.NoError(t, err)
	require.Len(t, exp.records(), 1)
	assert.Equal(t, "acme", logAttrs(exp.records()[0])["tenant"])
}

func TestLogPublisherComposes(t *testing.T) {
	lp, exp := newLogs(t)
	otel := otelbridge.NewLogPublisher(&otelbridge.LogOptions{LoggerProvider: lp})
	var stored []string
	store := oops.PublisherFunc(func(_ context.Context, r *oops.Report) ([]string, error) {
		stored = append(stored, r.ID)
		return []string{r.ID}, nil
	})

	r := &oops.Report{ID: oops.NewID(), Value: "boom"}
	ids, err := oops.ToMany(store, otel).Publish(context.Background(), r)
	require.NoError(t, err)
	assert.Equal(t, []string{r.ID, r.ID}, ids)
	assert.Len(t, exp.records(), 1)
	assert.Equal(t, []string{r.ID}, stored)

	// Once the provider is shut down, the publisher keeps nothing and says
	// so with no ids, so WithFallback moves on.
	require.NoError(t, lp.Shutdown(context.Background()))
	r2 := &oops.Report{ID: oops.NewID(), Value: "boom again"}
	ids, err = oops.WithFallback(otel, store).Publish(context.Background(), r2)
	require.NoError(t, err)
	assert.Equal(t, []string{r2.ID}, ids)
	assert.Equal(t, []string{r.ID, r2.ID}, stored)
	assert.Len(t, exp.records(), 1, "nothing emitted after shutdown")
}

func TestLogPublisherGlobalProviderByDefault(t *testing.T) {
	// The global provider is the no-op one unless a program sets it; the
	// publisher then keeps nothing.
	ids, err := otelbridge.NewLogPublisher(nil).Publish(context.Background(), &oops.Report{ID: oops.NewID()})
	require.NoError(t, err)
	assert.Empty(t, ids)
}

func TestLogPublisherSpanEvent(t *testing.T) {
	lp, exp := newLogs(t)
	tp, rec := newTraces(t)
	ctx, span := tp.Tracer("test").Start(context.Background(), "request")

	cfg := oops.Config{Hooks: hooks(), Publisher: otelbridge.NewLogPublisher(&otelbridge.LogOptions{LoggerProvider: lp, SpanEvent: true})}
	r := cfg.Create(ctx, oops.Event{Err: errors.New("boom"), Stack: oops.Callers(0)})
	_, err := cfg.Publish(ctx, r)
	require.NoError(t, err)
	span.End()

	require.Len(t, exp.records(), 1)
	ended := rec.Ended()
	require.Len(t, ended, 1)
	assert.Equal(t, codes.Error, ended[0].Status().Code)
	assert.Equal(t, "boom", ended[0].Status().Description)
	require.Len(t, ended[0].Events(), 1)
	ev := ended[0].Events()[0]
	assert.Equal(t, "exception", ev.Name)
	assert.True(t, ev.Time.Equal(r.Time))
	attrs := kvMap(ev.Attributes)
	assert.Equal(t, "*errors.errorString", attrs["exception.type"])
	assert.Equal(t, "boom", attrs["exception.message"])
	assert.Contains(t, attrs["exception.stacktrace"], "TestLogPublisherSpanEvent")
	assert.Equal(t, r.ID, attrs["oops.id"])
}

func TestLogPublisherSpanEventOnlyForFailures(t *testing.T) {
	for _, tc := range []struct {
		name     string
		ev       oops.Event
		severity log.Severity // LogOptions.ErrorSeverity
		failure  bool
		typ      string
	}{
		{name: "warn without error", ev: oops.Event{Level: "WARN", Msg: "slow query"}},
		{name: "warn+2 without error", ev: oops.Event{Level: "WARN+2", Msg: "slow query"}},
		{name: "warn with error", ev: oops.Event{Level: "WARN", Msg: "retrying", Err: errors.New("timeout")}, failure: true, typ: "*errors.errorString"},
		{name: "error without error", ev: oops.Event{Level: "ERROR", Msg: "gave up"}, failure: true, typ: "ERROR"},
		{name: "panic, no level", ev: oops.Event{Err: errors.New("boom")}, failure: true, typ: "*errors.errorString"},
		{name: "warn, threshold warn", ev: oops.Event{Level: "WARN", Msg: "slow query"}, severity: log.SeverityWarn1, failure: true, typ: "WARN"},
		{name: "info, threshold warn", ev: oops.Event{Level: "INFO", Msg: "fine"}, severity: log.SeverityWarn1},
		{name: "fatal, threshold above fatal", ev: oops.Event{Level: "FATAL", Msg: "down"}, severity: log.SeverityFatal4 + 1},
		{name: "error, threshold above fatal", ev: oops.Event{Level: "ERROR", Err: errors.New("x")}, severity: log.SeverityFatal4 + 1, failure: true, typ: "*errors.errorString"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lp, exp := newLogs(t)
			tp, rec := newTraces(t)
			ctx, span := tp.Tracer("test").Start(context.Background(), "request")
			cfg := oops.Config{Hooks: hooks(), Publisher: otelbridge.NewLogPublisher(&otelbridge.LogOptions{
				LoggerProvider: lp, SpanEvent: true, ErrorSeverity: tc.severity,
			})}
			r := cfg.Create(ctx, tc.ev)
			_, err := cfg.Publish(ctx, r)
			require.NoError(t, err)
			span.End()

			require.Len(t, exp.records(), 1, "the record is emitted either way")
			assert.Equal(t, span.SpanContext().TraceID(), exp.records()[0].TraceID())
			require.Len(t, rec.Ended(), 1)
			ended := rec.Ended()[0]
			if !tc.failure {
				assert.Equal(t, codes.Unset, ended.Status().Code, "not a failed request")
				assert.Empty(t, ended.Events())
				return
			}
			assert.Equal(t, codes.Error, ended.Status().Code)
			require.Len(t, ended.Events(), 1)
			assert.Equal(t, "exception", ended.Events()[0].Name)
			assert.Equal(t, tc.typ, kvMap(ended.Events()[0].Attributes)["exception.type"])
		})
	}
}

func TestLogPublisherAttributesSliceIsNotChanged(t *testing.T) {
	// Attributes may return the same slice to every call; cleaning must
	// not write to it (the race detector would see concurrent calls).
	lp, exp := newLogs(t)
	shared := []attribute.KeyValue{attribute.String("zone", "eu\xff"), attribute.StringSlice("s", []string{"\xfe"})}
	p := otelbridge.NewLogPublisher(&otelbridge.LogOptions{
		LoggerProvider: lp,
		Attributes:     func(*oops.Report) []attribute.KeyValue { return shared },
	})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			_, err := p.Publish(context.Background(), &oops.Report{ID: oops.NewID(), Value: "v"})
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	require.Len(t, exp.records(), 4)
	assert.Equal(t, "eu\uFFFD", logAttrs(exp.records()[0])["zone"])
	assert.Equal(t, "eu\xff", shared[0].Value.AsString())
	assert.Equal(t, []string{"\xfe"}, shared[1].Value.AsStringSlice())
}

func TestLogPublisherSpanEventOffOrNoSpan(t *testing.T) {
	lp, _ := newLogs(t)
	tp, rec := newTraces(t)
	ctx, span := tp.Tracer("test").Start(context.Background(), "request")
	_, err := otelbridge.NewLogPublisher(&otelbridge.LogOptions{LoggerProvider: lp}).Publish(ctx, &oops.Report{ID: oops.NewID(), Value: "x"})
	require.NoError(t, err)
	span.End()
	require.Len(t, rec.Ended(), 1)
	assert.Empty(t, rec.Ended()[0].Events())
	assert.Equal(t, codes.Unset, rec.Ended()[0].Status().Code)

	// With a span context but no recording span, nothing to record on.
	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{1}, SpanID: trace.SpanID{1}})
	p := otelbridge.NewLogPublisher(&otelbridge.LogOptions{LoggerProvider: lp, SpanEvent: true})
	ids, err := p.Publish(trace.ContextWithSpanContext(context.Background(), sc), &oops.Report{ID: oops.NewID(), Value: "x"})
	require.NoError(t, err)
	assert.Len(t, ids, 1)
}

func TestLogPublisherConcurrent(t *testing.T) {
	lp, exp := newLogs(t)
	tp, _ := newTraces(t)
	ctx, span := tp.Tracer("test").Start(context.Background(), "request")
	defer span.End()
	cfg := oops.Config{Hooks: hooks(), Publisher: otelbridge.NewLogPublisher(&otelbridge.LogOptions{LoggerProvider: lp, SpanEvent: true})}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				r := cfg.Create(ctx, oops.Event{Err: errors.New("boom"), Time: time.Now()})
				_, err := cfg.Publish(ctx, r)
				assert.NoError(t, err)
			}
		})
	}
	wg.Wait()
	assert.Len(t, exp.records(), 400)
}

func BenchmarkLogPublisher(b *testing.B) {
	lp, _ := newLogs(b)
	p := otelbridge.NewLogPublisher(&otelbridge.LogOptions{LoggerProvider: lp})
	cfg := oops.Config{Hooks: hooks()}
	r := cfg.Create(context.Background(), oops.Event{Err: errors.New("boom"), Stack: oops.Callers(0)})
	b.ReportAllocs()
	for b.Loop() {
		r.ID = oops.NewID() // a new report each time: a repeated id is not emitted again
		if _, err := p.Publish(context.Background(), r); err != nil {
			b.Fatal(err)
		}
	}
}

type quotaError struct{ msg string }

func (e *quotaError) Error() string { return e.msg }

func TestLogPublisherBadInput(t *testing.T) {
	lp, exp := newLogs(t)
	p := otelbridge.NewLogPublisher(&otelbridge.LogOptions{
		LoggerProvider: lp,
		Attributes:     func(*oops.Report) []attribute.KeyValue { panic("attrs broke") },
	})
	ids, err := p.Publish(context.Background(), nil)
	assert.Error(t, err)
	assert.Empty(t, ids)

	// Nil context, empty report, a panicking Attributes.
	var nilCtx context.Context
	ids, err = p.Publish(nilCtx, &oops.Report{})
	require.NoError(t, err)
	assert.Empty(t, ids, "a report without an id gives no id")
	recs := exp.records()
	require.Len(t, recs, 1)
	assert.Equal(t, "attrs broke", logAttrs(recs[0])["oops.attributes_panic"])
	assert.Equal(t, log.SeverityError, recs[0].Severity())
}
