package otelbridge_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/otelbridge"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
)

// logCount is an Attributes option that shows which revision of a report a
// record carries: the number of flight-recorder records it holds, which
// grows as a trailing window fills.
func logCount(r *oops.Report) []attribute.KeyValue {
	return []attribute.KeyValue{attribute.Int("log.count", len(r.Log))}
}

// revision returns revision rev of the report with the given id, carrying
// n log records.
func revision(id string, rev int, pending bool, n int) *oops.Report {
	r := &oops.Report{ID: id, Type: "*errors.errorString", Value: "boom", Level: "ERROR", Revision: rev, Pending: pending}
	for i := range n {
		r.Log = append(r.Log, oops.LogRecord{Level: "INFO", Msg: "after " + strconv.Itoa(i)})
	}
	return r
}

func publishAll(t *testing.T, p oops.Publisher, ctx context.Context, rs ...*oops.Report) {
	t.Helper()
	for _, r := range rs {
		ids, err := p.Publish(ctx, r)
		require.NoError(t, err)
		assert.Equal(t, []string{r.ID}, ids, "revision %d", r.Revision)
	}
}

func TestLogPublisherPendingThenFinalIsOneRecord(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lp, exp := newLogs(t)
		p := otelbridge.NewLogPublisher(&otelbridge.LogOptions{LoggerProvider: lp, Attributes: logCount})
		id := oops.NewID()

		publishAll(t, p, context.Background(), revision(id, 0, true, 1))
		assert.Empty(t, exp.records(), "the pending revision is held")
		assert.Equal(t, 1, p.Held())
		time.Sleep(time.Second)
		publishAll(t, p, context.Background(), revision(id, 1, false, 4))
		assert.Equal(t, 0, p.Held())

		recs := exp.records()
		require.Len(t, recs, 1, "the final revision at once, in place of the first")
		attrs := logAttrs(recs[0])
		assert.Equal(t, id, attrs["oops.id"])
		assert.Equal(t, "4", attrs["log.count"], "the final content")
		assert.Equal(t, "1", attrs["oops.revision"])

		time.Sleep(time.Minute)
		assert.Len(t, exp.records(), 1, "nothing left to expire")
	})
}

func TestLogPublisherPendingExpiresAfterDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lp, exp := newLogs(t)
		p := otelbridge.NewLogPublisher(&otelbridge.LogOptions{LoggerProvider: lp, Attributes: logCount, PendingDelay: 3 * time.Second})
		id := oops.NewID()
		start := time.Now()

		publishAll(t, p, context.Background(), revision(id, 0, true, 1))
		time.Sleep(time.Second)
		publishAll(t, p, context.Background(), revision(id, 1, true, 2))
		time.Sleep(2*time.Second - time.Nanosecond)
		synctest.Wait()
		assert.Empty(t, exp.records(), "held until the delay from the first publication ends")

		time.Sleep(time.Nanosecond)
		synctest.Wait()
		recs := exp.records()
		require.Len(t, recs, 1, "emitted when the delay ends")
		assert.Equal(t, "2", logAttrs(recs[0])["log.count"], "the latest revision held")
		assert.Equal(t, 3*time.Second, time.Since(start))

		// The final revision arrives late: the record is out already.
		publishAll(t, p, context.Background(), revision(id, 2, false, 5))
		assert.Len(t, exp.records(), 1, "a late revision is not a second record")
	})
}

func TestLogPublisherDefaultDelayOutlastsTrailingWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lp, exp := newLogs(t)
		p := otelbridge.NewLogPublisher(&otelbridge.LogOptions{LoggerProvider: lp})
		publishAll(t, p, context.Background(), revision(oops.NewID(), 0, true, 0))
		time.Sleep(5 * time.Second) // flight's default trailing window
		synctest.Wait()
		assert.Empty(t, exp.records())
		time.Sleep(otelbridge.DefaultPendingDelay - 5*time.Second)
		synctest.Wait()
		assert.Len(t, exp.records(), 1)
	})
}

func TestLogPublisherOlderPendingRevisionDoesNotReplaceNewer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lp, exp := newLogs(t)
		p := otelbridge.NewLogPublisher(&otelbridge.LogOptions{LoggerProvider: lp, Attributes: logCount})
		id := oops.NewID()
		publishAll(t, p, context.Background(), revision(id, 2, true, 3), revision(id, 1, true, 2))
		require.NoError(t, p.ForceFlush(context.Background()))
		recs := exp.records()
		require.Len(t, recs, 1)
		assert.Equal(t, "3", logAttrs(recs[0])["log.count"])
	})
}

