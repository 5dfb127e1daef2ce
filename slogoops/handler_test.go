package slogoops_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/slogtest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/flight"
	"github.com/oops-go/oops/slogoops"
	"github.com/oops-go/oops/timeline"
)

// store keeps copies of the reports it is given.
type store struct {
	mu   sync.Mutex
	reps []*oops.Report
}

func (s *store) Publish(_ context.Context, r *oops.Report) ([]string, error) {
	c := r.Clone()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reps = append(s.reps, c)
	return []string{c.ID}, nil
}

func (s *store) all() []*oops.Report {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*oops.Report(nil), s.reps...)
}

func (s *store) only(t *testing.T) *oops.Report {
	t.Helper()
	all := s.all()
	require.Len(t, all, 1)
	return all[0]
}

// setup returns a logger whose handler wraps a JSON handler at level into
// buf, publishing into a store, with a recorder of its own.
func setup(t *testing.T, level slog.Level, opts *slogoops.Options) (*slog.Logger, *bytes.Buffer, *store, *slogoops.Handler) {
	t.Helper()
	buf := &bytes.Buffer{}
	next := slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: level})
	st := &store{}
	if opts == nil {
		opts = &slogoops.Options{}
	}
	if opts.Recorder == nil {
		opts.Recorder = flight.New(&flight.Options{NoRateLimit: true})
	}
	h := slogoops.NewHandler(next, &oops.Config{Publisher: st}, opts)
	return slog.New(h), buf, st, h
}

func lines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.Lines(buf.String()) {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m), line)
		out = append(out, m)
	}
	return out
}

func TestSlogtest(t *testing.T) {
	var buf bytes.Buffer
	newHandler := func(*testing.T) slog.Handler {
		buf.Reset()
		next := slog.NewJSONHandler(&buf, nil)
		return slogoops.NewHandler(next, &oops.Config{Publisher: oops.Discard},
			&slogoops.Options{Recorder: flight.New(nil)})
	}
	result := func(t *testing.T) map[string]any {
		var m map[string]any
		require.NoError(t, json.Unmarshal(buf.Bytes(), &m), buf.String())
		return m
	}
	slogtest.Run(t, newHandler, result)
}

func TestNextSeesRecordsAsBefore(t *testing.T) {
	logger, buf, st, _ := setup(t, slog.LevelInfo, nil)
	ctx := context.Background()
	assert.True(t, logger.Enabled(ctx, slog.LevelDebug), "debug is kept by the recorder")
	logger.Debug("kept only")
	logger.Info("plain")
	logger.Warn("reported", "n", 1)
	got := lines(t, buf)
	require.Len(t, got, 2, "the debug record does not reach next")
	assert.Equal(t, "plain", got[0]["msg"])
	assert.NotContains(t, got[0], "oops_id")
	assert.Equal(t, "reported", got[1]["msg"])
	rep := st.only(t)
	assert.Equal(t, rep.ID, got[1]["oops_id"], "the line quotes the report")
	assert.Equal(t, "WARN", rep.Level)
	assert.Equal(t, "WARN", rep.Type)
	assert.Equal(t, "reported", rep.Value)
	assert.Equal(t, map[string]any{"n": int64(1)}, rep.Attrs)
	require.Len(t, rep.Log, 2, "debug and info records below the report level are kept")
	assert.Equal(t, "kept only", rep.Log[0].Msg)
	assert.Equal(t, "DEBUG", rep.Log[0].Level)
	assert.Equal(t, "plain", rep.Log[1].Msg)
	assert.Equal(t, "INFO", rep.Log[1].Level)
}

func TestNextLevelRespectedForReports(t *testing.T) {
	logger, buf, st, _ := setup(t, slog.LevelError, nil)
	logger.Warn("reported but not logged")
	assert.Empty(t, buf.String())
	assert.Len(t, st.all(), 1)
}

