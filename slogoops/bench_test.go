package slogoops_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/flight"
	"github.com/oops-go/oops/internal/benchcpu"
	"github.com/oops-go/oops/slogoops"
	"github.com/oops-go/oops/timeline"
)

// BenchmarkBelowReport logs an Info record with three attributes, which next
// (a JSON handler writing to io.Discard) writes: through next alone, through
// the handler with the recorder off, and with the record kept in a ring or
// in the ctx timeline.
func BenchmarkBelowReport(b *testing.B) {
	next := func() slog.Handler {
		return slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo})
	}
	cases := []struct {
		name string
		h    slog.Handler
		ctx  context.Context
	}{
		{"next", next(), context.Background()},
		{"slogoops-off", slogoops.NewHandler(next(), nil, &slogoops.Options{NoRecording: true, Recorder: flight.New(nil)}), context.Background()},
		{"slogoops-ring", slogoops.NewHandler(next(), nil, &slogoops.Options{Recorder: flight.New(nil)}), context.Background()},
		{"slogoops-timeline", slogoops.NewHandler(next(), nil, &slogoops.Options{Recorder: flight.New(nil)}),
			timeline.NewContext(context.Background(), timeline.New())},
	}
	for _, c := range cases {
		b.Run("impl="+c.name, func(b *testing.B) {
			logger := slog.New(c.h)
			loop(b, func() { logger.InfoContext(c.ctx, "cache miss", "key", "user:42", "n", 3, "hit", false) })
		})
	}
}

// BenchmarkKeptOnly logs a Debug record that next drops: the cost of keeping
// it is all the handler adds.
func BenchmarkKeptOnly(b *testing.B) {
	next := slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo})
	for _, c := range []struct {
		name string
		h    slog.Handler
	}{
		{"next", next},
		{"slogoops-ring", slogoops.NewHandler(next, nil, &slogoops.Options{Recorder: flight.New(nil)})},
	} {
		b.Run("impl="+c.name, func(b *testing.B) {
			logger := slog.New(c.h)
			loop(b, func() { logger.Debug("cache miss", "key", "user:42", "n", 3, "hit", false) })
		})
	}
}

// BenchmarkReport logs an Error record with an error attribute: the report
// is made (stack captured and formatted, attributes rendered, signature
// computed) and put on an oops.Async queue in front of a store that keeps
// nothing. The rate limit and the window are off so that every record makes
// a report. rings=full attaches 400 kept records to each report.
func BenchmarkReport(b *testing.B) {
	err := errors.New("connection refused")
	for _, rings := range []string{"empty", "full"} {
		b.Run("rings="+rings, func(b *testing.B) {
			async := oops.NewAsync(oops.Discard, nil)
			defer async.Close(context.Background())
			// A queue this fast overflows now and then: count, do not print.
			rec := flight.New(&flight.Options{NoRateLimit: true, OnDrops: func(flight.DropSummary) {}})
			h := slogoops.NewHandler(slog.NewJSONHandler(io.Discard, nil), &oops.Config{Publisher: async},
				&slogoops.Options{Recorder: rec})
			logger := slog.New(h)
			if rings == "full" {
				for i := range 100 {
					logger.Debug("d", "i", i)
					logger.Info("i", "i", i)
					logger.Warn("w", "i", i)
				}
				for i := range 100 {
					rec.Keep(context.Background(), slog.LevelError, time.Now(), &errRecord{i})
				}
			}
			loop(b, func() { logger.Error("query failed", "err", err, "table", "orders", "attempt", 3) })
		})
	}
}

// loop runs f b.N times and reports, beside the wall time, the process's
// CPU time per operation ("cpu-ns/op", see package benchcpu), the garbage
// collector's included.
func loop(b *testing.B, f func()) {
	b.ReportAllocs()
	stopCPU := benchcpu.Start(b)
	for b.Loop() {
		f()
	}
	stopCPU()
}

type errRecord struct{ i int }

func (e *errRecord) LogRecord() oops.LogRecord {
	return oops.LogRecord{Level: "ERROR", Msg: "e", Attrs: map[string]any{"i": int64(e.i)}}
}
func (e *errRecord) String() string { return flight.Detail(e.LogRecord()) }
