package zapoops_test

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/flight"
	"github.com/oops-go/oops/zapoops"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

func TestCheckAddsTheCoreOnlyWhenEnabled(t *testing.T) {
	rec := flight.New(nil)
	entry := func(l zapcore.Level) zapcore.Entry { return zapcore.Entry{Level: l, Message: "m"} }

	off := zapoops.NewCore(nil, &zapoops.Options{Recorder: rec, NoRecording: true})
	assert.False(t, off.Enabled(zapcore.InfoLevel))
	assert.True(t, off.Enabled(zapcore.WarnLevel))
	assert.Nil(t, off.Check(entry(zapcore.InfoLevel), nil), "below the report level, recorder off: not added")
	assert.NotNil(t, off.Check(entry(zapcore.WarnLevel), nil), "at the report level: added")

	on := zapoops.NewCore(nil, &zapoops.Options{Recorder: rec, RecordLevel: zapcore.InfoLevel})
	assert.True(t, on.Enabled(zapcore.InfoLevel))
	assert.False(t, on.Enabled(zapcore.DebugLevel))
	assert.Nil(t, on.Check(entry(zapcore.DebugLevel), nil), "below the record level: not added")
	assert.NotNil(t, on.Check(entry(zapcore.InfoLevel), nil), "kept by the recorder: added")
	assert.Equal(t, zapcore.InfoLevel, zapcore.LevelOf(on))

	inner, logs := observer.New(zapcore.ErrorLevel)
	wrapped := zapoops.Wrap(inner, nil, &zapoops.Options{Recorder: rec, NoRecording: true})
	assert.Nil(t, wrapped.Check(entry(zapcore.InfoLevel), nil), "neither the inner core nor the reporter wants it")
	ce := wrapped.Check(entry(zapcore.WarnLevel), nil)
	require.NotNil(t, ce, "reported, though the inner core does not write warnings")
	ce.Write()
	assert.Equal(t, 0, logs.Len(), "the inner core's own Check kept the warning out")
	wrapped.Check(entry(zapcore.ErrorLevel), nil).Write()
	assert.Equal(t, 1, logs.Len())
	assert.Equal(t, zapcore.WarnLevel, zapcore.LevelOf(wrapped))
}

func TestWithNeverChangesTheParent(t *testing.T) {
	f := newFixture(t, nil)
	parent := f.logger.With(zap.String("a", "1"))
	c1 := parent.With(zap.String("b", "2"), zapoops.Context(context.Background()))
	c2 := parent.With(zap.String("c", "3"))
	parent.Error("parent")
	c1.Error("c1")
	c2.Error("c2")

	all := f.store.all()
	require.Len(t, all, 3)
	assert.Equal(t, map[string]any{"a": "1"}, all[0].Attrs)
	assert.Equal(t, map[string]any{"a": "1", "b": "2"}, all[1].Attrs)
	assert.Equal(t, map[string]any{"a": "1", "c": "3"}, all[2].Attrs, "siblings do not share With's slice")

	core := zapoops.NewCore(nil, nil)
	child := core.With([]zapcore.Field{zap.String("x", "y")})
	assert.NotSame(t, core, child)
}

// slowStore publishes after a delay, so that a test can tell whether a
// caller waited for it.
type slowStore struct {
	store
	delay time.Duration
}

func (s *slowStore) Publish(ctx context.Context, r *oops.Report) ([]string, error) {
	time.Sleep(s.delay)
	return s.store.Publish(ctx, r)
}

func asyncFixture(t *testing.T, zapOpts ...zap.Option) (*zap.Logger, *slowStore) {
	slow := &slowStore{delay: 50 * time.Millisecond}
	async := oops.NewAsync(slow, nil)
	t.Cleanup(func() { _ = async.Close(context.Background()) })
	cfg := &oops.Config{Publisher: async}
	obs, _ := observer.New(zapcore.InfoLevel)
	logger := zap.New(obs, zapOpts...).WithOptions(zapoops.WrapCore(cfg, &zapoops.Options{Recorder: flight.New(nil)}))
	return logger, slow
}

