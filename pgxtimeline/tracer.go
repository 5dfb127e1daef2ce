package pgxtimeline

import (
	"context"
	"net"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/oops-go/oops/internal/sqlrec"
	"github.com/oops-go/oops/timeline"
)

// A Tracer records pgx's queries, batches, COPY FROM, failed prepares and
// connects into the timeline of the context they run with. It implements
// pgx.QueryTracer, pgx.BatchTracer, pgx.CopyFromTracer, pgx.PrepareTracer
// and pgx.ConnectTracer. It is safe for concurrent use: one Tracer serves a
// whole pool.
type Tracer struct {
	rec sqlrec.Config
}

// New returns a Tracer whose entries have the category "SQL-<name>" (or
// opts.Category). A nil opts is the zero Options.
func New(name string, opts *Options) *Tracer {
	return &Tracer{rec: newConfig(name, opts)}
}

var (
	_ pgx.QueryTracer    = (*Tracer)(nil)
	_ pgx.BatchTracer    = (*Tracer)(nil)
	_ pgx.CopyFromTracer = (*Tracer)(nil)
	_ pgx.PrepareTracer  = (*Tracer)(nil)
	_ pgx.ConnectTracer  = (*Tracer)(nil)
)

// kinds of traced calls a traceCtx may carry.
const (
	kindQuery = iota
	kindBatch
	kindCopy
	kindConnect
	kindPrepare
)

type ctxKey struct{}

// traceCtx is the context a Start method returns when it recorded
// something: the caller's context, and what the matching End needs. One
// allocation per traced query (a batch or a prepare keeps a little more).
type traceCtx struct {
	context.Context
	t    *Tracer
	kind int
	a    timeline.Action // the entry to finish; for a batch, the pending one
	b    *batch          // kindBatch only
	p    *prepare        // kindPrepare only
}

// prepare is what a traced Prepare keeps until it ends.
type prepare struct {
	sql   string
	start time.Time
}

// Value answers ctxKey with c itself and asks the parent for anything else.
func (c *traceCtx) Value(key any) any {
	if key == (ctxKey{}) {
		return c
	}
	return c.Context.Value(key)
}

// traced returns the traceCtx of kind that t put in ctx, or nil.
func (t *Tracer) traced(ctx context.Context, kind int) *traceCtx {
	c, _ := ctx.Value(ctxKey{}).(*traceCtx)
	if c == nil || c.t != t || c.kind != kind {
		return nil
	}
	return c
}

// TraceQueryStart starts the entry of a Query, QueryRow or Exec (and of
// BEGIN, COMMIT and ROLLBACK, which pgx runs with Exec).
func (t *Tracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	tl := timeline.FromContext(ctx)
	if !t.rec.Records(ctx, tl, data.SQL) {
		return ctx
	}
	detail := data.SQL
	if t.rec.Args && len(data.Args) > 0 {
		if nv := namedValues(data.Args); len(nv) > 0 {
			detail = t.rec.WithArgs(data.SQL, nv)
		}
	}
	return &traceCtx{Context: ctx, t: t, kind: kindQuery, a: t.rec.StartDetail(tl, detail)}
}

// TraceQueryEnd finishes the entry with the query's error. pgx calls it when
// the rows are closed, so iteration time counts.
func (t *Tracer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryEndData) {
	if c := t.traced(ctx, kindQuery); c != nil {
		c.a.FinishErr(t.rec.Recorded(data.Err))
	}
}

// TraceCopyFromStart starts the entry of a CopyFrom, whose detail is
// COPY "table" ("col", …) FROM STDIN. The rows are not recorded.
func (t *Tracer) TraceCopyFromStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceCopyFromStartData) context.Context {
	tl := timeline.FromContext(ctx)
	if tl == nil {
		return ctx
	}
	detail := copyDetail(data.TableName, data.ColumnNames)
	if !t.rec.Records(ctx, tl, detail) {
		return ctx
	}
	return &traceCtx{Context: ctx, t: t, kind: kindCopy, a: t.rec.StartDetail(tl, detail)}
}

