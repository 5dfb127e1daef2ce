package zapoops_test

import (
	"context"
	"testing"

	"github.com/oops-go/oops/flight"
	"github.com/oops-go/oops/internal/benchcpu"
	"github.com/oops-go/oops/timeline"
	"github.com/oops-go/oops/zapoops"
	"go.uber.org/zap"
)

// BenchmarkKeepTimeline logs at Info with four fields and a Context field
// (five in all), which zap's JSON core writes, into a ctx timeline, in the
// two ways timelines are used: one timeline per request (a fresh one every
// 50 entries, made for impl=zap too, so that only keeping differs), and one
// long-lived timeline that has reached its cap (a background job), whose
// dropped entries are released and reused.
func BenchmarkKeepTimeline(b *testing.B) {
	fields := benchFields()[:4]
	for _, life := range []string{"request", "capped"} {
		for _, c := range []struct {
			name   string
			logger *zap.Logger
		}{
			{"zap", zap.New(benchJSONCore())},
			{"zapoops", zap.New(zapoops.Wrap(benchJSONCore(), nil, &zapoops.Options{Recorder: flight.New(nil)}))},
		} {
			b.Run("timeline="+life+"/impl="+c.name, func(b *testing.B) {
				fs := append(append([]zap.Field(nil), fields...), zap.Skip())
				newTimeline := func() { fs[4] = zapoops.Context(timeline.NewContext(context.Background(), timeline.New())) }
				newTimeline()
				n := 0
				b.ReportAllocs()
				for b.Loop() {
					if life == "request" {
						if n++; n == 50 {
							n = 0
							newTimeline()
						}
					}
					c.logger.Info("item served", fs...)
				}
			})
		}
	}
}

// BenchmarkKeepRequest is the request-shaped benchmark of keeping entries:
// a request makes a fresh timeline (for impl=zap too, so that only keeping
// differs) and logs 10 Info entries with four scalar fields and its Context
// field into it, which zap's JSON core writes. An op is a request: allocs/op
// are a request's allocations, and ns/record divides by the entries.
func BenchmarkKeepRequest(b *testing.B) {
	const records = 10
	fields := benchFields()[:4]
	for _, c := range []struct {
		name   string
		logger *zap.Logger
	}{
		{"zap", zap.New(benchJSONCore())},
		{"zapoops", zap.New(zapoops.Wrap(benchJSONCore(), nil, &zapoops.Options{Recorder: flight.New(nil)}))},
	} {
		b.Run("impl="+c.name, func(b *testing.B) {
			fs := append(append([]zap.Field(nil), fields...), zap.Skip())
			bg := context.Background()
			b.ReportAllocs()
			stopCPU := benchcpu.Start(b)
			for b.Loop() {
				fs[len(fs)-1] = zapoops.Context(timeline.NewContext(bg, timeline.New()))
				for range records {
					c.logger.Info("item served", fs...)
				}
			}
			stopCPU()
			if b.N > 0 {
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/records, "ns/record")
			}
		})
	}
}