func TestSyncFlushesTheAsyncPublisher(t *testing.T) {
	logger, slow := asyncFixture(t)
	logger.Error("queued")
	assert.Equal(t, 0, slow.len(), "the log call does not wait for the store")
	require.NoError(t, logger.Sync())
	assert.Equal(t, 1, slow.len(), "Sync returned after the report was published")
}

// fatalHook stands in for os.Exit: it notes how many reports the store had
// when zap would have exited.
type fatalHook struct {
	slow   *slowStore
	atExit atomic.Int64
	called atomic.Bool
}

func (h *fatalHook) OnWrite(*zapcore.CheckedEntry, []zapcore.Field) {
	h.called.Store(true)
	h.atExit.Store(int64(h.slow.len()))
}

func TestFatalFlushesBeforeExit(t *testing.T) {
	hook := &fatalHook{}
	logger, slow := asyncFixture(t, zap.WithFatalHook(hook))
	hook.slow = slow
	logger.Fatal("cannot continue", zap.Error(errors.New("disk gone")))
	require.True(t, hook.called.Load())
	assert.Equal(t, int64(1), hook.atExit.Load(), "the report was published before zap exits")
	assert.Equal(t, "FATAL", slow.all()[0].Level)
}

func TestPanicAndDPanicStillReport(t *testing.T) {
	logger, slow := asyncFixture(t)
	assert.PanicsWithValue(t, "bad state", func() { logger.Panic("bad state") })
	require.Equal(t, 1, slow.len(), "flushed before zap panics")
	assert.Equal(t, "PANIC", slow.all()[0].Level)

	dev, devSlow := asyncFixture(t, zap.Development())
	assert.Panics(t, func() { dev.DPanic("development panics") })
	require.Equal(t, 1, devSlow.len())
	assert.Equal(t, "DPANIC", devSlow.all()[0].Level)

	prod, prodSlow := asyncFixture(t)
	assert.NotPanics(t, func() { prod.DPanic("production does not") })
	require.Equal(t, 1, prodSlow.len())
}

type failingPublisher struct{}

func (failingPublisher) Publish(context.Context, *oops.Report) ([]string, error) {
	return nil, errors.New("store down")
}

func TestPublishErrorsAreSummarizedNotWrittenPerEntry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var errOut bytes.Buffer
		var mu sync.Mutex
		var summaries []flight.DropSummary
		rec := flight.New(&flight.Options{NoRateLimit: true, DropEvery: time.Minute, OnDrops: func(s flight.DropSummary) {
			mu.Lock()
			summaries = append(summaries, s)
			mu.Unlock()
		}})
		cfg := &oops.Config{Publisher: failingPublisher{}}
		obs, logs := observer.New(zapcore.InfoLevel)
		logger := zap.New(obs, zap.ErrorOutput(zapcore.AddSync(&errOut))).
			WithOptions(zapoops.WrapCore(cfg, &zapoops.Options{Recorder: rec}))
		const storm = 10000
		for range storm {
			logger.Error("cannot publish")
		}
		assert.Equal(t, storm, logs.Len(), "every log line is written anyway")
		assert.Empty(t, errOut.String(), "no line per failure on zap's error output")
		for _, e := range logs.All() {
			m := e.ContextMap()
			require.NotContains(t, m, "oops_id", "no id of a report that was not stored")
			require.Equal(t, flight.DropError, m["oops_dropped"])
		}
		mu.Lock()
		require.Len(t, summaries, 1, "the first failure is told at once, the rest wait for the interval")
		assert.Equal(t, uint64(1), summaries[0].Drops.Error)
		assert.ErrorContains(t, summaries[0].LastErr, "store down")
		mu.Unlock()

		time.Sleep(time.Minute + time.Second) // synctest: fake time
		mu.Lock()
		require.Len(t, summaries, 2, "one summary for the interval")
		assert.Equal(t, uint64(storm-1), summaries[1].Drops.Error)
		mu.Unlock()
		assert.Equal(t, uint64(storm), rec.Stats().Dropped.Error)

		time.Sleep(3 * time.Minute)
		mu.Lock()
		assert.Len(t, summaries, 2, "quiet: nothing more")
		mu.Unlock()

		filtered := &oops.Config{Publisher: failingPublisher{}, Filters: []oops.Filter{
			func(context.Context, *oops.Report) bool { return true }}}
		logger = zap.New(obs, zap.ErrorOutput(zapcore.AddSync(&errOut))).
			WithOptions(zapoops.WrapCore(filtered, &zapoops.Options{Recorder: rec}))
		logger.Error("filtered")
		assert.Empty(t, errOut.String(), "a filtered report is not an error")
		mu.Lock()
		assert.Len(t, summaries, 2, "a filtered report is counted, not summarized")
		mu.Unlock()
		assert.Equal(t, uint64(1), rec.Stats().Dropped.Filtered)
		last := logs.All()[logs.Len()-1].ContextMap()
		assert.Equal(t, flight.DropFiltered, last["oops_dropped"])
	})
}

