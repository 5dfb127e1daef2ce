package otelbridge_test

import (
	"context"
	"errors"
	"testing"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/internal/benchcpu"
	"github.com/oops-go/oops/otelbridge"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/trace"
)

func TestAttachTraceSetsIDsOfTheSpanInContext(t *testing.T) {
	tp, _ := newTraces(t)
	ctx, root := tp.Tracer("test").Start(context.Background(), "request")
	ctx, child := tp.Tracer("test").Start(ctx, "handler")
	defer root.End()
	defer child.End()

	cfg := oops.Config{Hooks: hooks()}
	r := cfg.Create(ctx, oops.Event{Err: errors.New("boom")})

	require.True(t, child.SpanContext().IsValid())
	assert.Equal(t, child.SpanContext().TraceID().String(), r.TraceID)
	assert.Equal(t, child.SpanContext().SpanID().String(), r.SpanID)
	assert.Equal(t, root.SpanContext().TraceID().String(), r.TraceID, "same trace as the root")
	assert.Len(t, r.TraceID, 32)
	assert.Len(t, r.SpanID, 16)
}

func TestAttachTraceWithoutSpanLeavesReportAlone(t *testing.T) {
	cfg := oops.Config{Hooks: hooks()}
	for name, ctx := range map[string]context.Context{
		"background":   context.Background(),
		"nil":          nil,
		"invalid span": trace.ContextWithSpanContext(context.Background(), trace.SpanContext{}),
	} {
		t.Run(name, func(t *testing.T) {
			r := cfg.Create(ctx, oops.Event{Err: errors.New("boom")})
			assert.Empty(t, r.TraceID)
			assert.Empty(t, r.SpanID)
			assert.NotEmpty(t, r.Value, "other hooks still ran")
		})
	}
}

func TestAttachTraceUsesRemoteSpanContext(t *testing.T) {
	// A context that only carries the caller's span context (as a propagator
	// extracts it) still identifies the trace.
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{0x0a, 15: 0x01}, SpanID: trace.SpanID{0x0b, 7: 0x02}, Remote: true,
	})
	r := &oops.Report{}
	otelbridge.AttachTrace(trace.ContextWithRemoteSpanContext(context.Background(), sc), r, &oops.Event{})
	assert.Equal(t, "0a000000000000000000000000000001", r.TraceID)
	assert.Equal(t, "0b00000000000002", r.SpanID)
}

func TestAttachTraceKeepsIDsAlreadySet(t *testing.T) {
	tp, _ := newTraces(t)
	ctx, span := tp.Tracer("test").Start(context.Background(), "request")
	defer span.End()
	r := &oops.Report{TraceID: "from-template"}
	otelbridge.AttachTrace(ctx, r, &oops.Event{})
	assert.Equal(t, "from-template", r.TraceID)
	assert.Empty(t, r.SpanID)
}

func BenchmarkAttachTrace(b *testing.B) {
	type key struct{}
	deep := context.Background()
	for i := range 8 {
		deep = context.WithValue(deep, key{}, i)
	}
	tp, _ := newTraces(b)
	withSpan, span := tp.Tracer("bench").Start(context.Background(), "request")
	defer span.End()

	for _, bc := range []struct {
		name string
		ctx  context.Context
	}{
		{"span=none", context.Background()},
		{"span=none-ctx-depth-8", deep},
		{"span=recording", withSpan},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			var ev oops.Event
			var r oops.Report
			stopCPU := benchcpu.Start(b)
			defer stopCPU()
			for b.Loop() {
				r.TraceID, r.SpanID = "", ""
				otelbridge.AttachTrace(bc.ctx, &r, &ev)
			}
		})
	}
}