func TestNoRecording(t *testing.T) {
	logger, buf, st, _ := setup(t, slog.LevelInfo, &slogoops.Options{NoRecording: true})
	assert.False(t, logger.Enabled(context.Background(), slog.LevelDebug))
	logger.Debug("dropped")
	logger.Error("boom")
	assert.Len(t, lines(t, buf), 1)
	assert.Empty(t, st.only(t).Log)
}

func TestNilNextAndConfig(t *testing.T) {
	h := slogoops.NewHandler(nil, nil, &slogoops.Options{Recorder: flight.New(nil)})
	logger := slog.New(h)
	logger.Info("nowhere")
	logger.Error("published nowhere", "err", errors.New("x"))
	assert.Len(t, h.Recorder().Records(), 1)
}

func TestOptions(t *testing.T) {
	logger, buf, st, _ := setup(t, slog.LevelDebug, &slogoops.Options{
		ReportLevel: slog.LevelError, RecordLevel: slog.LevelInfo, IDKey: "incident",
		TopicKey: "job", NoUsernameKey: true,
	})
	logger.Debug("not kept")
	logger.Warn("kept, not reported")
	logger.Error("reported", "job", "nightly", "username", "bob")
	got := lines(t, buf)
	require.Len(t, got, 3)
	rep := st.only(t)
	assert.Equal(t, rep.ID, got[2]["incident"])
	assert.Equal(t, "nightly", rep.Topic)
	assert.Empty(t, rep.Username)
	require.Len(t, rep.Log, 1)
	assert.Equal(t, "kept, not reported", rep.Log[0].Msg)
}

type frame uintptr
type stackTrace []frame

// stackErr carries a stack as github.com/pkg/errors does.
type stackErr struct {
	msg string
	pcs []uintptr
}

func (e *stackErr) Error() string { return e.msg }
func (e *stackErr) StackTrace() stackTrace {
	out := make(stackTrace, len(e.pcs))
	for i, pc := range e.pcs {
		out[i] = frame(pc)
	}
	return out
}

//go:noinline
func makeStackErr() error {
	pcs := make([]uintptr, 32)
	n := runtime.Callers(1, pcs)
	return &stackErr{msg: "deep failure", pcs: pcs[:n]}
}

type queryError struct{ query string }

func (e *queryError) Error() string { return "query failed: " + e.query }

func TestReportMapping(t *testing.T) {
	logger, _, st, _ := setup(t, slog.LevelInfo, nil)
	tl := timeline.New()
	ctx := timeline.NewContext(context.Background(), tl)
	tl.Start("SQL-main", "SELECT 1").Finish()
	perr := &queryError{query: "SELECT x"}
	logger.With("svc", "api", "url", "/orders/7").WithGroup("req").With("id", 7).
		ErrorContext(ctx, "open failed", "err", fmt.Errorf("loading: %w", perr),
			"topic", "GET /orders/{id}", slog.Group("who", "username", "nested-not-used"))
	rep := st.only(t)
	assert.Equal(t, "*slogoops_test.queryError", rep.Type)
	assert.Equal(t, "loading: query failed: SELECT x", rep.Value)
	assert.Equal(t, "ERROR", rep.Level)
	assert.Equal(t, "open failed", rep.Msg)
	assert.Equal(t, "/orders/7", rep.URL, "top-level attribute")
	assert.Empty(t, rep.Topic, "inside a group: not a well-known key")
	assert.Empty(t, rep.Username)
	assert.Equal(t, map[string]any{
		"svc": "api", "url": "/orders/7",
		"req": map[string]any{
			"id": int64(7), "err": "loading: query failed: SELECT x",
			"topic": "GET /orders/{id}", "who": map[string]any{"username": "nested-not-used"},
		},
	}, rep.Attrs)
	assert.Contains(t, rep.TBText, "slogoops_test.TestReportMapping(...)", "the stack of the log call")
	assert.True(t, strings.HasPrefix(rep.TBText, "github.com/oops-go/oops/slogoops_test.TestReportMapping"), rep.TBText)
	require.NotEmpty(t, rep.Timeline)
	assert.Equal(t, "SQL-main", rep.Timeline[0].Category)
	assert.Len(t, rep.Signature, 16)
}

