package otelbridge

import (
	"context"
	"runtime"
	"strings"
	"sync"
	"time"
	"weak"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/timeline"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// CategoryKey is the attribute that carries a timeline action's category on
// the span SpanObserver makes of it.
const CategoryKey = attribute.Key("oops.timeline.category")

// A SpanObserver is a timeline.Observer that mirrors the actions of
// timelines as spans: each action becomes a span of kind CLIENT, from the
// action's start to its finish, with status Error and an exception event
// when the action finished with an error. The span is a child of the span in
// the context the action's timeline was put in with timeline.NewContext (a
// SpanObserver is a timeline.ContextObserver), so one SpanObserver can serve
// every timeline, for example as the Observer in the timeline options of an
// HTTP middleware; a timeline never put in a context gets root spans.
//
// An action of category "SQL-<name>" (as sqltimeline records statements)
// becomes a database span: db.system.name from the name ("sqlite",
// "sqlite3" → sqlite; "pgx", "postgres" → postgresql; "mysql"; "sqlserver",
// "mssql" → microsoft.sql_server; others other_sql), db.query.text the
// statement, and the span named by the statement's first keyword ("SELECT").
// An action of category "http-<METHOD>" gets http.request.method and
// url.full (its detail). Others are named after their category, with the
// detail in oops.timeline.detail. Every span carries the category in
// oops.timeline.category.
//
// Entries added with Timeline.Add are not observed, so spans copied into the
// timeline by spantimeline.Processor are not turned back into spans, and the
// spans made here are started with a context that carries no timeline, so a
// spantimeline.Processor does not copy them back either. A span whose action
// never finishes is never ended; what the observer keeps for a timeline is
// released when the timeline is garbage collected. It is safe for
// concurrent use.
type SpanObserver struct {
	tracer trace.Tracer

	mu        sync.Mutex
	timelines map[weak.Pointer[timeline.Timeline]]*observed
}

// observed is what a SpanObserver keeps for one timeline. It must not refer
// to the timeline, which it would keep alive.
type observed struct {
	parent trace.Span            // the span of the context the timeline was put in
	spans  map[uint64]trace.Span // by Action.ID, until the action finishes
}

// NewSpanObserver returns a SpanObserver whose spans are made by a tracer of
// tp (nil: the global TracerProvider).
func NewSpanObserver(tp trace.TracerProvider) *SpanObserver {
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	return &SpanObserver{
		tracer:    tp.Tracer(ScopeName),
		timelines: make(map[weak.Pointer[timeline.Timeline]]*observed),
	}
}

// NewTimeline returns a new timeline (made with opts) whose actions become
// spans of tp under the span in ctx, and ctx carrying it; nil opts means
// the defaults. opts.Observer is replaced by a SpanObserver.
func NewTimeline(ctx context.Context, tp trace.TracerProvider, o *timeline.Options) (context.Context, *timeline.Timeline) {
	var opts timeline.Options
	if o != nil {
		opts = *o
	}
	if ctx == nil {
		ctx = context.Background()
	}
	opts.Observer = NewSpanObserver(tp)
	tl := timeline.NewWithOptions(&opts)
	return timeline.NewContext(ctx, tl), tl
}

// Attached makes the span in ctx the parent of the spans of t's actions. The
// first context a timeline is put in counts.
func (o *SpanObserver) Attached(ctx context.Context, t *timeline.Timeline) {
	parent := trace.SpanFromContext(ctx)
	o.mu.Lock()
	st := o.state(t)
	if st.parent == nil {
		st.parent = parent
	}
	o.mu.Unlock()
}

// state returns what o keeps for t, making it if need be. o.mu is held.
func (o *SpanObserver) state(t *timeline.Timeline) *observed {
	wp := weak.Make(t)
	st := o.timelines[wp]
	if st == nil {
		st = &observed{spans: make(map[uint64]trace.Span)}
		o.timelines[wp] = st
		runtime.AddCleanup(t, o.forget, wp)
	}
	return st
}

// forget drops what o keeps for a timeline that has been garbage collected.
func (o *SpanObserver) forget(wp weak.Pointer[timeline.Timeline]) {
	o.mu.Lock()
	delete(o.timelines, wp)
	o.mu.Unlock()
}

// Started starts the span of a.
func (o *SpanObserver) Started(a timeline.Action, category, detail string, start time.Time) {
	t := a.Timeline()
	if t == nil {
		return
	}
	o.mu.Lock()
	st := o.state(t)
	parent := st.parent
	o.mu.Unlock()

	// Background, not the request's context: it carries no timeline, so a
	// spantimeline.Processor leaves these spans alone.
	ctx := context.Background()
	if parent != nil {
		ctx = trace.ContextWithSpan(ctx, parent)
	}
	name, attrs := spanFor(category, detail)
	_, span := o.tracer.Start(ctx, name,
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithTimestamp(start),
		trace.WithAttributes(attrs...))
	if !span.IsRecording() {
		return
	}
	o.mu.Lock()
	st.spans[a.ID()] = span
	o.mu.Unlock()
}

// Finished ends the span of a.
func (o *SpanObserver) Finished(a timeline.Action, end time.Time, err error) {
	t := a.Timeline()
	if t == nil {
		return
	}
	wp := weak.Make(t)
	o.mu.Lock()
	var span trace.Span
	st, ok := o.timelines[wp]
	if ok {
		span, ok = st.spans[a.ID()]
		delete(st.spans, a.ID())
	}
	o.mu.Unlock()
	if !ok {
		return
	}
	if err != nil {
		msg := clean(oops.ErrorText(err))
		span.AddEvent(semconv.ExceptionEventName, trace.WithTimestamp(end), trace.WithAttributes(
			semconv.ExceptionTypeKey.String(clean(oops.ErrorType(err))),
			semconv.ExceptionMessageKey.String(msg)))
		span.SetStatus(codes.Error, msg)
	}
	span.End(trace.WithTimestamp(end))
}

// tracked returns how many timelines o keeps something for.
func (o *SpanObserver) tracked() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.timelines)
}

