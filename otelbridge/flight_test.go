package otelbridge_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"testing/synctest"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/flight"
	"github.com/oops-go/oops/otelbridge"
	"github.com/oops-go/oops/slogoops"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTrailingWindowIsOneRecordAndOneSpanEvent runs a failure through the
// slog handler with the flight recorder's trailing window on: the report is
// published at the trigger and again, under the same id, when the window
// closes, while the request's span still records. OpenTelemetry sees one
// log record and one exception event.
func TestTrailingWindowIsOneRecordAndOneSpanEvent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lp, exp := newLogs(t)
		tp, spans := newTraces(t)
		pub := otelbridge.NewLogPublisher(&otelbridge.LogOptions{LoggerProvider: lp, SpanEvent: true})
		var published []string
		store := oops.PublisherFunc(func(_ context.Context, r *oops.Report) ([]string, error) {
			published = append(published, r.ID)
			return []string{r.ID}, nil
		})
		cfg := &oops.Config{Hooks: hooks(), Publisher: oops.ToMany(store, pub)}
		rec := flight.New(&flight.Options{Window: true, WindowDuration: time.Second})
		logger := slog.New(slogoops.NewHandler(slog.DiscardHandler, cfg, &slogoops.Options{Recorder: rec}))

		ctx, span := tp.Tracer("test").Start(context.Background(), "request")
		logger.ErrorContext(ctx, "payment failed", "err", errors.New("declined"))
		logger.InfoContext(ctx, "refund queued")
		time.Sleep(2 * time.Second)
		require.NoError(t, rec.Flush(context.Background()))
		require.Len(t, published, 2, "published at the trigger and when the window closed")
		require.Equal(t, published[0], published[1], "under the same id")
		span.End()
		require.NoError(t, pub.Shutdown(context.Background()))

		recs := exp.records()
		require.Len(t, recs, 1, "one failure, one record")
		assert.Equal(t, published[0], logAttrs(recs[0])["oops.id"])
		assert.Equal(t, span.SpanContext().TraceID(), recs[0].TraceID())
		require.Len(t, spans.Ended(), 1)
		events := spans.Ended()[0].Events()
		require.Len(t, events, 1, "one exception event")
		assert.Equal(t, published[0], kvMap(events[0].Attributes)["oops.id"])
	})
}
