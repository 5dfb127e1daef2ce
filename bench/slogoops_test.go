package bench

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	slogsentry "github.com/samber/slog-sentry/v2"
	"go.opentelemetry.io/contrib/bridges/otelslog"
	lognoop "go.opentelemetry.io/otel/log/noop"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/flight"
	"github.com/oops-go/oops/internal/benchcpu"
	"github.com/oops-go/oops/slogoops"
)

// tee passes each record to the program's own handler and to an
// error-reporting handler, when each is enabled for its level, as a program
// that adds slog-sentry or otelslog beside its JSON logs does. With always
// set, the reporting handler gets every record: the OpenTelemetry no-op
// provider says it is disabled, and the record's conversion, which a real
// provider would pay for, would not be measured.
type tee struct {
	next, report slog.Handler
	always       bool
}

func (t tee) Enabled(ctx context.Context, l slog.Level) bool {
	return t.always || t.next.Enabled(ctx, l) || t.report.Enabled(ctx, l)
}

func (t tee) Handle(ctx context.Context, r slog.Record) error {
	if t.next.Enabled(ctx, r.Level) {
		if err := t.next.Handle(ctx, r.Clone()); err != nil {
			return err
		}
	}
	if t.always || t.report.Enabled(ctx, r.Level) {
		return t.report.Handle(ctx, r)
	}
	return nil
}

func (t tee) WithAttrs(as []slog.Attr) slog.Handler {
	return tee{t.next.WithAttrs(as), t.report.WithAttrs(as), t.always}
}

func (t tee) WithGroup(name string) slog.Handler {
	return tee{t.next.WithGroup(name), t.report.WithGroup(name), t.always}
}

// slogLoopCPU runs f b.N times and reports, beside the wall time, the
// process's CPU time per operation ("cpu-ns/op", see package benchcpu; the
// garbage collector's and the async publisher's included): on a shared,
// loaded machine wall time mostly measures waiting for a core.
func slogLoopCPU(b *testing.B, f func()) {
	b.ReportAllocs()
	stopCPU := benchcpu.Start(b)
	for b.Loop() {
		f()
	}
	stopCPU()
}

// discardTransport is a Sentry transport that sends nothing.
type discardTransport struct{}

func (discardTransport) Flush(time.Duration) bool              { return true }
func (discardTransport) FlushWithContext(context.Context) bool { return true }
func (discardTransport) Configure(sentry.ClientOptions)        {}
func (discardTransport) SendEvent(*sentry.Event)               {}
func (discardTransport) Close()                                {}

// BenchmarkSlogErrorRecord logs one Error record with an error and two more
// attributes through: the JSON handler alone (impl=next); slogoops wrapping
// it, making a report with the stack and putting it on an oops.Async queue in
// front of a store that keeps nothing (rate limit off, so every record makes
// a report); slog-sentry beside it with a Sentry client whose transport
// sends nothing; otelslog beside it with the no-op logger provider.
func BenchmarkSlogErrorRecord(b *testing.B) {
	json := func() slog.Handler { return slog.NewJSONHandler(io.Discard, nil) }
	err := errors.New("connection refused")

	async := oops.NewAsync(oops.Discard, nil)
	b.Cleanup(func() { _ = async.Close(context.Background()) })
	oopsH := slogoops.NewHandler(json(), &oops.Config{Publisher: async},
		&slogoops.Options{Recorder: flight.New(&flight.Options{NoRateLimit: true})})

	client, cerr := sentry.NewClient(sentry.ClientOptions{
		Dsn:              "https://public@sentry.invalid/1",
		Transport:        discardTransport{},
		AttachStacktrace: true,
	})
	if cerr != nil {
		b.Fatal(cerr)
	}
	hub := sentry.NewHub(client, sentry.NewScope())
	sentryH := tee{json(), slogsentry.Option{Level: slog.LevelWarn, Hub: hub}.NewSentryHandler(), false}

	otelH := tee{json(), otelslog.NewHandler("bench", otelslog.WithLoggerProvider(lognoop.NewLoggerProvider())), true}

	for _, c := range []struct {
		name string
		h    slog.Handler
	}{
		{"next", json()},
		{"slogoops", oopsH},
		{"slog-sentry", sentryH},
		{"otelslog", otelH},
	} {
		b.Run("impl="+c.name, func(b *testing.B) {
			logger := slog.New(c.h)
			slogLoopCPU(b, func() { logger.Error("query failed", "err", err, "table", "orders", "attempt", 3) })
		})
	}
}

// BenchmarkSlogInfoRecord logs an Info record (below the report level) the
// same ways: slogoops keeps it in the flight recorder's ring as well;
// slog-sentry, at its level Warn, skips it; otelslog converts it.
func BenchmarkSlogInfoRecord(b *testing.B) {
	json := func() slog.Handler { return slog.NewJSONHandler(io.Discard, nil) }
	oopsH := slogoops.NewHandler(json(), &oops.Config{Publisher: oops.Discard},
		&slogoops.Options{Recorder: flight.New(nil)})
	client, cerr := sentry.NewClient(sentry.ClientOptions{Dsn: "https://public@sentry.invalid/1", Transport: discardTransport{}})
	if cerr != nil {
		b.Fatal(cerr)
	}
	sentryH := tee{json(), slogsentry.Option{Level: slog.LevelWarn, Hub: sentry.NewHub(client, sentry.NewScope())}.NewSentryHandler(), false}
	otelH := tee{json(), otelslog.NewHandler("bench", otelslog.WithLoggerProvider(lognoop.NewLoggerProvider())), true}
	for _, c := range []struct {
		name string
		h    slog.Handler
	}{
		{"next", json()},
		{"slogoops", oopsH},
		{"slog-sentry", sentryH},
		{"otelslog", otelH},
	} {
		b.Run("impl="+c.name, func(b *testing.B) {
			logger := slog.New(c.h)
			slogLoopCPU(b, func() { logger.Info("cache miss", "key", "user:42", "n", 3, "hit", false) })
		})
	}
}