func TestErrorStackAndChoice(t *testing.T) {
	logger, _, st, _ := setup(t, slog.LevelInfo, nil)
	other := errors.New("not this one")
	logger.Error("x", "first", other, "error", makeStackErr())
	rep := st.only(t)
	assert.Equal(t, "*slogoops_test.stackErr", rep.Type, "the key error wins over an earlier error")
	assert.True(t, strings.HasPrefix(rep.TBText, "github.com/oops-go/oops/slogoops_test.makeStackErr"), rep.TBText)

	logger2, _, st2, _ := setup(t, slog.LevelInfo, nil)
	logger2.Error("x", "n", 1, "cause", other, "later", makeStackErr())
	assert.Equal(t, "*errors.errorString", st2.only(t).Type, "without err/error keys, the first error")
}

func TestSignatureGroupsByCallSiteNotText(t *testing.T) {
	logger, _, st, _ := setup(t, slog.LevelInfo, nil)
	for i := range 2 {
		logger.Error("failed", "err", &fs.PathError{Op: "open", Path: fmt.Sprint("/", i), Err: fs.ErrNotExist})
	}
	logger.Error("failed", "err", &fs.PathError{Op: "open", Path: "/x", Err: fs.ErrNotExist})
	all := st.all()
	require.Len(t, all, 3)
	assert.Equal(t, all[0].Signature, all[1].Signature)
	assert.NotEqual(t, all[0].Signature, all[2].Signature, "another call site")
}

func TestRecorderUsesTimelineInContext(t *testing.T) {
	logger, _, st, _ := setup(t, slog.LevelInfo, nil)
	tl := timeline.New()
	ctx := timeline.NewContext(context.Background(), tl)
	logger.DebugContext(ctx, "step one", "n", 1)
	logger.InfoContext(ctx, "step two")
	logger.ErrorContext(ctx, "failed")
	rep := st.only(t)
	assert.Empty(t, rep.Log, "records with a timeline go to the timeline")
	require.Len(t, rep.Timeline, 2)
	assert.Equal(t, "log-DEBUG", rep.Timeline[0].Category)
	assert.Equal(t, "step one n=1", rep.Timeline[0].Detail)
	assert.Equal(t, "log-INFO", rep.Timeline[1].Category)
}

func TestRecordClonedBeforeKept(t *testing.T) {
	rec := flight.New(nil)
	h := slogoops.NewHandler(slog.NewJSONHandler(io.Discard, nil), nil, &slogoops.Options{Recorder: rec})
	ctx := context.Background()
	r := slog.NewRecord(time.Now(), slog.LevelDebug, "m", 0)
	r.AddAttrs(slog.Int("a", 1), slog.Int("b", 2), slog.Int("c", 3), slog.Int("d", 4), slog.Int("e", 5), slog.Int("f", 6))
	require.NoError(t, h.Handle(ctx, r))
	// The caller reuses its record: appends go to a shared backing array
	// unless the handler cloned it.
	r2 := r
	r2.AddAttrs(slog.Int("g", 7))
	r3 := r
	r3.AddAttrs(slog.Int("h", 8))
	r.Message = "changed"
	got := rec.Records()
	require.Len(t, got, 1)
	assert.Equal(t, "m", got[0].Msg)
	assert.Equal(t, map[string]any{"a": int64(1), "b": int64(2), "c": int64(3), "d": int64(4), "e": int64(5), "f": int64(6)}, got[0].Attrs)
}

