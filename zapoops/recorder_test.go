package zapoops_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/flight"
	"github.com/oops-go/oops/timeline"
	"github.com/oops-go/oops/zapoops"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

func msgs(log []oops.LogRecord) []string {
	var out []string
	for _, l := range log {
		out = append(out, l.Level+" "+l.Msg)
	}
	return out
}

func TestRecorderKeepsEntriesBelowTheReportLevel(t *testing.T) {
	f := newFixture(t, nil)
	f.logger.Debug("cache miss", zap.String("key", "user:7"))
	f.logger.Named("db").Info("slow query", zap.Duration("took", time.Second))
	f.logger.Error("request failed")

	r := f.only(t)
	assert.Equal(t, []string{"DEBUG cache miss", "INFO slow query"}, msgs(r.Log))
	assert.Equal(t, map[string]any{"key": "user:7"}, r.Log[0].Attrs)
	assert.Equal(t, map[string]any{"took": "1s", "logger": "db"}, r.Log[1].Attrs)
	var written []string
	for _, e := range f.logs.All() {
		written = append(written, e.Message)
	}
	assert.Equal(t, []string{"slow query", "request failed"}, written, "the Info core never sees the debug entry")
}

func TestRecorderOff(t *testing.T) {
	f := newFixture(t, &zapoops.Options{NoRecording: true})
	assert.Nil(t, f.logger.Check(zapcore.DebugLevel, "dropped"), "nothing wants a debug entry")
	f.logger.Info("written, not kept")
	f.logger.Error("failed")
	assert.Empty(t, f.only(t).Log)

	g := newFixture(t, &zapoops.Options{RecordLevel: zapcore.InfoLevel})
	g.logger.Debug("below the record level")
	g.logger.Info("kept")
	g.logger.Error("failed")
	assert.Equal(t, []string{"INFO kept"}, msgs(g.only(t).Log))
}

func TestRecorderKeepsIntoTheContextTimeline(t *testing.T) {
	f := newFixture(t, nil)
	tl := timeline.New()
	ctx := timeline.NewContext(context.Background(), tl)
	req := f.logger.With(zapoops.Context(ctx), zap.String("req", "r1"))
	req.Debug("step one", zap.Int("n", 1))
	f.logger.Info("step two", zapoops.Context(ctx))
	f.logger.Info("elsewhere")
	req.Error("failed")

	r := f.only(t)
	var got []string
	for _, e := range r.Timeline {
		got = append(got, e.Category+" "+e.Detail)
	}
	assert.Equal(t, []string{"log-DEBUG step one n=1 req=r1", "log-INFO step two"}, got)
	assert.Equal(t, []string{"INFO elsewhere"}, msgs(r.Log), "entries without a timeline go to the rings")
}

func TestKeptEntriesAreCopies(t *testing.T) {
	f := newFixture(t, nil)
	fields := []zap.Field{zap.String("k", "before")}
	f.logger.Debug("reused", fields...)
	fields[0] = zap.String("k", "after")
	f.logger.Error("failed")
	assert.Equal(t, map[string]any{"k": "before"}, f.only(t).Log[0].Attrs)
}

//go:noinline
func storm(l *zap.Logger) { l.Error("storm") }

func TestRateLimitPerSignature(t *testing.T) {
	// Fake time: the rate limit refills without waiting on the wall clock.
	synctest.Test(t, func(t *testing.T) {
		rec := flight.New(&flight.Options{Burst: 2, Every: 50 * time.Millisecond})
		f := newFixture(t, &zapoops.Options{Recorder: rec})
		for range 5 {
			storm(f.logger)
		}
		f.logger.Error("another signature")
		require.Equal(t, 3, f.store.len(), "a burst of 2 for the storm, and the other signature")
		entries := f.logs.All()
		require.Len(t, entries, 6, "every entry is still written")
		for i, e := range entries {
			_, tagged := fieldString(e, "oops_id")
			assert.Equal(t, i < 2 || i == 5, tagged, "entry %d: only reported entries carry an id", i)
		}
		time.Sleep(60 * time.Millisecond)
		storm(f.logger)
		all := f.store.all()
		require.Len(t, all, 4)
		assert.Equal(t, 3, all[3].Suppressed)
		assert.Equal(t, all[0].Signature, all[3].Signature)
	})
}

func TestTrailingWindow(t *testing.T) {
	rec := flight.New(&flight.Options{Window: true, WindowRecords: 3, WindowDuration: time.Minute})
	f := newFixture(t, &zapoops.Options{Recorder: rec})
	f.logger.Error("first")
	f.logger.Error("second, folds")
	f.logger.Info("after 1")
	f.logger.Debug("after 2")
	require.NoError(t, rec.Flush(context.Background()))

	all := f.store.all()
	require.Len(t, all, 2, "published at the trigger and when the window closed")
	assert.Equal(t, all[0].ID, all[1].ID)
	assert.Equal(t, []string{"ERROR second, folds", "INFO after 1", "DEBUG after 2"}, msgs(all[1].Log))
	entries := f.logs.All()
	id0, _ := fieldString(entries[0], "oops_id")
	id1, _ := fieldString(entries[1], "oops_id")
	assert.Equal(t, all[0].ID, id0)
	assert.Equal(t, all[0].ID, id1, "a folded entry quotes the window's report")
}

func TestSyncClosesTheWindow(t *testing.T) {
	rec := flight.New(&flight.Options{Window: true, WindowDuration: time.Minute})
	f := newFixture(t, &zapoops.Options{Recorder: rec})
	f.logger.Error("first")
	f.logger.Info("after")
	require.NoError(t, f.logger.Sync())
	all := f.store.all()
	require.Len(t, all, 2)
	assert.Equal(t, []string{"INFO after"}, msgs(all[1].Log))
}

func TestConcurrentUse(t *testing.T) {
	rec := flight.New(&flight.Options{NoRateLimit: true})
	f := newFixture(t, &zapoops.Options{Recorder: rec})
	var wg sync.WaitGroup
	const goroutines, each = 8, 100
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tl := timeline.New()
			l := f.logger.With(zap.Int("g", g), zapoops.Context(timeline.NewContext(context.Background(), tl)))
			for i := range each {
				l.Debug("tick", zap.Int("i", i))
				l.With(zap.String("round", fmt.Sprint(i))).Info("tock")
				if i%10 == 0 {
					l.Error("failed", zap.Int("i", i))
				}
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, goroutines*each/10, f.store.len())
	assert.Equal(t, uint64(goroutines*each/10), rec.Stats().Reported)
}

func TestKeptEntryWithBadFields(t *testing.T) {
	f := newFixture(t, nil)
	f.logger.Debug("bad\xff", zap.Object("p", panicky{}), zap.Stringer("s", panicky{}), zap.String("big", strings.Repeat("y", 1<<20)))
	f.logger.Error("failed")
	log := f.only(t).Log
	require.Len(t, log, 1)
	assert.Equal(t, "bad\uFFFD", log[0].Msg)
	assert.Equal(t, "<MarshalLogObject panicked: object boom>", log[0].Attrs["p"])
	assert.Equal(t, "<String panicked: stringer boom>", log[0].Attrs["s"])
	assert.Contains(t, log[0].Attrs["big"], "truncated")
}
