package pgxtimeline_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/oops-go/oops/internal/benchcpu"
	"github.com/oops-go/oops/pgxtimeline"
	"github.com/oops-go/oops/timeline"
)

type benchKey struct{}

// requestCtx is a context shaped like a server request's: a few values
// above the root, none of them a timeline.
func requestCtx() context.Context {
	ctx := context.Background()
	ctx, cancel := context.WithCancel(ctx)
	_ = cancel
	ctx = context.WithValue(ctx, benchKey{}, 1)
	return ctx
}

// BenchmarkTrace measures what the tracer adds to one query: pgx's
// TraceQueryStart and TraceQueryEnd calls, without a timeline (the cost every
// query pays) and recording into a fresh timeline per query (a request that
// runs one statement).
func BenchmarkTrace(b *testing.B) {
	tr := pgxtimeline.New("main", nil)
	start := pgx.TraceQueryStartData{SQL: "SELECT name FROM users WHERE id = $1", Args: []any{42}}
	base := requestCtx()
	b.Run("no-timeline", func(b *testing.B) {
		b.ReportAllocs()
		stop := benchcpu.Start(b)
		defer stop()
		for b.Loop() {
			ctx := tr.TraceQueryStart(base, nil, start)
			tr.TraceQueryEnd(ctx, nil, pgx.TraceQueryEndData{})
		}
	})
	b.Run("fresh-timeline", func(b *testing.B) {
		b.ReportAllocs()
		stop := benchcpu.Start(b)
		defer stop()
		for b.Loop() {
			ctx := timeline.NewContext(base, timeline.New())
			ctx = tr.TraceQueryStart(ctx, nil, start)
			tr.TraceQueryEnd(ctx, nil, pgx.TraceQueryEndData{})
		}
	})
	b.Run("fresh-timeline-start-finish", func(b *testing.B) {
		// A fresh timeline and one entry with no tracer: what
		// fresh-timeline costs without the tracer's own work.
		b.ReportAllocs()
		stop := benchcpu.Start(b)
		defer stop()
		for b.Loop() {
			ctx := timeline.NewContext(base, timeline.New())
			timeline.FromContext(ctx).Start("SQL-main", start.SQL).FinishErr(nil)
		}
	})
	b.Run("fresh-timeline-only", func(b *testing.B) {
		// The timeline and its context alone, to subtract from the above.
		b.ReportAllocs()
		stop := benchcpu.Start(b)
		defer stop()
		for b.Loop() {
			ctx := timeline.NewContext(base, timeline.New())
			_ = ctx
		}
	})
	b.Run("shared-timeline", func(b *testing.B) {
		// Many statements into one timeline (capped, as a long request's).
		ctx := timeline.NewContext(base, timeline.New())
		b.ReportAllocs()
		stop := benchcpu.Start(b)
		defer stop()
		for b.Loop() {
			c := tr.TraceQueryStart(ctx, nil, start)
			tr.TraceQueryEnd(c, nil, pgx.TraceQueryEndData{})
		}
	})
}

// BenchmarkPostgres runs one QueryRow against the real server: bare pgx,
// through the tracer without a timeline, and recording into a fresh
// timeline per query.
func BenchmarkPostgres(b *testing.B) {
	for _, bc := range []struct {
		name     string
		tracer   pgx.QueryTracer
		timeline bool
	}{
		{"bare", nil, false},
		{"no-timeline", pgxtimeline.New("main", nil), false},
		{"fresh-timeline", pgxtimeline.New("main", nil), true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			conn := connect(b, bc.tracer)
			base := requestCtx()
			b.ReportAllocs()
			stop := benchcpu.Start(b)
			defer stop()
			for b.Loop() {
				ctx := base
				if bc.timeline {
					ctx = timeline.NewContext(base, timeline.New())
				}
				var n int
				if err := conn.QueryRow(ctx, `SELECT $1::int`, 1).Scan(&n); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
