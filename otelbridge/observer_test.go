package otelbridge_test

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/internal/benchcpu"
	"github.com/oops-go/oops/oopshttp"
	"github.com/oops-go/oops/otelbridge"
	"github.com/oops-go/oops/otelbridge/spantimeline"
	"github.com/oops-go/oops/timeline"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	_ "modernc.org/sqlite"
)

func TestSpanObserverTurnsActionsIntoClientSpans(t *testing.T) {
	tp, rec := newTraces(t)
	ctx, root := tp.Tracer("test").Start(context.Background(), "GET /items")
	ctx, tl := otelbridge.NewTimeline(ctx, tp, nil)
	require.Same(t, tl, timeline.FromContext(ctx))

	db, err := sql.Open("sqlite", ":memory:")
	require.NoError(t, err)
	defer db.Close()
	const create = "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)"
	a := timeline.FromContext(ctx).Start("SQL-sqlite", create)
	_, err = db.ExecContext(ctx, create)
	a.FinishErr(err)
	require.NoError(t, err)

	const bad = "SELECT nope FROM items"
	a = timeline.FromContext(ctx).Start("SQL-sqlite", bad)
	_, qerr := db.QueryContext(ctx, bad)
	a.FinishErr(qerr)
	require.Error(t, qerr)

	a = tl.Start("http-GET", "http://prices.internal/items/1")
	a.Finish()
	a = tl.Start("cache", "items:1")
	a.Finish()
	a.Finish() // a second Finish ends nothing more
	root.End()

	ended := rec.Ended()
	require.Len(t, ended, 5)
	byName := map[string][]sdktrace.ReadOnlySpan{}
	for _, s := range ended {
		byName[s.Name()] = append(byName[s.Name()], s)
	}
	entries := tl.Entries()
	require.Len(t, entries, 4)

	create0 := byName["CREATE"]
	require.Len(t, create0, 1)
	s := create0[0]
	assert.Equal(t, trace.SpanKindClient, s.SpanKind())
	assert.Equal(t, root.SpanContext().SpanID(), s.Parent().SpanID(), "child of the request's span")
	assert.Equal(t, root.SpanContext().TraceID(), s.SpanContext().TraceID())
	attrs := kvMap(s.Attributes())
	assert.Equal(t, "sqlite", attrs["db.system.name"])
	assert.Equal(t, create, attrs["db.query.text"])
	assert.Equal(t, "SQL-sqlite", attrs["oops.timeline.category"])
	assert.Equal(t, codes.Unset, s.Status().Code)
	assert.Equal(t, tl.Started().Add(entries[0].Start), s.StartTime(), "same start as the timeline entry")
	assert.Equal(t, tl.Started().Add(entries[0].End), s.EndTime(), "same end as the timeline entry")

	sel := byName["SELECT"]
	require.Len(t, sel, 1)
	assert.Equal(t, codes.Error, sel[0].Status().Code)
	assert.Contains(t, sel[0].Status().Description, "nope")
	require.Len(t, sel[0].Events(), 1)
	assert.Equal(t, "exception", sel[0].Events()[0].Name)
	assert.Equal(t, qerr.Error(), kvMap(sel[0].Events()[0].Attributes)["exception.message"])

	get := byName["GET"]
	require.Len(t, get, 1)
	assert.Equal(t, "GET", kvMap(get[0].Attributes())["http.request.method"])
	assert.Equal(t, "http://prices.internal/items/1", kvMap(get[0].Attributes())["url.full"])

	other := byName["cache"]
	require.Len(t, other, 1)
	assert.Equal(t, "items:1", kvMap(other[0].Attributes())["oops.timeline.detail"])
}

func TestSpanObserverSpanNames(t *testing.T) {
	tp, rec := newTraces(t)
	_, tl := otelbridge.NewTimeline(context.Background(), tp, nil)
	for _, c := range []struct{ category, detail string }{
		{"SQL-pgx", "  (select 1)"},
		{"SQL-mysql", "with x as (select 1) select * from x"},
		{"SQL-main", "-- comment\nSELECT 1"},
		{"SQL-postgres", ""},
		{"SQL-sqlite", "bad \xff utf8"},
	} {
		tl.Start(c.category, c.detail).Finish()
	}
	ended := rec.Ended()
	require.Len(t, ended, 5)
	var names, systems []string
	for _, s := range ended {
		names = append(names, s.Name())
		systems = append(systems, kvMap(s.Attributes())["db.system.name"])
		assert.False(t, s.Parent().IsValid(), "no span in ctx: a root span")
	}
	assert.Equal(t, []string{"SELECT", "WITH", "SQL-main", "SQL-postgres", "BAD"}, names)
	assert.Equal(t, []string{"postgresql", "mysql", "other_sql", "postgresql", "sqlite"}, systems)
	assert.Equal(t, "bad \uFFFD utf8", kvMap(ended[4].Attributes())["db.query.text"])
}

