package zapoops_test

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/flight"
	"github.com/oops-go/oops/internal/benchcpu"
	"github.com/oops-go/oops/timeline"
	"github.com/oops-go/oops/zapoops"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

func benchJSONCore() zapcore.Core {
	return zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(io.Discard), zapcore.InfoLevel)
}

func benchFields() []zap.Field {
	return []zap.Field{zap.String("user", "ada"), zap.Int("attempt", 3), zap.Bool("cached", false),
		zap.Float64("ratio", 0.5), zap.String("route", "/api/v1/items")}
}

// BenchmarkBelowReportLevel logs at Info with five fields through zap's JSON
// core alone and through the same core wrapped, with the recorder off and on
// (kept in the rings, or in a ctx timeline).
func BenchmarkBelowReportLevel(b *testing.B) {
	fields := benchFields()
	run := func(b *testing.B, logger *zap.Logger, extra ...zap.Field) {
		fs := append(append([]zap.Field(nil), fields...), extra...)
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			logger.Info("item served", fs...)
		}
	}
	b.Run("impl=zap", func(b *testing.B) { run(b, zap.New(benchJSONCore())) })
	b.Run("impl=zapoops-norecording", func(b *testing.B) {
		run(b, zap.New(zapoops.Wrap(benchJSONCore(), nil, &zapoops.Options{NoRecording: true})))
	})
	b.Run("impl=zapoops-ring", func(b *testing.B) {
		run(b, zap.New(zapoops.Wrap(benchJSONCore(), nil, &zapoops.Options{Recorder: flight.New(nil)})))
	})
	b.Run("impl=zapoops-timeline", func(b *testing.B) {
		ctx := timeline.NewContext(context.Background(), timeline.New())
		logger := zap.New(zapoops.Wrap(benchJSONCore(), nil, &zapoops.Options{Recorder: flight.New(nil)}))
		// Four call fields and the Context field: five in all.
		run(b, logger.With(zapoops.Context(ctx)))
	})
}

// BenchmarkDebugKept logs at Debug, below the JSON core's level: zap drops
// the entry at once; with the recorder on, it is kept without being written.
func BenchmarkDebugKept(b *testing.B) {
	fields := benchFields()
	run := func(b *testing.B, logger *zap.Logger) {
		b.ReportAllocs()
		for b.Loop() {
			logger.Debug("cache lookup", fields...)
		}
	}
	b.Run("impl=zap", func(b *testing.B) { run(b, zap.New(benchJSONCore())) })
	b.Run("impl=zapoops-norecording", func(b *testing.B) {
		run(b, zap.New(zapoops.Wrap(benchJSONCore(), nil, &zapoops.Options{NoRecording: true})))
	})
	b.Run("impl=zapoops-ring", func(b *testing.B) {
		run(b, zap.New(zapoops.Wrap(benchJSONCore(), nil, &zapoops.Options{Recorder: flight.New(nil)})))
	})
}

// BenchmarkReport logs an error that becomes a report: the report is made
// (stack captured and formatted, fields rendered, signature computed) and
// put on an oops.Async queue in front of a store that keeps nothing, as in
// slogoops' BenchmarkReport. The rate limit is off, so that every entry
// makes a report. cpu-ns/op counts the queue's goroutine and the collector
// too.
func BenchmarkReport(b *testing.B) {
	err := errors.New("card declined")
	async := oops.NewAsync(oops.Discard, nil)
	defer async.Close(context.Background())
	// A queue this fast overflows now and then: count, do not print.
	rec := flight.New(&flight.Options{NoRateLimit: true, NoRings: true, OnDrops: func(flight.DropSummary) {}})
	cfg := &oops.Config{Publisher: async}
	logger := zap.New(zapoops.Wrap(benchJSONCore(), cfg, &zapoops.Options{Recorder: rec}))
	b.ReportAllocs()
	stop := benchcpu.Start(b)
	for b.Loop() {
		logger.Error("charge failed", zap.Error(err), zap.String("user", "ada"), zap.Int("cents", 1299))
	}
	stop()
}

// BenchmarkKeep measures what the recorder adds to an entry below the report
// level, alone: the Core's Check and Write for an Info entry with five
// fields, kept in a ring.
func BenchmarkKeep(b *testing.B) {
	core := zapoops.NewCore(nil, &zapoops.Options{Recorder: flight.New(nil)})
	fields := benchFields()
	ent := zapcore.Entry{Level: zapcore.InfoLevel, Message: "item served"}
	b.ReportAllocs()
	for b.Loop() {
		if ce := core.Check(ent, nil); ce != nil {
			ce.Write(fields...)
		}
	}
}
