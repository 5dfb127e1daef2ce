package slogoops_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/oops-go/oops/flight"
	"github.com/oops-go/oops/internal/benchcpu"
	"github.com/oops-go/oops/internal/benchpair"
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

// BenchmarkKeepRequest is the request-shaped benchmark of keeping records,
// the one the flight recorder's budget is stated in: a request makes a fresh
// timeline (for impl=next too, so that only keeping differs) and logs 10 Info
// records with five scalar attributes into it, which next (a JSON handler
// writing to io.Discard) writes. An op is a request: allocs/op are a
// request's allocations, and the /record metrics divide by the records.
// impl=pair runs next and slogoops in alternating blocks of requests and
// reports what slogoops costs over next per record (extra-ns/record,
// extra-cpu-ns/record, extra-allocs/record, extra-B/record) and per request
// (extra-allocs/req).
func BenchmarkKeepRequest(b *testing.B) {
	const records = 10
	next := func() slog.Handler {
		return slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo})
	}
	bg := context.Background()
	request := func(logger *slog.Logger) func() {
		return func() {
			ctx := timeline.NewContext(bg, timeline.New())
			for range records {
				logger.InfoContext(ctx, "cache miss", "key", "user:42", "n", 3, "hit", false, "ratio", 0.5, "route", "/api/v1/items")
			}
		}
	}
	bare := request(slog.New(next()))
	ours := request(slog.New(slogoops.NewHandler(next(), nil, &slogoops.Options{Recorder: flight.New(nil)})))
	for _, c := range []struct {
		name string
		req  func()
	}{{"next", bare}, {"slogoops", ours}} {
		b.Run("impl="+c.name, func(b *testing.B) {
			b.ReportAllocs()
			stopCPU := benchcpu.Start(b)
			for b.Loop() {
				c.req()
			}
			stopCPU()
			if b.N > 0 {
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/records, "ns/record")
			}
		})
	}
	b.Run("impl=pair", func(b *testing.B) { benchpair.Run(b, records, "record", bare, ours) })
}