var _ timeline.ContextObserver = (*SpanObserver)(nil)

// DetailKey carries a non-SQL, non-HTTP action's detail.
const DetailKey = attribute.Key("oops.timeline.detail")

func spanFor(category, detail string) (string, []attribute.KeyValue) {
	detail = clean(detail)
	category = clean(category)
	cat := CategoryKey.String(category)
	if name, ok := strings.CutPrefix(category, "SQL-"); ok {
		return sqlSpanName(detail, category), []attribute.KeyValue{
			semconv.DBSystemNameKey.String(dbSystemName(name)),
			semconv.DBQueryTextKey.String(detail),
			cat,
		}
	}
	if method, ok := strings.CutPrefix(category, "http-"); ok && method != "" {
		return method, []attribute.KeyValue{
			semconv.HTTPRequestMethodKey.String(method),
			semconv.URLFullKey.String(detail),
			cat,
		}
	}
	return category, []attribute.KeyValue{cat, DetailKey.String(detail)}
}

// sqlSpanName is the statement's first keyword in upper case, or fallback.
func sqlSpanName(stmt, fallback string) string {
	stmt = strings.TrimLeft(stmt, " \t\r\n(")
	end := 0
	for end < len(stmt) && end < 32 {
		c := stmt[end]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			break
		}
		end++
	}
	if end == 0 {
		return fallback
	}
	return strings.ToUpper(stmt[:end])
}

func dbSystemName(driver string) string {
	switch strings.ToLower(driver) {
	case "sqlite", "sqlite3":
		return "sqlite"
	case "pgx", "postgres", "postgresql", "pq":
		return "postgresql"
	case "mysql":
		return "mysql"
	case "mariadb":
		return "mariadb"
	case "sqlserver", "mssql":
		return "microsoft.sql_server"
	case "oracle", "godror":
		return "oracle.db"
	}
	return "other_sql"
}
