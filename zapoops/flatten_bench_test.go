package zapoops_test

import (
	"context"
	"strconv"
	"testing"

	"go.uber.org/zap"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/flight"
	"github.com/oops-go/oops/internal/benchcpu"
	"github.com/oops-go/oops/timeline"
	"github.com/oops-go/oops/zapoops"
)

// BenchmarkFlattenRequest is a request's timeline as the reports of a
// request read it: 10 SQL statements and 3 kept Info entries in a fresh
// timeline, flattened flattens=0, 1 or 2 times (a report, then the incident
// completed at the end of the request). What flattens=2 costs over
// flattens=0 is what reading the timeline twice costs.
func BenchmarkFlattenRequest(b *testing.B) {
	logger := zap.New(zapoops.NewCore(nil, &zapoops.Options{Recorder: flight.New(nil)}))
	bg := context.Background()
	for flattens := range 3 {
		b.Run("flattens="+strconv.Itoa(flattens), func(b *testing.B) {
			fs := append(benchFields(), zap.Skip())
			n := 0
			b.ReportAllocs()
			stopCPU := benchcpu.Start(b)
			for b.Loop() {
				tl := timeline.New()
				fs[len(fs)-1] = zapoops.Context(timeline.NewContext(bg, tl))
				for i := range 10 {
					tl.Start("SQL-main", "SELECT id, name FROM users WHERE id = $1").Finish()
					if i%3 == 0 && i < 9 {
						logger.Info("item served", fs...)
					}
				}
				for range flattens {
					n += len(oops.FlattenTimeline(tl))
				}
			}
			stopCPU()
			if flattens > 0 && n == 0 {
				b.Fatal("nothing flattened")
			}
		})
	}
}
