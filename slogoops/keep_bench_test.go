package slogoops_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/oops-go/oops/flight"
	"github.com/oops-go/oops/internal/benchcpu"
	"github.com/oops-go/oops/slogoops"
	"github.com/oops-go/oops/timeline"
)

// BenchmarkKeepTimeline logs an Info record with three attributes, which
// next (a JSON handler writing to io.Discard) writes, into a ctx timeline, in
// the two ways timelines are used: one timeline per request (a fresh one
// every 50 records, made for impl=next too, so that only keeping differs),
// and one long-lived timeline that has reached its cap (a background job),
// whose dropped records are released and reused.
func BenchmarkKeepTimeline(b *testing.B) {
	next := func() slog.Handler {
		return slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo})
	}
	for _, life := range []string{"request", "capped"} {
		for _, c := range []struct {
			name string
			h    slog.Handler
		}{
			{"next", next()},
			{"slogoops", slogoops.NewHandler(next(), nil, &slogoops.Options{Recorder: flight.New(nil)})},
		} {
			b.Run("timeline="+life+"/impl="+c.name, func(b *testing.B) {
				logger := slog.New(c.h)
				ctx := timeline.NewContext(context.Background(), timeline.New())
				n := 0
				loop(b, func() {
					if life == "request" {
						if n++; n == 50 {
							n = 0
							ctx = timeline.NewContext(context.Background(), timeline.New())
						}
					}
					logger.InfoContext(ctx, "cache miss", "key", "user:42", "n", 3, "hit", false)
				})
			})
		}
	}
}

// BenchmarkKeepRequest is the request-shaped benchmark of keeping records:
// a request makes a fresh timeline (for impl=next too, so that only keeping
// differs) and logs 10 Info records with three scalar attributes into it,
// which next writes. An op is a request: allocs/op are a request's
// allocations, and ns/record and cpu-ns/record divide by the records.
func BenchmarkKeepRequest(b *testing.B) {
	const records = 10
	next := func() slog.Handler {
		return slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo})
	}
	for _, c := range []struct {
		name string
		h    slog.Handler
	}{
		{"next", next()},
		{"slogoops", slogoops.NewHandler(next(), nil, &slogoops.Options{Recorder: flight.New(nil)})},
	} {
		b.Run("impl="+c.name, func(b *testing.B) {
			logger := slog.New(c.h)
			bg := context.Background()
			b.ReportAllocs()
			stopCPU := benchcpu.Start(b)
			for b.Loop() {
				ctx := timeline.NewContext(bg, timeline.New())
				for range records {
					logger.InfoContext(ctx, "cache miss", "key", "user:42", "n", 3, "hit", false)
				}
			}
			stopCPU()
			if b.N > 0 {
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/records, "ns/record")
			}
		})
	}
}