func TestSpanObserverNotSampledKeepsNothing(t *testing.T) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample()))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	obs := otelbridge.NewSpanObserver(tp)
	tl := timeline.NewWithOptions(&timeline.Options{Observer: obs})
	for range 100 {
		tl.Start("SQL-sqlite", "SELECT 1").Finish()
	}
	assert.Equal(t, 100, tl.Len())
}

func TestSpanObserverEndsSpansOfDroppedEntries(t *testing.T) {
	tp, rec := newTraces(t)
	_, tl := otelbridge.NewTimeline(context.Background(), tp, &timeline.Options{MaxEntries: 4})
	var actions []timeline.Action
	for range 10 {
		actions = append(actions, tl.Start("SQL-sqlite", "SELECT 1"))
	}
	for _, a := range actions {
		a.Finish()
	}
	assert.Equal(t, 6, tl.Dropped())
	assert.Len(t, rec.Ended(), 10, "every action's span ends, kept in the timeline or not")
}

func TestSpanObserverConcurrentActions(t *testing.T) {
	tp, rec := newTraces(t)
	_, tl := otelbridge.NewTimeline(context.Background(), tp, nil)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				a := tl.Start("SQL-sqlite", "SELECT 1")
				a.FinishErr(nil)
			}
		})
	}
	wg.Wait()
	assert.Len(t, rec.Ended(), 400)
	for _, s := range rec.Started() {
		assert.False(t, s.EndTime().IsZero(), "every span ended")
	}
}

func TestBothDirectionsRecordEachStepOnce(t *testing.T) {
	proc := spantimeline.NewProcessor(nil)
	tp, rec := newTraces(t, proc)
	ctx, root := tp.Tracer("test").Start(context.Background(), "request")
	ctx, tl := otelbridge.NewTimeline(ctx, tp, nil)

	// A statement recorded in the timeline becomes a span...
	tl.Start("SQL-sqlite", "SELECT 1").Finish()
	// ...and a span from other instrumentation becomes a timeline entry.
	_, s := tp.Tracer("otelhttp").Start(ctx, "GET", trace.WithSpanKind(trace.SpanKindClient))
	s.End()
	root.End()

	entries := tl.Entries()
	require.Len(t, entries, 2, "the observer's span is not copied back")
	assert.Equal(t, "SQL-sqlite", entries[0].Category)
	assert.Equal(t, "span-client", entries[1].Category)
	assert.Len(t, rec.Ended(), 3)
	assert.Equal(t, 0, proc.Pending())

	r := (&oops.Config{Hooks: hooks()}).Create(ctx, oops.Event{Err: errors.New("boom")})
	assert.Len(t, r.Timeline, 2)
	assert.Equal(t, root.SpanContext().TraceID().String(), r.TraceID)
}

func TestSpanObserverSharedByManyTimelines(t *testing.T) {
	// One observer in the timeline options a middleware gives every request:
	// each request's statements are children of that request's span.
	tp, rec := newTraces(t)
	opts := timeline.Options{Observer: otelbridge.NewSpanObserver(tp)}
	var wg sync.WaitGroup
	roots := make([]trace.Span, 4)
	for i := range roots {
		ctx, root := tp.Tracer("otelhttp").Start(context.Background(), "request")
		roots[i] = root
		wg.Go(func() {
			ctx := timeline.NewContext(ctx, timeline.NewWithOptions(&opts))
			for range 10 {
				timeline.FromContext(ctx).Start("SQL-sqlite", "SELECT 1").Finish()
			}
		})
	}
	wg.Wait()
	children := map[trace.SpanID]int{}
	for _, s := range rec.Ended() {
		children[s.Parent().SpanID()]++
	}
	for _, root := range roots {
		assert.Equal(t, 10, children[root.SpanContext().SpanID()])
		root.End()
	}

	// A timeline never put in a context gets root spans.
	rec.Reset()
	tl := timeline.NewWithOptions(&opts)
	tl.Start("SQL-sqlite", "SELECT 2").Finish()
	require.Len(t, rec.Ended(), 1)
	assert.False(t, rec.Ended()[0].Parent().IsValid())

	// The first context a timeline is put in gives the parent.
	rec.Reset()
	ctx1, first := tp.Tracer("t").Start(context.Background(), "first")
	ctx2, second := tp.Tracer("t").Start(context.Background(), "second")
	tl = timeline.NewWithOptions(&opts)
	timeline.NewContext(ctx1, tl)
	timeline.NewContext(ctx2, tl)
	tl.Start("SQL-sqlite", "SELECT 3").Finish()
	require.Len(t, rec.Ended(), 1)
	assert.Equal(t, first.SpanContext().SpanID(), rec.Ended()[0].Parent().SpanID())
	first.End()
	second.End()
}

