package flight_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/flight"
	"github.com/oops-go/oops/timeline"
)

func revisions(reps []*oops.Report) (revs []int, pending []bool) {
	for _, r := range reps {
		revs = append(revs, r.Revision)
		pending = append(pending, r.Pending)
	}
	return revs, pending
}

// TestWindowAndIncidentShareRevisions: a report held by a trailing window
// and by the incident of its request is published three times under one id,
// revisions counting up across both holders, and only the last one, whoever
// makes it, goes out without Pending.
func TestWindowAndIncidentShareRevisions(t *testing.T) {
	for _, windowFirst := range []bool{true, false} {
		s := &sink{}
		cfg := &oops.Config{Publisher: s}
		rec := flight.New(&flight.Options{Window: true, WindowDuration: time.Hour})
		inc := &oops.Incident{}
		tl := timeline.New()
		ctx := oops.WithIncident(timeline.NewContext(context.Background(), tl), inc)
		out := rec.Report(ctx, cfg, flight.Entry{Level: slog.LevelError, Msg: "failed"}, flight.DefaultKeys)
		require.NotEmpty(t, out.ID)
		require.NotNil(t, inc.Draft(), "the incident adopted the report")
		assert.Equal(t, out.ID, inc.Draft().ID())
		tl.Start("SQL-main", "ROLLBACK").Finish()

		closeWindow := func() { require.NoError(t, rec.Flush(context.Background())) }
		endRequest := func() {
			d := inc.End()
			require.NotNil(t, d)
			_, err := d.Revise(ctx, cfg, func(r *oops.Report) { r.Extra = map[string]any{"HTTP_STATUS": "500"} })
			require.NoError(t, err)
		}
		if windowFirst {
			closeWindow()
			endRequest()
		} else {
			endRequest()
			closeWindow()
		}
		all := s.all()
		require.Len(t, all, 3)
		for _, r := range all {
			assert.Equal(t, out.ID, r.ID)
		}
		revs, pending := revisions(all)
		assert.Equal(t, []int{0, 1, 2}, revs)
		assert.Equal(t, []bool{true, true, false}, pending)
		last := all[2]
		assert.Equal(t, "500", last.Extra["HTTP_STATUS"], "the request's completion stays in later revisions")
		require.NotEmpty(t, last.Timeline)
		assert.Equal(t, "ROLLBACK", last.Timeline[len(last.Timeline)-1].Detail)
	}
}

type rec2 = rec

// TestTriggerOfAnotherRequestDoesNotFold: a window opened by one request's
// report takes no trigger of another request: that one gets its own id.
func TestTriggerOfAnotherRequestDoesNotFold(t *testing.T) {
	s := &sink{}
	cfg := &oops.Config{Publisher: s}
	rec := flight.New(&flight.Options{Window: true, WindowDuration: time.Hour, NoRateLimit: true})
	a := timeline.NewContext(context.Background(), timeline.New())
	b := timeline.NewContext(context.Background(), timeline.New())
	first := rec.Report(a, cfg, flight.Entry{Level: slog.LevelError, Msg: "a"}, flight.DefaultKeys)
	same := rec.Report(a, cfg, flight.Entry{Level: slog.LevelError, Msg: "a again"}, flight.DefaultKeys)
	other := rec.Report(b, cfg, flight.Entry{Level: slog.LevelError, Msg: "b"}, flight.DefaultKeys)
	none := rec.Report(context.Background(), cfg, flight.Entry{Level: slog.LevelError, Msg: "process",
		Record: &rec2{msg: "process"}}, flight.DefaultKeys)
	assert.Equal(t, flight.VerdictFold, same.Verdict)
	assert.Equal(t, first.ID, same.ID)
	assert.Equal(t, flight.VerdictReport, other.Verdict)
	assert.NotEqual(t, first.ID, other.ID)
	assert.Equal(t, flight.VerdictFold, none.Verdict, "a process trigger folds")
	require.NoError(t, rec.Flush(context.Background()))
	var logs []string
	for _, r := range s.all() {
		if r.ID == first.ID && r.Revision == 1 {
			for _, l := range r.Log {
				logs = append(logs, l.Msg)
			}
		}
	}
	assert.Equal(t, []string{"process"}, logs[len(logs)-1:], "only process records join the window's log")
	assert.NotContains(t, logs, "b")
}

// TestUnstoredWindowReportIsNotRepublished: a report no store took closes
// its window and is never published again; the line says why.
func TestUnstoredWindowReportIsNotRepublished(t *testing.T) {
	var calls int
	var mu sync.Mutex
	failing := oops.PublisherFunc(func(context.Context, *oops.Report) ([]string, error) {
		mu.Lock()
		calls++
		mu.Unlock()
		return nil, errors.New("down")
	})
	rec := flight.New(&flight.Options{Window: true, WindowDuration: time.Hour, OnDrops: func(flight.DropSummary) {}})
	out := rec.Report(context.Background(), &oops.Config{Publisher: failing}, flight.Entry{Level: slog.LevelError, Msg: "x"}, flight.DefaultKeys)
	assert.Empty(t, out.ID)
	assert.Equal(t, flight.DropError, out.Dropped)
	next := rec.Report(context.Background(), &oops.Config{Publisher: failing}, flight.Entry{Level: slog.LevelError, Msg: "y"}, flight.DefaultKeys)
	assert.Equal(t, flight.VerdictReport, next.Verdict, "the window closed: no fold into an id never stored")
	require.NoError(t, rec.Flush(context.Background()))
	mu.Lock()
	assert.Equal(t, 2, calls)
	mu.Unlock()
	assert.Equal(t, uint64(2), rec.Stats().Dropped.Error)
}

// TestDropSummariesAtMostOncePerInterval: the first drop is told at once,
// the others of the interval in one summary at its end, and a quiet interval
// tells nothing.
func TestDropSummariesAtMostOncePerInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var got []flight.DropSummary
		rec := flight.New(&flight.Options{NoRateLimit: true, DropEvery: 10 * time.Second, OnDrops: func(s flight.DropSummary) {
			mu.Lock()
			got = append(got, s)
			mu.Unlock()
		}})
		full := oops.PublisherFunc(func(context.Context, *oops.Report) ([]string, error) { return nil, oops.ErrQueueFull })
		cfg := &oops.Config{Publisher: full}
		for range 100000 {
			rec.Report(context.Background(), cfg, flight.Entry{Level: slog.LevelError, Msg: "storm"}, flight.DefaultKeys)
		}
		count := func() int { mu.Lock(); defer mu.Unlock(); return len(got) }
		assert.Equal(t, 1, count())
		time.Sleep(10 * time.Second)
		synctest.Wait()
		require.Equal(t, 2, count())
		assert.Equal(t, uint64(99999), got[1].Drops.QueueFull)
		time.Sleep(time.Minute)
		synctest.Wait()
		assert.Equal(t, 2, count(), "quiet")
		rec.Report(context.Background(), cfg, flight.Entry{Level: slog.LevelError, Msg: "again"}, flight.DefaultKeys)
		assert.Equal(t, 3, count(), "the first after a quiet interval is told at once")
		assert.Equal(t, "oops: 1 reports not stored since 2000-01-01T00:01:10Z: queue_full=1 (last error: oops: async publisher queue is full)", got[2].String())
		time.Sleep(time.Minute)
	})
}