// TraceCopyFromEnd finishes the entry with the copy's error.
func (t *Tracer) TraceCopyFromEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceCopyFromEndData) {
	if c := t.traced(ctx, kindCopy); c != nil {
		c.a.FinishErr(t.rec.Recorded(data.Err))
	}
}

func copyDetail(table pgx.Identifier, cols []string) string {
	b := make([]byte, 0, 64)
	b = append(b, "COPY "...)
	b = append(b, table.Sanitize()...)
	b = append(b, " ("...)
	for i, c := range cols {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, pgx.Identifier{c}.Sanitize()...)
	}
	b = append(b, ") FROM STDIN"...)
	return string(b)
}

// TracePrepareStart notes the statement of a Prepare called directly, so
// that TracePrepareEnd can record it if it fails. A prepare that pgx makes
// for a query or batch (its statement cache does) is left to that query's
// entry.
func (t *Tracer) TracePrepareStart(ctx context.Context, _ *pgx.Conn, data pgx.TracePrepareStartData) context.Context {
	if c, _ := ctx.Value(ctxKey{}).(*traceCtx); c != nil && c.t == t {
		return ctx // inside a recorded query or batch: its entry has the error
	}
	if timeline.FromContext(ctx) == nil {
		return ctx
	}
	return &traceCtx{Context: ctx, t: t, kind: kindPrepare, p: &prepare{sql: data.SQL, start: time.Now()}}
}

// TracePrepareEnd records a failed Prepare called directly, with the
// statement and the error, as sqltimeline does: preparing is not an entry
// of its own unless it fails. Preparing an already prepared statement
// records nothing.
func (t *Tracer) TracePrepareEnd(ctx context.Context, _ *pgx.Conn, data pgx.TracePrepareEndData) {
	if data.Err == nil {
		return
	}
	if c := t.traced(ctx, kindCopy); c != nil {
		// pgx v5 returns from CopyFrom without calling TraceCopyFromEnd
		// when describing the table fails: its prepare is the only sign.
		c.a.FinishErr(t.rec.Recorded(data.Err))
		return
	}
	c := t.traced(ctx, kindPrepare)
	if c == nil {
		return
	}
	tl := timeline.FromContext(c.Context)
	if !t.rec.Records(ctx, tl, c.p.sql) {
		return
	}
	tl.AddErr(t.rec.Category, c.p.start, time.Now(), c.p.sql, t.rec.Recorded(data.Err))
}

// TraceConnectStart starts the entry of a new connection: CONNECT followed
// by user@host:port/database (never the password).
func (t *Tracer) TraceConnectStart(ctx context.Context, data pgx.TraceConnectStartData) context.Context {
	tl := timeline.FromContext(ctx)
	if tl == nil || data.ConnConfig == nil {
		return ctx
	}
	detail := connectDetail(&data.ConnConfig.Config)
	if !t.rec.Records(ctx, tl, detail) {
		return ctx
	}
	return &traceCtx{Context: ctx, t: t, kind: kindConnect, a: t.rec.StartDetail(tl, detail)}
}

// TraceConnectEnd finishes the entry with the connect error.
func (t *Tracer) TraceConnectEnd(ctx context.Context, data pgx.TraceConnectEndData) {
	if c := t.traced(ctx, kindConnect); c != nil {
		c.a.FinishErr(t.rec.Recorded(data.Err))
	}
}

func connectDetail(c *pgconn.Config) string {
	return "CONNECT " + c.User + "@" + hostPort(c.Host, c.Port) + "/" + c.Database
}

// hostPort joins host and port as PostgreSQL's own tools show them: a
// Unix-socket directory keeps its path.
func hostPort(host string, port uint16) string {
	if host != "" && host[0] == '/' {
		return host + ":" + strconv.Itoa(int(port))
	}
	return net.JoinHostPort(host, strconv.Itoa(int(port)))
}
