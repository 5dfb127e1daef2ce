package bench

import (
	"context"
	"os"
	"testing"

	"github.com/exaring/otelpgx"
	"github.com/jackc/pgx/v5"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/oops-go/oops/internal/benchcpu"
	"github.com/oops-go/oops/pgxtimeline"
	"github.com/oops-go/oops/timeline"
)

// The pgx comparison: pgx's tracer hooks for one query, through pgxtimeline
// (without and with a fresh timeline per query) and through otelpgx with
// no-op tracer and meter providers (OpenTelemetry's default when nothing is
// configured). BenchmarkPgxTracer calls the hooks as pgx does, so that the
// tracers' own cost shows; BenchmarkPgxQuery runs QueryRow against the
// PostgreSQL of OOPS_TEST_POSTGRES_DSN.

type pgxImpl struct {
	name     string
	tracer   func() pgx.QueryTracer
	timeline bool
}

var pgxImpls = []pgxImpl{
	{"none", func() pgx.QueryTracer { return nil }, false},
	{"pgxtimeline-no-timeline", func() pgx.QueryTracer { return pgxtimeline.New("main", nil) }, false},
	{"pgxtimeline", func() pgx.QueryTracer { return pgxtimeline.New("main", nil) }, true},
	{"otelpgx", func() pgx.QueryTracer {
		return otelpgx.NewTracer(
			otelpgx.WithTracerProvider(tracenoop.NewTracerProvider()),
			otelpgx.WithMeterProvider(metricnoop.NewMeterProvider()),
		)
	}, false},
}

type requestKey struct{}

// requestContext stands for a server request's context: a few values
// above the root.
func requestContext() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	_ = cancel
	return context.WithValue(ctx, requestKey{}, 1)
}

func BenchmarkPgxTracer(b *testing.B) {
	start := pgx.TraceQueryStartData{SQL: "SELECT name FROM users WHERE id = $1", Args: []any{42}}
	b.Run("impl=fresh-timeline-alone", func(b *testing.B) {
		// What a request pays for its timeline whatever it records: to
		// subtract from impl=pgxtimeline for the tracer's own cost.
		base := requestContext()
		b.ReportAllocs()
		stop := benchcpu.Start(b)
		defer stop()
		for b.Loop() {
			_ = timeline.NewContext(base, timeline.New())
		}
	})
	for _, impl := range pgxImpls {
		if impl.name == "none" {
			continue
		}
		b.Run("impl="+impl.name, func(b *testing.B) {
			tr := impl.tracer()
			base := requestContext()
			b.ReportAllocs()
			stop := benchcpu.Start(b)
			defer stop()
			for b.Loop() {
				ctx := base
				if impl.timeline {
					ctx = timeline.NewContext(base, timeline.New())
				}
				ctx = tr.TraceQueryStart(ctx, nil, start)
				tr.TraceQueryEnd(ctx, nil, pgx.TraceQueryEndData{})
			}
		})
	}
}

func BenchmarkPgxQuery(b *testing.B) {
	dsn := os.Getenv("OOPS_TEST_POSTGRES_DSN")
	if dsn == "" {
		b.Skip("OOPS_TEST_POSTGRES_DSN is not set: skipping the pgx benchmark against PostgreSQL")
	}
	for _, impl := range pgxImpls {
		b.Run("impl="+impl.name, func(b *testing.B) {
			cfg, err := pgx.ParseConfig(dsn)
			if err != nil {
				b.Fatal(err)
			}
			cfg.Tracer = impl.tracer()
			conn, err := pgx.ConnectConfig(context.Background(), cfg)
			if err != nil {
				b.Fatal(err)
			}
			defer conn.Close(context.Background())
			base := requestContext()
			b.ReportAllocs()
			stop := benchcpu.Start(b)
			defer stop()
			for b.Loop() {
				ctx := base
				if impl.timeline {
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