func TestLogPublisherRepeatedIDIsOneRecord(t *testing.T) {
	// A queue that redelivers, a spool forwarded twice: the same report
	// under the same id is one record.
	lp, exp := newLogs(t)
	p := otelbridge.NewLogPublisher(&otelbridge.LogOptions{LoggerProvider: lp})
	r := &oops.Report{ID: oops.NewID(), Value: "boom"}
	publishAll(t, p, context.Background(), r, r, r.Clone())
	assert.Len(t, exp.records(), 1)

	// Reports without an id cannot be told apart: each is a record.
	for range 2 {
		_, err := p.Publish(context.Background(), &oops.Report{Value: "no id"})
		require.NoError(t, err)
	}
	assert.Len(t, exp.records(), 3)
}

func TestLogPublisherFlushAndShutdownEmitHeldRecords(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lp, exp := newLogs(t)
		p := otelbridge.NewLogPublisher(&otelbridge.LogOptions{LoggerProvider: lp, Attributes: logCount})
		a, b := oops.NewID(), oops.NewID()
		publishAll(t, p, context.Background(), revision(a, 0, true, 1), revision(b, 0, true, 1))
		assert.Empty(t, exp.records())

		require.NoError(t, p.ForceFlush(context.Background()))
		recs := exp.records()
		require.Len(t, recs, 2, "flushed without waiting")
		assert.Equal(t, a, logAttrs(recs[0])["oops.id"], "oldest first")
		assert.Equal(t, b, logAttrs(recs[1])["oops.id"])

		publishAll(t, p, context.Background(), revision(a, 1, false, 2))
		assert.Len(t, exp.records(), 2, "a revision after a flush is not a second record")

		c := oops.NewID()
		publishAll(t, p, context.Background(), revision(c, 0, true, 1))
		require.NoError(t, p.Shutdown(context.Background()))
		require.Len(t, exp.records(), 3, "shutdown emits what is held")

		d := oops.NewID()
		publishAll(t, p, context.Background(), revision(d, 0, true, 1))
		require.Len(t, exp.records(), 4, "after shutdown nothing is held")
		assert.Equal(t, d, logAttrs(exp.records()[3])["oops.id"])
	})
}

func TestLogPublisherNegativeDelayHoldsNothing(t *testing.T) {
	lp, exp := newLogs(t)
	p := otelbridge.NewLogPublisher(&otelbridge.LogOptions{LoggerProvider: lp, Attributes: logCount, NoPendingDelay: true})
	id := oops.NewID()
	publishAll(t, p, context.Background(), revision(id, 0, true, 1))
	require.Len(t, exp.records(), 1, "emitted at once")
	publishAll(t, p, context.Background(), revision(id, 1, false, 2))
	recs := exp.records()
	require.Len(t, recs, 1, "the final revision is not a second record")
	assert.Equal(t, "1", logAttrs(recs[0])["log.count"])
}

func TestLogPublisherRemembersBoundedIDs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lp, exp := newLogs(t)
		p := otelbridge.NewLogPublisher(&otelbridge.LogOptions{LoggerProvider: lp, MaxRemembered: 2})
		held := oops.NewID()
		publishAll(t, p, context.Background(), revision(held, 0, true, 0))
		first := oops.NewID()
		publishAll(t, p, context.Background(), revision(first, 0, false, 0))
		assert.Len(t, exp.records(), 1)

		// A third id makes room by forgetting the oldest: the record held
		// for it is emitted then, not lost.
		publishAll(t, p, context.Background(), revision(oops.NewID(), 0, false, 0))
		assert.Equal(t, 0, p.Held())
		recs := exp.records()
		require.Len(t, recs, 3)
		assert.Equal(t, held, logAttrs(recs[1])["oops.id"])

		// An id forgotten is emitted again: the memory is bounded.
		publishAll(t, p, context.Background(), revision(oops.NewID(), 0, false, 0))
		publishAll(t, p, context.Background(), revision(first, 1, false, 0))
		assert.Len(t, exp.records(), 5)

		time.Sleep(otelbridge.DefaultPendingDelay)
		synctest.Wait()
		assert.Len(t, exp.records(), 5, "no timer left behind for the forgotten id")
	})
}