func TestWithGroupThreeDeepNoAliasing(t *testing.T) {
	logger, buf, st, _ := setup(t, slog.LevelInfo, nil)
	base := logger.WithGroup("a").With("x", 1).WithGroup("b").With("y", 2).WithGroup("c")
	// Siblings derived from one parent must not see each other's attributes.
	l1 := base.With("z", "one")
	l2 := base.With("z", "two", "w", true)
	l1.Error("e1", "k", 1)
	l2.Error("e2", "k", 2)
	base.Error("e3")
	all := st.all()
	require.Len(t, all, 3)
	assert.Equal(t, map[string]any{"a": map[string]any{"x": int64(1), "b": map[string]any{"y": int64(2),
		"c": map[string]any{"z": "one", "k": int64(1)}}}}, all[0].Attrs)
	assert.Equal(t, map[string]any{"a": map[string]any{"x": int64(1), "b": map[string]any{"y": int64(2),
		"c": map[string]any{"z": "two", "w": true, "k": int64(2)}}}}, all[1].Attrs)
	assert.Equal(t, map[string]any{"a": map[string]any{"x": int64(1), "b": map[string]any{"y": int64(2)}}}, all[2].Attrs,
		"an empty group is left out")
	got := lines(t, buf)
	require.Len(t, got, 3)
	c := got[0]["a"].(map[string]any)["b"].(map[string]any)["c"].(map[string]any)
	assert.Equal(t, all[0].ID, c["oops_id"], "under groups, the id is in the open group")
}

type panicValuer struct{}

func (panicValuer) LogValue() slog.Value { panic("valuer broke") }

type panicStringer struct{}

func (panicStringer) String() string { panic("stringer broke") }

type panicError struct{}

func (panicError) Error() string { panic("error broke") }

func TestBadValuesStillReport(t *testing.T) {
	logger, buf, st, h := setup(t, slog.LevelInfo, nil)
	big := strings.Repeat("x", 10<<20)
	logger.Debug("kept bad", "v", panicValuer{}, "s", panicStringer{})
	logger.Error("bad \xff msg", "v", panicValuer{}, "s", panicStringer{}, "u", "in\xffvalid", "big", big,
		"in\xffkey", 1, "err", panicError{})
	rep := st.only(t)
	assert.Equal(t, "bad \uFFFD msg", rep.Msg)
	assert.Contains(t, rep.Attrs["v"], "LogValue panicked")
	assert.Contains(t, rep.Attrs["s"], "<panicked: stringer broke>")
	assert.Equal(t, "in\uFFFDvalid", rep.Attrs["u"])
	assert.Contains(t, rep.Attrs, "in\uFFFDkey")
	b := rep.Attrs["big"].(string)
	assert.Less(t, len(b), 100<<10)
	assert.True(t, strings.HasSuffix(b, fmt.Sprintf("…<truncated %d bytes>", 10<<20-flight.MaxValueLen)), b[len(b)-40:])
	assert.Equal(t, "slogoops_test.panicError", rep.Type)
	assert.Contains(t, rep.Value, "<Error method panicked: error broke>")
	require.Len(t, rep.Log, 1)
	assert.Contains(t, rep.Log[0].Attrs["s"], "<panicked: stringer broke>")
	_, err := json.Marshal(rep)
	require.NoError(t, err, "the report encodes")
	// next got the record too: the line is there, 10 MB and all.
	got := lines(t, buf)
	require.Len(t, got, 1)
	assert.Equal(t, rep.ID, got[0]["oops_id"])
	_ = h
}

func TestTrailingWindowThroughHandler(t *testing.T) {
	rec := flight.New(&flight.Options{Window: true, WindowRecords: 3, WindowDuration: time.Hour, NoRateLimit: true})
	logger, buf, st, _ := setup(t, slog.LevelInfo, &slogoops.Options{Recorder: rec})
	logger.Error("first")
	logger.Error("second")
	logger.Info("after")
	logger.Info("after again")
	require.NoError(t, rec.Flush(context.Background()))
	got := lines(t, buf)
	require.Len(t, got, 4)
	assert.Equal(t, got[0]["oops_id"], got[1]["oops_id"], "the second error folds into the first's report")
	all := st.all()
	require.Len(t, all, 2, "published at the trigger and when the window closed")
	assert.Equal(t, got[0]["oops_id"], all[0].ID)
	assert.Equal(t, all[0].ID, all[1].ID)
	var msgs []string
	for _, lr := range all[1].Log {
		msgs = append(msgs, lr.Msg)
	}
	assert.Equal(t, []string{"second", "after", "after again"}, msgs)
}

