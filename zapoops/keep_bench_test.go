package zapoops_test

import (
	"context"
	"testing"

	"github.com/oops-go/oops/flight"
	"github.com/oops-go/oops/internal/benchcpu"
	"github.com/oops-go/oops/internal/benchpair"
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

// BenchmarkKeepRequest is the request-shaped benchmark of keeping entries,
// the one the flight recorder's budget is stated in: a request makes a fresh
// timeline (for impl=zap too, so that only keeping differs) and logs 10 Info
// entries with five scalar fields and its Context field into it, which zap's
// JSON core writes to io.Discard. An op is a request: allocs/op are a
// request's allocations, and the /record metrics divide by the entries.
// impl=pair runs zap and zapoops in alternating blocks of requests and
// reports what zapoops costs over zap per entry (extra-ns/record,
// extra-cpu-ns/record, extra-allocs/record, extra-B/record) and per request
// (extra-allocs/req).
func BenchmarkKeepRequest(b *testing.B) {
	const records = 10
	bg := context.Background()
	request := func(logger *zap.Logger) func() {
		fs := append(benchFields(), zap.Skip())
		return func() {
			fs[len(fs)-1] = zapoops.Context(timeline.NewContext(bg, timeline.New()))
			for range records {
				logger.Info("item served", fs...)
			}
		}
	}
	bare := request(zap.New(benchJSONCore()))
	ours := request(zap.New(zapoops.Wrap(benchJSONCore(), nil, &zapoops.Options{Recorder: flight.New(nil)})))
	for _, c := range []struct {
		name string
		req  func()
	}{{"zap", bare}, {"zapoops", ours}} {
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