func TestDynamicLevels(t *testing.T) {
	report := zap.NewAtomicLevelAt(zapcore.ErrorLevel)
	f := newFixture(t, &zapoops.Options{ReportLevel: report})
	f.logger.Warn("not yet")
	assert.Equal(t, 0, f.store.len())
	report.SetLevel(zapcore.WarnLevel)
	f.logger.Warn("now a report")
	require.Equal(t, 1, f.store.len())
	assert.Equal(t, []string{"WARN not yet"}, msgs(f.store.all()[0].Log), "the first warning was kept instead")
}

func TestSugaredLogger(t *testing.T) {
	f := newFixture(t, nil)
	f.logger.Sugar().Errorw("sugar", "err", errors.New("sweet"), "n", 1)
	r := f.only(t)
	assert.Equal(t, "sweet", r.Value)
	assert.Equal(t, int64(1), r.Attrs["n"])
}

func TestWriteWithoutCheck(t *testing.T) {
	st := &store{}
	core := zapoops.NewCore(&oops.Config{Publisher: st}, &zapoops.Options{Recorder: flight.New(nil)})
	require.NoError(t, core.Write(zapcore.Entry{Level: zapcore.ErrorLevel, Message: "direct"},
		[]zapcore.Field{zap.Error(errors.New("no hook ran"))}))
	require.Equal(t, 1, st.len())
	r := st.all()[0]
	assert.Equal(t, "no hook ran", r.Value)
	assert.True(t, oops.ValidID(r.ID))
}

func TestTwoCoresInATee(t *testing.T) {
	a, b := &store{}, &store{}
	obs, logs := observer.New(zapcore.InfoLevel)
	logger := zap.New(zapcore.NewTee(obs,
		zapoops.NewCore(&oops.Config{Publisher: a}, &zapoops.Options{Recorder: flight.New(nil), IDKey: "a_id"}),
		zapoops.NewCore(&oops.Config{Publisher: b}, &zapoops.Options{Recorder: flight.New(nil), IDKey: "b_id"})))
	logger.Error("twice")
	require.Equal(t, 1, a.len())
	require.Equal(t, 1, b.len())
	assert.NotEqual(t, a.all()[0].ID, b.all()[0].ID)
	idA, _ := fieldString(logs.All()[0], "a_id")
	idB, _ := fieldString(logs.All()[0], "b_id")
	assert.Equal(t, a.all()[0].ID, idA, "each core's report gets its own id field")
	assert.Equal(t, b.all()[0].ID, idB)
	assert.NotContains(t, a.all()[0].Attrs, "b_id", "another core's id is not an attribute")
}