func TestSpanObserverForgetsCollectedTimelines(t *testing.T) {
	tp, _ := newTraces(t)
	obs := otelbridge.NewSpanObserver(tp)
	func() {
		ctx, root := tp.Tracer("t").Start(context.Background(), "request")
		defer root.End()
		for range 10 {
			ctx := timeline.NewContext(ctx, timeline.NewWithOptions(&timeline.Options{Observer: obs}))
			// An action that never finishes must not keep its timeline.
			timeline.FromContext(ctx).Start("SQL-sqlite", "SELECT never finished")
		}
	}()
	require.Equal(t, 10, obs.Tracked())
	assert.Eventually(t, func() bool {
		runtime.GC()
		return obs.Tracked() == 0
	}, 5*time.Second, 10*time.Millisecond, "still tracked: %d", obs.Tracked())
}

func TestSpanObserverIgnoresCancellation(t *testing.T) {
	// Fake time: the action lasts exactly the millisecond slept.
	synctest.Test(t, func(t *testing.T) {
		tp, rec := newTraces(t)
		ctx, cancel := context.WithCancel(context.Background())
		ctx, tl := otelbridge.NewTimeline(ctx, tp, nil)
		cancel()
		require.Error(t, ctx.Err())
		a := tl.Start("SQL-sqlite", "SELECT 1")
		time.Sleep(time.Millisecond)
		a.Finish()
		require.Len(t, rec.Ended(), 1)
		assert.GreaterOrEqual(t, rec.Ended()[0].EndTime().Sub(rec.Ended()[0].StartTime()), time.Millisecond)
	})
}

func BenchmarkSpanObserver(b *testing.B) {
	for _, impl := range []string{"timeline", "timeline+spans"} {
		b.Run("impl="+impl, func(b *testing.B) {
			tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()), sdktrace.WithSpanProcessor(nopProcessor{}))
			defer func() { _ = tp.Shutdown(context.Background()) }()
			opts := timeline.Options{}
			if impl == "timeline+spans" {
				opts.Observer = otelbridge.NewSpanObserver(tp)
			}
			tl := timeline.NewWithOptions(&opts)
			b.ReportAllocs()
			stopCPU := benchcpu.Start(b)
			defer stopCPU()
			for b.Loop() {
				tl.Start("SQL-sqlite", "SELECT * FROM items WHERE id = ?").Finish()
			}
		})
	}
}

func TestSpanObserverInHTTPMiddleware(t *testing.T) {
	proc := spantimeline.NewProcessor(nil)
	tp, rec := newTraces(t, proc)
	var reports []*oops.Report
	cfg := &oops.Config{
		Hooks: hooks(),
		Publisher: oops.PublisherFunc(func(_ context.Context, r *oops.Report) ([]string, error) {
			reports = append(reports, r)
			return []string{r.ID}, nil
		}),
	}
	mw := oopshttp.Middleware(cfg, &oopshttp.Options{Timeline: timeline.Options{Observer: otelbridge.NewSpanObserver(tp)}})
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		timeline.FromContext(r.Context()).Start("SQL-sqlite", "SELECT * FROM items").Finish()
		_, call := tp.Tracer("otelhttp").Start(r.Context(), "GET", trace.WithSpanKind(trace.SpanKindClient))
		call.End()
		http.Error(w, "down", http.StatusServiceUnavailable)
	})
	// What otelhttp.NewHandler does around the middleware: a server span in
	// the request's context.
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, span := tp.Tracer("otelhttp").Start(r.Context(), "GET /items", trace.WithSpanKind(trace.SpanKindServer))
		defer span.End()
		mw(app).ServeHTTP(w, r.WithContext(ctx))
	})

	w := httptest.NewRecorder()
	handler.ServeHTTP(w, httptest.NewRequest("GET", "/items", nil))
	require.Equal(t, http.StatusServiceUnavailable, w.Code)

	var server sdktrace.ReadOnlySpan
	spans := map[string]sdktrace.ReadOnlySpan{}
	for _, s := range rec.Ended() {
		spans[s.Name()] = s
	}
	server = spans["GET /items"]
	require.NotNil(t, server)
	require.Contains(t, spans, "SELECT")
	assert.Equal(t, server.SpanContext().SpanID(), spans["SELECT"].Parent().SpanID())
	assert.Len(t, rec.Ended(), 3, "server, SELECT, outgoing GET")

	// One incident: published when the 503 was written, completed under the
	// same id when the request ended.
	require.NotEmpty(t, reports)
	r := reports[len(reports)-1]
	for _, p := range reports {
		assert.Equal(t, r.ID, p.ID, "one incident, one id")
	}
	assert.False(t, r.Pending, "the last revision is final")
	assert.Equal(t, server.SpanContext().TraceID().String(), r.TraceID)
	assert.Equal(t, server.SpanContext().SpanID().String(), r.SpanID)
	require.Len(t, r.Timeline, 2)
	assert.Equal(t, "SQL-sqlite", r.Timeline[0].Category)
	assert.Equal(t, "span-client", r.Timeline[1].Category)
}
