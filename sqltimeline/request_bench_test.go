package sqltimeline

import (
	"context"
	"database/sql/driver"
	"testing"

	"github.com/oops-go/oops/internal/benchcpu"
	"github.com/oops-go/oops/timeline"
)

// requestStatements is how many statements a benchmarked request runs.
const requestStatements = 10

// BenchmarkConnRequest is the benchmark the wrapper's recording cost is
// judged by: a request runs 10 statements on a driver connection, the way
// database/sql would call it, with impl=timeline putting a fresh timeline in
// each request's context. An op is a request: allocs/op are a request's
// allocations (a per-statement figure would round down), and ns/stmt and
// cpu-ns/stmt divide by the statements. Without database/sql around it, the
// wrapper's own cost is all that differs between impl=unwrapped and the
// others.
//
// path=exec and path=query are the fast paths of a driver with
// ExecerContext and QueryerContext; path=prepare-exec and path=prepare-query
// are what database/sql does on a driver without them: prepare, run, close,
// for every statement.
func BenchmarkConnRequest(b *testing.B) {
	execArgs := []driver.NamedValue{{Ordinal: 1, Value: "a"}, {Ordinal: 2, Value: int64(1)}}
	queryArgs := []driver.NamedValue{{Ordinal: 1, Value: int64(1)}}
	dest := make([]driver.Value, 2)
	paths := []struct {
		name string
		full bool
		run  func(b *testing.B, ctx context.Context, c driver.Conn)
	}{
		{"exec", true, func(b *testing.B, ctx context.Context, c driver.Conn) {
			if _, err := c.(driver.ExecerContext).ExecContext(ctx, "update", execArgs); err != nil {
				b.Fatal(err)
			}
		}},
		{"query", true, func(b *testing.B, ctx context.Context, c driver.Conn) {
			rows, err := c.(driver.QueryerContext).QueryContext(ctx, "rows 1", queryArgs)
			if err != nil {
				b.Fatal(err)
			}
			for rows.Next(dest) == nil {
			}
			if err := rows.Close(); err != nil {
				b.Fatal(err)
			}
		}},
		{"prepare-exec", false, func(b *testing.B, ctx context.Context, c driver.Conn) {
			s, err := fallbackPrepare(ctx, c, "update")
			if err != nil {
				b.Fatal(err)
			}
			if _, err := fallbackExec(ctx, s, execArgs); err != nil {
				b.Fatal(err)
			}
			if err := s.Close(); err != nil {
				b.Fatal(err)
			}
		}},
		{"prepare-query", false, func(b *testing.B, ctx context.Context, c driver.Conn) {
			s, err := fallbackPrepare(ctx, c, "rows 1")
			if err != nil {
				b.Fatal(err)
			}
			rows, err := fallbackQuery(ctx, s, queryArgs)
			if err != nil {
				b.Fatal(err)
			}
			for rows.Next(dest) == nil {
			}
			if err := rows.Close(); err != nil {
				b.Fatal(err)
			}
			if err := s.Close(); err != nil {
				b.Fatal(err)
			}
		}},
	}
	for _, p := range paths {
		for _, m := range benchModes {
			b.Run("path="+p.name+"/impl="+m.name, func(b *testing.B) {
				var d driver.Driver = &memDriver{full: p.full}
				if m.wrap {
					d = WrapDriver("mem", d, nil)
				}
				c, err := d.Open("")
				if err != nil {
					b.Fatal(err)
				}
				bg := context.Background()
				b.ReportAllocs()
				stopCPU := benchcpu.Start(b)
				for b.Loop() {
					ctx := bg
					if m.timeline {
						ctx = timeline.NewContext(bg, timeline.New())
					}
					for range requestStatements {
						p.run(b, ctx, c)
					}
				}
				stopCPU()
				perStatement(b)
			})
		}
	}
}

// perStatement reports ns/op divided by the statements of a request.
func perStatement(b *testing.B) {
	if b.N > 0 {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/requestStatements, "ns/stmt")
	}
}

// BenchmarkTimelineRequest is the timeline's share of
// BenchmarkConnRequest/impl=timeline, for reference: a fresh timeline in a
// context per request and a Start and Finish for each of its 10 statements,
// with no driver and no wrapper. impl=timeline minus impl=unwrapped, less
// this, is what the wrapper itself costs.
func BenchmarkTimelineRequest(b *testing.B) {
	bg := context.Background()
	b.ReportAllocs()
	stopCPU := benchcpu.Start(b)
	for b.Loop() {
		tl := timeline.FromContext(timeline.NewContext(bg, timeline.New()))
		for range requestStatements {
			tl.Start("SQL-mem", "rows 1").FinishErr(nil)
		}
	}
	stopCPU()
	perStatement(b)
}
