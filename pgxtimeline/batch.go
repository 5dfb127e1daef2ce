package pgxtimeline

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/oops-go/oops/timeline"
)

// batch is what a traced SendBatch keeps between pgx's calls, which come
// from the one goroutine using the connection.
type batch struct {
	tl      *timeline.Timeline
	ctx     context.Context // the caller's, for the filter
	queries []*pgx.QueuedQuery
	next    int  // index of the query whose result pgx reads next
	ended   bool // TraceBatchEnd came (pgx may call it twice)
}

// TraceBatchStart starts the entry of the batch's first query. A batch's
// queries go to the server together; each query's entry runs from when pgx
// finished reading the previous query's result (the first: from SendBatch)
// until its own result is read (for a query read as rows: until the rows are
// closed), so the entries of a batch follow each other and add up to the
// batch's time. Each has the query's text (and arguments, when recorded).
func (t *Tracer) TraceBatchStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchStartData) context.Context {
	tl := timeline.FromContext(ctx)
	if tl == nil || data.Batch == nil || len(data.Batch.QueuedQueries) == 0 {
		return ctx
	}
	c := &traceCtx{Context: ctx, t: t, kind: kindBatch, b: &batch{tl: tl, ctx: ctx, queries: data.Batch.QueuedQueries}}
	c.a = t.startBatchQuery(c.b)
	return c
}

// startBatchQuery starts the entry of the query b.next, or returns the zero
// Action when there is none or the filter leaves it out.
func (t *Tracer) startBatchQuery(b *batch) timeline.Action {
	if b.next >= len(b.queries) {
		return timeline.Action{}
	}
	q := b.queries[b.next]
	if q == nil || !t.rec.Records(b.ctx, b.tl, q.SQL) {
		return timeline.Action{}
	}
	detail := q.SQL
	if t.rec.Args && len(q.Arguments) > 0 {
		if nv := namedValues(q.Arguments); len(nv) > 0 {
			detail = t.rec.WithArgs(q.SQL, nv)
		}
	}
	return t.rec.StartDetail(b.tl, detail)
}

// TraceBatchQuery finishes the entry of the query whose result was read,
// with its error, and starts the next one's.
func (t *Tracer) TraceBatchQuery(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchQueryData) {
	c := t.traced(ctx, kindBatch)
	if c == nil || c.b.ended {
		return
	}
	c.a.FinishErr(t.rec.Recorded(data.Err))
	c.b.next++
	c.a = t.startBatchQuery(c.b)
}

// TraceBatchEnd finishes the entry still open: the query whose result was
// never read (the batch failed or was closed early) ends with the batch's
// error.
func (t *Tracer) TraceBatchEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchEndData) {
	c := t.traced(ctx, kindBatch)
	if c == nil || c.b.ended {
		return
	}
	c.b.ended = true
	c.a.FinishErr(t.rec.Recorded(data.Err))
	c.a = timeline.Action{}
}
