package flight_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/flight"
)

// countingSource counts what the recorder asks of it.
type countingSource struct{ attrs, stacks int }

func (s *countingSource) ReportAttrs() map[string]any {
	s.attrs++
	return map[string]any{"table": "orders"}
}

func (s *countingSource) ReportStack() []uintptr {
	s.stacks++
	return oops.Callers(1)
}

// Decide and ReportDecision apart do what Report does, and the recorder
// asks nothing of a record it suppresses: an integration may fill in the
// Source after Decide, for a report only.
func TestDecideThenReportDecision(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := flight.New(&flight.Options{Burst: 2, Every: time.Minute})
		s := &sink{}
		cfg := &oops.Config{Publisher: s}
		ctx := context.Background()
		err := errors.New("connection refused")
		e := flight.Entry{Level: slog.LevelError, Msg: "query failed", Err: err, PC: 1234, Time: time.Now()}
		var verdicts []flight.Verdict
		var src countingSource
		for range 5 {
			d := r.Decide(ctx, e)
			verdicts = append(verdicts, d.Verdict)
			assert.Equal(t, oops.Signature(e.PC, e.Msg, e.Err), d.Signature)
			e := e
			if d.Verdict == flight.VerdictReport {
				e.Source = &src
			}
			out := r.ReportDecision(ctx, cfg, d, e, flight.DefaultKeys)
			if d.Verdict == flight.VerdictSuppress {
				assert.Equal(t, flight.Outcome{Verdict: flight.VerdictSuppress, Dropped: flight.DropSuppressed}, out)
			} else {
				assert.NotEmpty(t, out.ID)
			}
		}
		assert.Equal(t, []flight.Verdict{flight.VerdictReport, flight.VerdictReport,
			flight.VerdictSuppress, flight.VerdictSuppress, flight.VerdictSuppress}, verdicts)
		assert.Equal(t, 2, src.attrs, "the source is asked for reports only")
		assert.Equal(t, uint64(3), r.Stats().Suppressed)

		// The bucket refills on the (bubble's) monotonic clock, and the
		// next report carries the count held back.
		time.Sleep(time.Minute)
		out := r.Report(ctx, cfg, e, flight.DefaultKeys)
		require.NotEmpty(t, out.ID)
		got := s.all()
		require.Len(t, got, 3)
		assert.Equal(t, 3, got[2].Suppressed)
		assert.Equal(t, "orders", got[0].Attrs["table"])
		assert.Equal(t, oops.Signature(e.PC, e.Msg, e.Err), got[2].Signature)
		assert.True(t, got[2].Time.Equal(e.Time), "the report's time is the entry's wall-clock time")
	})
}
