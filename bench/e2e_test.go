package bench

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/XSAM/otelsql"
	"github.com/getsentry/sentry-go"
	sentryhttp "github.com/getsentry/sentry-go/http"
	slogsentry "github.com/samber/slog-sentry/v2"
	"go.opentelemetry.io/contrib/bridges/otelslog"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"modernc.org/sqlite"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/datedir"
	"github.com/oops-go/oops/flight"
	"github.com/oops-go/oops/internal/benchcpu"
	"github.com/oops-go/oops/oopshttp"
	"github.com/oops-go/oops/slogoops"
	"github.com/oops-go/oops/sqltimeline"
)

// The end-to-end comparison: one request through a middleware, running 10
// SQLite statements, logging 3 Info records and 1 Error record (with an
// error), answering 200. stack=bare has no instrumentation (a JSON log
// handler, the plain driver); every other stack is the same request with an
// error-reporting stack added. What each does with the request's error
// event:
//
//   - oops: oopshttp.Middleware, sqltimeline, slogoops with its default
//     flight recorder, whose rate limit per signature suppresses the
//     repeats of one error past its rate: most requests' Error records are
//     only counted, on the next report made (writes/op shows how few are
//     made);
//   - oops-every-error: the same with the rate limit off, so that every
//     request's Error record makes a report, as Sentry sends every event:
//     the report (with the request's 10 statements and 3 kept records) is
//     published pending through oops.NewAsync, completed when the request
//     ends (status, duration, request variables, whole timeline), and the
//     store, datedir on tmpfs (/dev/shm), encodes it to BSON and writes a
//     file (a ".tmp" then a rename). The completion takes the queued pending
//     revision's place when that was not written yet, so a request writes 1
//     to 2 files (writes/op and superseded/op say how many);
//   - oops-every-error-discard: the same with a store that keeps nothing
//     (oops.Discard): no encoding, no file, as the Sentry and OpenTelemetry
//     stacks' exporters below, so that the store's own cost is apart;
//   - sentry: sentryhttp and slog-sentry (Error records become events with
//     a stack trace; a transport that drops each event as it gets it, so
//     no serialization). Sentry records no SQL;
//   - otel: otelhttp, otelsql and otelslog over the OpenTelemetry SDK (every
//     span sampled, batched to a no-op exporter; every log record to an
//     exporter that keeps nothing, so no serialization either).
//
// db=sqlite is the request as described; db=mem runs the same calls on the
// in-memory fast driver of the SQL comparison, so that the stacks' own cost
// stands out of SQLite's. The handler is called directly (httptest), so no
// network noise enters.
// Read cpu-ns/op: the whole process's CPU per request, the stores' and
// exporters' goroutines and the garbage collector included (the oops stacks'
// queue is flushed before the clock stops). A stack's overhead is its
// cpu-ns/op minus stack=bare's.

const e2eStatements = 10

var errPayment = errors.New("payment declined")

// e2eHandler is the application: the same code under every stack.
func e2eHandler(db *sql.DB, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		var id int64
		var name string
		for i := range e2eStatements {
			if i%3 == 2 {
				if _, err := db.ExecContext(ctx, `UPDATE t SET name = ? WHERE id = ?`, "b", 1); err != nil {
					http.Error(w, err.Error(), http.StatusInternalServerError)
					return
				}
				continue
			}
			if err := db.QueryRowContext(ctx, `SELECT id, name FROM t WHERE id = ?`, 1).Scan(&id, &name); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		log.InfoContext(ctx, "order loaded", "order", 7, "items", 3)
		log.InfoContext(ctx, "cart priced", "total", 42.5, "currency", "EUR")
		log.InfoContext(ctx, "payment started", "provider", "acme")
		log.ErrorContext(ctx, "payment failed", "err", errPayment, "order", 7)
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, "ok")
	})
}

// tmpfsDir returns a new directory on tmpfs (/dev/shm) when there is one,
// else in the test's temporary directory.
func tmpfsDir(b *testing.B) string {
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		dir, err := os.MkdirTemp("/dev/shm", "oops-bench-")
		if err == nil {
			b.Cleanup(func() { _ = os.RemoveAll(dir) })
			return dir
		}
	}
	return b.TempDir()
}

// e2eMem, when set, makes e2eDB open the in-memory fast driver of the SQL
// comparison instead of SQLite: the same calls at a fraction of the cost, so
// that the stacks' own cost stands out of the database's noise.
var e2eMem bool

// e2eDB opens a SQLite database on tmpfs through wrap, in WAL mode as
// services run it, and fills its table (or, with e2eMem, the fast in-memory
// driver).
func e2eDB(b *testing.B, wrap func(driver.Driver) driver.Driver) *sql.DB {
	if e2eMem {
		db := sql.OpenDB(connector{d: wrap(fastDriver{})})
		b.Cleanup(func() { _ = db.Close() })
		return db
	}
	dsn := filepath.Join(tmpfsDir(b), "e2e.db") + "?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
	db := sql.OpenDB(connector{d: wrap(&sqlite.Driver{}), dsn: dsn})
	b.Cleanup(func() { _ = db.Close() })
	for _, q := range []string{`CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)`, `INSERT INTO t VALUES (1, 'a')`} {
		if _, err := db.Exec(q); err != nil {
			b.Fatal(err)
		}
	}
	return db
}

func jsonHandler() slog.Handler { return slog.NewJSONHandler(io.Discard, nil) }