func TestRateLimitThroughHandler(t *testing.T) {
	rec := flight.New(&flight.Options{Burst: 2, Every: time.Hour})
	logger, buf, st, _ := setup(t, slog.LevelInfo, &slogoops.Options{Recorder: rec})
	for range 5 {
		logger.Error("again")
	}
	assert.Len(t, st.all(), 2)
	got := lines(t, buf)
	require.Len(t, got, 5, "suppressed records still reach next")
	assert.Contains(t, got[1], "oops_id")
	assert.NotContains(t, got[2], "oops_id")
	assert.Equal(t, uint64(3), rec.Stats().Suppressed)
}

func TestConcurrentLogging(t *testing.T) {
	rec := flight.New(&flight.Options{Window: true, WindowRecords: 20, WindowDuration: time.Millisecond})
	st := &store{}
	async := oops.NewAsync(st, &oops.AsyncOptions{QueueSize: 64})
	h := slogoops.NewHandler(slog.NewJSONHandler(io.Discard, nil), &oops.Config{Publisher: async}, &slogoops.Options{Recorder: rec})
	base := slog.New(h).With("svc", "x")
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			l := base.WithGroup(fmt.Sprint("g", g)).With("g", g)
			ctx := context.Background()
			if g%2 == 0 {
				ctx = timeline.NewContext(ctx, timeline.New())
			}
			for i := range 500 {
				l.DebugContext(ctx, "d", "i", i)
				l.InfoContext(ctx, "i", "i", i)
				if i%50 == 0 {
					l.ErrorContext(ctx, "e", "err", errors.New("boom"), "i", i)
				}
			}
		})
	}
	wg.Wait()
	require.NoError(t, rec.Flush(context.Background()))
	require.NoError(t, async.Close(context.Background()))
	assert.NotEmpty(t, st.all())
}

// blockingStore blocks every Publish until release is closed.
type blockingStore struct{ release chan struct{} }

func (b blockingStore) Publish(ctx context.Context, r *oops.Report) ([]string, error) {
	select {
	case <-b.release:
	case <-ctx.Done():
	}
	return []string{r.ID}, nil
}

func TestStormStaysBoundedAndNeverBlocks(t *testing.T) {
	if testing.Short() {
		t.Skip("a million records")
	}
	rec := flight.New(&flight.Options{Window: true})
	bs := blockingStore{release: make(chan struct{})}
	async := oops.NewAsync(bs, &oops.AsyncOptions{QueueSize: 16})
	h := slogoops.NewHandler(slog.NewJSONHandler(io.Discard, nil), &oops.Config{Publisher: async}, &slogoops.Options{Recorder: rec})
	logger := slog.New(h)

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	const goroutines = 16
	total := 1_000_000
	if raceEnabled {
		total = 100_000
		t.Logf("under the race detector: %d records instead of a million", total)
	}
	each := total / goroutines
	done := make(chan struct{})
	go func() {
		var wg sync.WaitGroup
		for g := range goroutines {
			wg.Go(func() {
				for i := range each {
					// A few call sites and messages, many distinct error texts.
					switch i % 4 {
					case 0:
						logger.Error("query failed", "err", fmt.Errorf("row %d: %w", i, fs.ErrNotExist), "g", g)
					case 1:
						logger.Error(fmt.Sprint("dynamic message ", i%5000), "g", g)
					case 2:
						logger.Info("progress", "i", i)
					default:
						logger.Warn("slow", "i", i)
					}
				}
			})
		}
		wg.Wait()
		close(done)
	}()
	// The store is blocked the whole time: if a log call waited for it,
	// this would time out.
	select {
	case <-done:
	case <-time.After(5 * time.Minute):
		t.Fatal("logging blocked while the store was stuck")
	}

	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	growth := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("heap growth after %d records: %d KiB; async stats %+v; recorder %+v", total, growth>>10, async.Stats(), rec.Stats())
	assert.Less(t, growth, int64(64<<20), "memory stays bounded")
	st := async.Stats()
	assert.Positive(t, st.DroppedFull, "the full queue drops, it does not block")
	rs := rec.Stats()
	assert.Positive(t, rs.Suppressed)
	assert.LessOrEqual(t, rs.Signatures, flight.DefaultMaxSignatures)

	close(bs.release)
	require.NoError(t, rec.Flush(context.Background()))
	require.NoError(t, async.Close(context.Background()))
}

