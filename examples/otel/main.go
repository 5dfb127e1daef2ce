// Command otel shows otelbridge in a service that runs OpenTelemetry, with
// the stdout exporters standing in for a collector. One request of a small
// item service fails; on the way:
//
//   - every statement sqltimeline records in the request's timeline also
//     becomes a database span (kind CLIENT, db.query.text), child of the
//     request's span;
//   - a span from other instrumentation (here an outgoing call, as otelhttp
//     would make it) lands in the timeline, so the report shows it;
//   - the error logged through slog becomes an OOPS report carrying the
//     trace and span ids, and the report becomes an OpenTelemetry log record
//     in the same trace, plus an exception event on the request's span.
//
// Spans and log records are printed to stdout as JSON; the slog line and the
// report, as text, to stderr:
//
//	go run ./examples/otel
package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/otelbridge"
	"github.com/oops-go/oops/otelbridge/spantimeline"
	"github.com/oops-go/oops/slogoops"
	"github.com/oops-go/oops/sqltimeline"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/stdout/stdoutlog"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	_ "modernc.org/sqlite"
)

func main() {
	if err := run(context.Background(), os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "otel:", err)
		os.Exit(1)
	}
}

// run sets up tracing, logs, OOPS and the database, serves one request that
// fails and shuts down, writing spans and log records to out, and the slog
// output and the report to logs.
func run(ctx context.Context, out, logs io.Writer) (err error) {
	// OpenTelemetry: spantimeline's processor copies spans of a request into
	// its timeline; the stdout exporters print what a collector would receive.
	spanExp, err := stdouttrace.New(stdouttrace.WithWriter(out))
	if err != nil {
		return err
	}
	logExp, err := stdoutlog.New(stdoutlog.WithWriter(out))
	if err != nil {
		return err
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithSpanProcessor(spantimeline.NewProcessor(nil)),
		sdktrace.WithSyncer(spanExp))
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewSimpleProcessor(logExp)))
	// The publisher holds a report that will be published again, completed,
	// for a few seconds: its Shutdown emits it, before the provider's.
	logPub := otelbridge.NewLogPublisher(&otelbridge.LogOptions{LoggerProvider: lp, SpanEvent: true})
	defer func() {
		err = errors.Join(err, tp.Shutdown(ctx), logPub.Shutdown(ctx), lp.Shutdown(ctx))
	}()

	// OOPS: reports carry the trace and are published as log records, and
	// (standing in for a report store) as text.
	toText := oops.PublisherFunc(func(_ context.Context, r *oops.Report) ([]string, error) {
		return []string{r.ID}, r.WriteText(logs)
	})
	cfg := &oops.Config{
		Template:  oops.Report{Reporter: "items-api"},
		Hooks:     append(oops.DefaultHooks(), otelbridge.AttachTrace),
		Publisher: oops.ToMany(logPub, toText),
	}
	logger := slog.New(slogoops.NewHandler(slog.NewTextHandler(logs, nil), cfg, nil))

	db, err := sqltimeline.Open("sqlite", ":memory:", nil)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)"); err != nil {
		return err
	}

	s := &service{db: db, tracer: tp.Tracer("items-api"), tp: tp, log: logger}
	s.getItem(ctx, 42)
	return nil
}

type service struct {
	db     *sql.DB
	tracer trace.Tracer
	tp     trace.TracerProvider
	log    *slog.Logger
}

// getItem is one request, as an HTTP middleware would frame it: a server
// span, then a timeline whose actions become child spans.
func (s *service) getItem(ctx context.Context, id int) {
	ctx, span := s.tracer.Start(ctx, "GET /items/{id}", trace.WithSpanKind(trace.SpanKindServer))
	defer span.End()
	ctx, _ = otelbridge.NewTimeline(ctx, s.tp, nil)

	var name string
	err := s.db.QueryRowContext(ctx, "SELECT name FROM items WHERE id = ?", id).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		// Ask the price service whether the item ever existed (a span as
		// otelhttp would record it).
		_, call := s.tracer.Start(ctx, "GET", trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(attribute.String("http.request.method", "GET"),
				attribute.String("url.full", fmt.Sprintf("http://prices.internal/items/%d", id))))
		call.End()
		err = fmt.Errorf("item %d: %w", id, err)
	}
	if err != nil {
		s.log.ErrorContext(ctx, "get item failed", "err", err, "topic", "GET /items/{id}")
		return
	}
	s.log.InfoContext(ctx, "item", "name", name)
}