func bareStack(b *testing.B) http.Handler {
	return e2eHandler(e2eDB(b, func(d driver.Driver) driver.Driver { return d }), slog.New(jsonHandler()))
}

// e2eAsync is the Async queue of the oops stack being measured, for its
// statistics.
var e2eAsync *oops.Async

func oopsStack(b *testing.B, fo flight.Options, store oops.Publisher) http.Handler {
	if store == nil {
		store = datedir.New(tmpfsDir(b))
	}
	pub := oops.NewAsync(store, nil)
	e2eAsync = pub
	b.Cleanup(func() {
		_ = pub.Close(context.Background())
		e2eAsync = nil
	})
	cfg := &oops.Config{
		Template:  oops.Report{Reporter: "bench"},
		Hooks:     append(oops.DefaultHooks(), oopshttp.AttachRequest),
		Publisher: pub,
	}
	db := e2eDB(b, func(d driver.Driver) driver.Driver { return sqltimeline.WrapDriver("main", d, nil) })
	log := slog.New(slogoops.NewHandler(jsonHandler(), cfg, &slogoops.Options{Recorder: flight.New(&fo)}))
	return oopshttp.Middleware(cfg, nil)(e2eHandler(db, log))
}

func sentryStack(b *testing.B) http.Handler {
	client, err := sentry.NewClient(sentry.ClientOptions{
		Dsn:              "https://public@sentry.invalid/1",
		Transport:        discardTransport{},
		AttachStacktrace: true,
	})
	if err != nil {
		b.Fatal(err)
	}
	hub := sentry.NewHub(client, sentry.NewScope())
	db := e2eDB(b, func(d driver.Driver) driver.Driver { return d })
	log := slog.New(tee{jsonHandler(), slogsentry.Option{Level: slog.LevelWarn}.NewSentryHandler(), false})
	h := sentryhttp.New(sentryhttp.Options{}).Handle(e2eHandler(db, log))
	// What sentry.Init does for the program: sentryhttp clones the hub it
	// finds in the request's context.
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(sentry.SetHubOnContext(r.Context(), hub)))
	})
}

// discardLogExporter is an OpenTelemetry log exporter that keeps nothing.
type discardLogExporter struct{}

func (discardLogExporter) Export(context.Context, []sdklog.Record) error { return nil }
func (discardLogExporter) Shutdown(context.Context) error                { return nil }
func (discardLogExporter) ForceFlush(context.Context) error              { return nil }

func otelStack(b *testing.B) http.Handler {
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()))
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewSimpleProcessor(discardLogExporter{})))
	b.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = lp.Shutdown(context.Background())
	})
	mp := metricnoop.NewMeterProvider()
	db := e2eDB(b, func(d driver.Driver) driver.Driver {
		return otelsql.WrapDriver(d, otelsql.WithTracerProvider(tp), otelsql.WithMeterProvider(mp))
	})
	log := slog.New(tee{jsonHandler(), otelslog.NewHandler("bench", otelslog.WithLoggerProvider(lp)), false})
	return otelhttp.NewHandler(e2eHandler(db, log), "request",
		otelhttp.WithTracerProvider(tp), otelhttp.WithMeterProvider(mp))
}

func BenchmarkRequestE2E(b *testing.B) {
	for _, db := range []string{"sqlite", "mem"} {
		b.Run("db="+db, func(b *testing.B) {
			e2eMem = db == "mem"
			defer func() { e2eMem = false }()
			benchE2EStacks(b)
		})
	}
}

func benchE2EStacks(b *testing.B) {
	for _, s := range []struct {
		name  string
		stack func(b *testing.B) http.Handler
	}{
		{"bare", bareStack},
		{"oops", func(b *testing.B) http.Handler { return oopsStack(b, flight.Options{}, nil) }},
		{"oops-every-error", func(b *testing.B) http.Handler { return oopsStack(b, flight.Options{NoRateLimit: true}, nil) }},
		{"oops-every-error-discard", func(b *testing.B) http.Handler {
			return oopsStack(b, flight.Options{NoRateLimit: true}, oops.Discard)
		}},
		{"sentry", sentryStack},
		{"otel", otelStack},
	} {
		b.Run("stack="+s.name, func(b *testing.B) {
			e2eAsync = nil
			h := s.stack(b)
			req := httptest.NewRequest(http.MethodGet, "/orders/7/pay?step=1", nil)
			req.Header.Set("User-Agent", "bench")
			req.Header.Set("Cookie", "session=secret")
			serve := func() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
			}
			serve() // tables and caches warm before the clock starts
			b.ReportAllocs()
			stopCPU := benchcpu.Start(b)
			for b.Loop() {
				serve()
			}
			if a := e2eAsync; a != nil {
				// The reports still queued are part of the requests' cost.
				if err := a.Flush(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
			stopCPU()
			if a := e2eAsync; a != nil {
				// What reached the store per request: a request's report is
				// published pending at its Error record and completed at its
				// end; the completion replaces the pending one when that was
				// still queued (superseded), so writes/op is 1 to 2.
				s := a.Stats()
				n := float64(b.N + 1) // the warm-up request too
				b.ReportMetric(float64(s.Published)/n, "writes/op")
				b.ReportMetric(float64(s.Superseded)/n, "superseded/op")
				b.ReportMetric(float64(s.DroppedFull)/n, "dropped/op")
			}
		})
	}
}