func TestLogPublisherRevisionsThroughAsync(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lp, exp := newLogs(t)
		tp, rec := newTraces(t)
		ctx, span := tp.Tracer("test").Start(context.Background(), "request")

		p := otelbridge.NewLogPublisher(&otelbridge.LogOptions{LoggerProvider: lp, Attributes: logCount, SpanEvent: true})
		async := oops.NewAsync(p, nil)
		cfg := oops.Config{Hooks: hooks(), Publisher: async}
		r := cfg.Create(ctx, oops.Event{Err: errors.New("boom")})
		r.Pending = true
		_, err := cfg.Publish(ctx, r)
		require.NoError(t, err)
		span.End()

		// The trailing window closes later: the same id, completed.
		time.Sleep(2 * time.Second)
		final := r.Clone()
		final.Revision, final.Pending = 1, false
		final.Log = []oops.LogRecord{{Level: "INFO", Msg: "after"}, {Level: "INFO", Msg: "later"}}
		_, err = cfg.Publish(context.Background(), final)
		require.NoError(t, err)
		require.NoError(t, async.Close(context.Background()))

		recs := exp.records()
		require.Len(t, recs, 1)
		assert.Equal(t, "2", logAttrs(recs[0])["log.count"])
		assert.Equal(t, span.SpanContext().TraceID(), recs[0].TraceID(), "the held record keeps its trace")
		assert.Equal(t, span.SpanContext().SpanID(), recs[0].SpanID())
		assert.Equal(t, span.SpanContext().TraceFlags(), recs[0].TraceFlags())
		require.Len(t, rec.Ended(), 1)
		assert.Empty(t, rec.Ended()[0].Events(), "Async publishes without the request's span")
	})
}

func TestLogPublisherSpanEventOncePerID(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lp, exp := newLogs(t)
		tp, rec := newTraces(t)
		ctx, span := tp.Tracer("test").Start(context.Background(), "request")
		p := otelbridge.NewLogPublisher(&otelbridge.LogOptions{LoggerProvider: lp, SpanEvent: true})

		id := oops.NewID()
		first := revision(id, 0, true, 1)
		first.Time = time.Now()
		publishAll(t, p, ctx, first)
		time.Sleep(time.Second)
		publishAll(t, p, ctx, revision(id, 1, true, 2), revision(id, 2, false, 3))
		// A redelivery of another report, on the same span.
		other := &oops.Report{ID: oops.NewID(), Type: "*errors.errorString", Value: "other"}
		publishAll(t, p, ctx, other, other)
		span.End()

		assert.Len(t, exp.records(), 2)
		require.Len(t, rec.Ended(), 1)
		events := rec.Ended()[0].Events()
		require.Len(t, events, 2, "one exception event per report id")
		assert.Equal(t, id, kvMap(events[0].Attributes)["oops.id"])
		assert.True(t, events[0].Time.Equal(first.Time), "recorded at once, while the span still records")
		assert.Equal(t, other.ID, kvMap(events[1].Attributes)["oops.id"])
	})
}

func TestLogPublisherSpanEventAfterSpanlessFirstRevision(t *testing.T) {
	// The first revision is published without a span (from a background
	// goroutine, say), the final one with the request's: the span gets the
	// event then.
	lp, _ := newLogs(t)
	tp, rec := newTraces(t)
	ctx, span := tp.Tracer("test").Start(context.Background(), "request")
	p := otelbridge.NewLogPublisher(&otelbridge.LogOptions{LoggerProvider: lp, SpanEvent: true, NoPendingDelay: true})
	id := oops.NewID()
	publishAll(t, p, context.Background(), revision(id, 0, true, 0))
	publishAll(t, p, ctx, revision(id, 1, false, 0))
	span.End()
	require.Len(t, rec.Ended(), 1)
	assert.Len(t, rec.Ended()[0].Events(), 1)
}

func TestLogPublisherRevisionsConcurrent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lp, exp := newLogs(t)
		p := otelbridge.NewLogPublisher(&otelbridge.LogOptions{LoggerProvider: lp})
		ids := make([]string, 200)
		for i := range ids {
			ids[i] = oops.NewID()
		}
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Go(func() {
				for i, id := range ids {
					if i%4 != w {
						continue
					}
					_, err := p.Publish(context.Background(), revision(id, 0, true, 0))
					assert.NoError(t, err)
					_, err = p.Publish(context.Background(), revision(id, 1, false, 0))
					assert.NoError(t, err)
				}
			})
		}
		wg.Wait()
		assert.Equal(t, 0, p.Held(), "every pending revision was followed by its final one")
		require.NoError(t, p.Shutdown(context.Background()))
		assert.Equal(t, len(ids), len(exp.records()))
		seen := map[string]bool{}
		for _, r := range exp.records() {
			seen[logAttrs(r)["oops.id"]] = true
		}
		assert.Len(t, seen, len(ids))
	})
}