func TestDynamicLevels(t *testing.T) {
	var report, record slog.LevelVar
	report.Set(slog.LevelError)
	record.Set(slog.LevelInfo)
	logger, buf, st, h := setup(t, slog.LevelDebug, &slogoops.Options{ReportLevel: &report, RecordLevel: &record})
	logger.Debug("not kept")
	logger.Warn("kept")
	assert.Empty(t, st.all())
	report.Set(slog.LevelWarn)
	record.Set(slog.LevelDebug)
	logger.Debug("kept now")
	logger.Warn("reported now")
	require.Len(t, st.all(), 1)
	assert.Len(t, lines(t, buf), 4)
	var msgs []string
	for _, lr := range h.Recorder().Records() {
		msgs = append(msgs, lr.Msg)
	}
	assert.Equal(t, []string{"kept", "kept now"}, msgs)
}

func TestCallerStackSkipsToTheLogCall(t *testing.T) {
	var tb string
	cfg := &oops.Config{Publisher: oops.PublisherFunc(func(_ context.Context, r *oops.Report) ([]string, error) {
		tb = r.TBText
		return nil, nil
	})}
	h := slogoops.NewHandler(nil, cfg, &slogoops.Options{Recorder: flight.New(&flight.Options{NoRateLimit: true})})
	slog.New(h).Error("direct")
	assert.True(t, strings.HasPrefix(tb, "github.com/oops-go/oops/slogoops_test.TestCallerStackSkipsToTheLogCall("), tb)
	// Through another handler in front: more frames above the call site.
	slog.New(wrapper{h}).Error("wrapped")
	assert.True(t, strings.HasPrefix(tb, "github.com/oops-go/oops/slogoops_test.TestCallerStackSkipsToTheLogCall("), tb)
	// A Record handled by hand, without a PC: the whole stack.
	require.NoError(t, h.Handle(context.Background(), slog.NewRecord(time.Now(), slog.LevelError, "by hand", 0)))
	assert.Contains(t, tb, "slogoops_test.TestCallerStackSkipsToTheLogCall(")
}

type wrapper struct{ slog.Handler }

func (w wrapper) Handle(ctx context.Context, r slog.Record) error { return w.Handler.Handle(ctx, r) }

func TestReusedRecordsStayIntact(t *testing.T) {
	rec := flight.New(&flight.Options{RingSize: 3})
	logger, _, _, _ := setup(t, slog.LevelError, &slogoops.Options{Recorder: rec})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 2000 {
				logger.Info("n", "g", g, "i", i, "s", fmt.Sprint(g, "/", i))
				if i%100 == 0 {
					for _, lr := range rec.Records() {
						// A record is never seen half overwritten by a reused one.
						assert.Equal(t, fmt.Sprint(lr.Attrs["g"], "/", lr.Attrs["i"]), lr.Attrs["s"])
					}
				}
			}
		})
	}
	wg.Wait()
	for i := range 3 {
		logger.Info("last", "i", i)
	}
	got := rec.Records()
	require.Len(t, got, 3)
	for i, lr := range got {
		assert.Equal(t, "last", lr.Msg, "the ring holds the last records")
		assert.Equal(t, map[string]any{"i": int64(i)}, lr.Attrs)
	}
}
