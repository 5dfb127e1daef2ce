package flight_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/flight"
	"github.com/oops-go/oops/internal/slab"
	"github.com/oops-go/oops/timeline"
)

// rec is a minimal Record, as an integration would write one.
type rec struct {
	t       time.Time
	level   slog.Level
	msg     string
	attrs   map[string]any
	renders *atomic.Int64
	panics  bool
}

func (r *rec) LogRecord() oops.LogRecord {
	if r.renders != nil {
		r.renders.Add(1)
	}
	if r.panics {
		panic("broken record")
	}
	return oops.LogRecord{Time: r.t, Level: r.level.String(), Msg: r.msg, Attrs: r.attrs}
}

func (r *rec) String() string { return flight.Detail(r.LogRecord()) }

// sink is a publisher that keeps copies of what it is given.
type sink struct {
	mu   sync.Mutex
	reps []*oops.Report
}

func (s *sink) Publish(_ context.Context, r *oops.Report) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reps = append(s.reps, r.Clone())
	return []string{r.ID}, nil
}

func (s *sink) all() []*oops.Report {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*oops.Report(nil), s.reps...)
}

func keep(r *flight.Recorder, ctx context.Context, level slog.Level, msg string) {
	r.Keep(ctx, level, time.Now(), &rec{t: time.Now(), level: level, msg: msg})
}

func TestRingsPerLevel(t *testing.T) {
	r := flight.New(&flight.Options{RingSize: 3})
	ctx := context.Background()
	keep(r, ctx, slog.LevelWarn, "w1")
	for i := range 10 {
		keep(r, ctx, slog.LevelDebug, fmt.Sprint("d", i))
	}
	keep(r, ctx, slog.LevelInfo+2, "i1")
	got := r.Records()
	var msgs []string
	for _, lr := range got {
		msgs = append(msgs, lr.Msg)
	}
	// Ten debug records evict older debug records only, never the warning.
	assert.Equal(t, []string{"w1", "d7", "d8", "d9", "i1"}, msgs)
	assert.Equal(t, "INFO+2", got[4].Level)
	r.Reset()
	assert.Empty(t, r.Records())
}

func TestNoRings(t *testing.T) {
	r := flight.New(&flight.Options{NoRings: true})
	keep(r, context.Background(), slog.LevelInfo, "x")
	assert.Empty(t, r.Records())
}

func TestKeepIntoTimelineRendersLazily(t *testing.T) {
	r := flight.New(nil)
	tl := timeline.New()
	ctx := timeline.NewContext(context.Background(), tl)
	var renders atomic.Int64
	r.Keep(ctx, slog.LevelInfo, time.Now(), &rec{msg: "hello", attrs: map[string]any{"k": "a b", "g": map[string]any{"n": 1}}, renders: &renders})
	assert.Zero(t, renders.Load(), "kept records are not rendered")
	assert.Empty(t, r.Records(), "a record kept in a timeline is not in the rings")
	entries := tl.Entries()
	require.Len(t, entries, 1)
	assert.Equal(t, "log-INFO", entries[0].Category)
	assert.Equal(t, `hello g.n=1 k="a b"`, entries[0].Detail)
	assert.Equal(t, int64(1), renders.Load())
}

func TestRenderPanickingRecord(t *testing.T) {
	r := flight.New(nil)
	now := time.Now()
	r.Keep(context.Background(), slog.LevelDebug, now, &rec{panics: true})
	got := r.Records()
	require.Len(t, got, 1)
	assert.Contains(t, got[0].Msg, "<record panicked: broken record>")
	assert.Equal(t, "DEBUG", got[0].Level)
	assert.True(t, got[0].Time.Equal(now))
}

func TestRateLimitCarriesSuppressed(t *testing.T) {
	// Fake time: the bucket refills exactly when the test says.
	synctest.Test(t, func(t *testing.T) {
		r := flight.New(&flight.Options{Burst: 3, Every: 20 * time.Millisecond})
		var verdicts []flight.Verdict
		for range 8 {
			verdicts = append(verdicts, r.Trigger("sig", nil).Verdict)
		}
		assert.Equal(t, []flight.Verdict{flight.VerdictReport, flight.VerdictReport, flight.VerdictReport,
			flight.VerdictSuppress, flight.VerdictSuppress, flight.VerdictSuppress, flight.VerdictSuppress, flight.VerdictSuppress}, verdicts)
		// Another signature has its own bucket.
		assert.Equal(t, flight.VerdictReport, r.Trigger("other", nil).Verdict)

		time.Sleep(20 * time.Millisecond) // one token back
		d := r.Trigger("sig", nil)
		assert.Equal(t, flight.VerdictReport, d.Verdict)
		assert.Equal(t, 5, d.Suppressed, "the next report carries the count held back")

		st := r.Stats()
		assert.Equal(t, 2, st.Signatures)
		assert.Equal(t, uint64(5), st.Reported)
		assert.Equal(t, uint64(5), st.Suppressed)
	})
}

func TestPublishFillsReport(t *testing.T) {
	r := flight.New(&flight.Options{Burst: 1})
	s := &sink{}
	cfg := &oops.Config{Publisher: s}
	ctx := context.Background()
	keep(r, ctx, slog.LevelInfo, "before")

	d := r.Trigger("abc", nil)
	require.Equal(t, flight.VerdictReport, d.Verdict)
	require.NotEmpty(t, d.ID, "the trigger decides the id")
	rep := cfg.Create(ctx, oops.Event{Msg: "boom", Level: "ERROR", ID: d.ID})
	wantID := d.ID
	id, ids, err := r.Publish(ctx, cfg, d, rep)
	require.NoError(t, err)
	require.Equal(t, []string{wantID}, ids)
	assert.Equal(t, wantID, id)
	got := s.all()
	require.Len(t, got, 1)
	assert.Equal(t, "abc", got[0].Signature)
	require.Len(t, got[0].Log, 1)
	assert.Equal(t, "before", got[0].Log[0].Msg)

	// Two suppressed, then the count rides on the next report published.
	assert.Equal(t, flight.VerdictSuppress, r.Trigger("abc", nil).Verdict)
	_, _, err = r.Publish(ctx, cfg, r.Trigger("abc", nil), cfg.Create(ctx, oops.Event{}))
	assert.ErrorIs(t, err, flight.ErrNotReport)

	// Filters run as in oops.Config.Publish.
	filtered := &oops.Config{Publisher: s, Filters: []oops.Filter{func(context.Context, *oops.Report) bool { return true }}}
	_, _, err = r.Publish(ctx, filtered, r.Trigger("new", nil), cfg.Create(ctx, oops.Event{}))
	assert.ErrorIs(t, err, oops.ErrFiltered)
	assert.Len(t, s.all(), 1)
}

func TestNoRateLimit(t *testing.T) {
	r := flight.New(&flight.Options{NoRateLimit: true})
	for range 1000 {
		require.Equal(t, flight.VerdictReport, r.Trigger("s", nil).Verdict)
	}
}

func TestWindowClosesOnRecordsAndRepublishesUnderSameID(t *testing.T) {
	r := flight.New(&flight.Options{Window: true, WindowRecords: 5, WindowDuration: time.Hour, NoRateLimit: true})
	s := &sink{}
	cfg := &oops.Config{Publisher: s}
	ctx := context.Background()
	keep(r, ctx, slog.LevelDebug, "ring")

	d := r.Trigger("sig", &rec{msg: "trigger"})
	require.Equal(t, flight.VerdictReport, d.Verdict)
	require.True(t, oops.ValidID(d.ID))
	rep := cfg.Create(ctx, oops.Event{Msg: "trigger"})
	id, _, err := r.Publish(ctx, cfg, d, rep)
	require.NoError(t, err)
	assert.Equal(t, d.ID, id)

	// A second trigger folds into the open window and shares its id.
	f := r.Trigger("sig2", &rec{msg: "second trigger"})
	assert.Equal(t, flight.VerdictFold, f.Verdict)
	assert.Equal(t, d.ID, f.ID)
	for i := range 4 {
		keep(r, ctx, slog.LevelInfo, fmt.Sprint("after", i))
	}
	// The window is full (5 records): the next trigger opens a new one.
	require.NoError(t, r.Flush(ctx))
	got := s.all()
	require.Len(t, got, 2)
	assert.Equal(t, got[0].ID, got[1].ID)
	var msgs []string
	for _, lr := range got[1].Log {
		msgs = append(msgs, lr.Msg)
	}
	assert.Equal(t, []string{"ring", "second trigger", "after0", "after1", "after2", "after3"}, msgs)
	assert.Len(t, got[0].Log, 1, "the first publish has only what was kept before the trigger")

	d2 := r.Trigger("sig", nil)
	assert.Equal(t, flight.VerdictReport, d2.Verdict)
	assert.NotEqual(t, d.ID, d2.ID)
	st := r.Stats()
	assert.Equal(t, uint64(2), st.Windows)
	assert.Equal(t, uint64(1), st.Folded)
}

func TestWindowClosesOnTime(t *testing.T) {
	// Fake time: the window closes at 10 ms, not "some time within 5 s".
	synctest.Test(t, func(t *testing.T) {
		r := flight.New(&flight.Options{Window: true, WindowDuration: 10 * time.Millisecond, NoRateLimit: true})
		s := &sink{}
		cfg := &oops.Config{Publisher: s}
		ctx := context.Background()
		d := r.Trigger("sig", nil)
		_, _, err := r.Publish(ctx, cfg, d, cfg.Create(ctx, oops.Event{}))
		require.NoError(t, err)
		keep(r, ctx, slog.LevelInfo, "late")
		time.Sleep(10 * time.Millisecond)
		synctest.Wait()
		got := s.all()
		require.Len(t, got, 2, "republished when the window closed")
		assert.Equal(t, got[0].ID, got[1].ID)
		require.NotEmpty(t, got[1].Log)
		assert.Equal(t, "late", got[1].Log[len(got[1].Log)-1].Msg)
	})
}

func TestWindowClosedBeforePublish(t *testing.T) {
	// The window can close (by Flush, or by filling up) before the trigger's
	// report has been published; it is then published twice all the same.
	r := flight.New(&flight.Options{Window: true, NoRateLimit: true})
	s := &sink{}
	cfg := &oops.Config{Publisher: s}
	ctx := context.Background()
	d := r.Trigger("sig", nil)
	require.NoError(t, r.Flush(ctx))
	_, _, err := r.Publish(ctx, cfg, d, cfg.Create(ctx, oops.Event{}))
	require.NoError(t, err)
	require.NoError(t, r.Flush(ctx))
	got := s.all()
	require.Len(t, got, 2)
	assert.Equal(t, got[0].ID, got[1].ID)
}

type wrapErr struct{ err error }

func (w *wrapErr) Error() string { return "wrapped: " + w.err.Error() }
func (w *wrapErr) Unwrap() error { return w.err }

func TestSignature(t *testing.T) {
	pcs := make([]uintptr, 2)
	runtime.Callers(1, pcs[:1])
	runtime.Callers(1, pcs[1:])
	e1 := &fs.PathError{Op: "open", Path: "/a", Err: fs.ErrNotExist}
	e2 := &fs.PathError{Op: "open", Path: "/b", Err: fs.ErrNotExist}
	s := oops.Signature(pcs[0], "open failed", e1)
	assert.Len(t, s, 16)
	assert.Equal(t, s, oops.Signature(pcs[0], "open failed", e2), "the error text is not part of it")
	assert.NotEqual(t, s, oops.Signature(pcs[1], "open failed", e1), "the call site is")
	assert.NotEqual(t, s, oops.Signature(pcs[0], "open failed!", e1), "the message is")
	assert.NotEqual(t, s, oops.Signature(pcs[0], "open failed", &wrapErr{e1}), "the type chain is")
	assert.NotEqual(t, s, oops.Signature(pcs[0], "open failed", errors.New("x")))
	assert.Equal(t, oops.Signature(0, "m", nil), oops.Signature(0, "m", nil))
}

func TestValue(t *testing.T) {
	big := strings.Repeat("é", 6<<20) // 12 MB, two bytes a rune
	v := flight.Value(big).(string)
	assert.LessOrEqual(t, len(v), flight.MaxValueLen+40)
	assert.Contains(t, v, "…<truncated ")
	assert.True(t, strings.HasPrefix(v, "éé"))
	assert.NotContains(t, v, "\uFFFD", "the cut does not split a rune")

	bb := flight.Value([]byte(big)).(string)
	assert.Equal(t, v, bb)

	assert.Equal(t, "a\uFFFDb", flight.Value("a\xffb"))

	long := make([]int, 5000)
	l := flight.Value(long).([]any)
	assert.Len(t, l, flight.MaxElements+1)
	assert.Equal(t, "<4000 more elements left out>", l[flight.MaxElements])

	m := map[string]int{}
	for i := range 1500 {
		m[fmt.Sprint(i)] = i
	}
	mv := flight.Value(m).(map[string]any)
	assert.Len(t, mv, flight.MaxElements+1)
	assert.Equal(t, "<500 more keys left out>", mv["…"])

	nested := map[string]any{"s": big}
	assert.Contains(t, flight.Value(nested).(map[string]any)["s"], "…<truncated ")
	assert.Equal(t, int64(3), flight.Value(3))
}

func TestConcurrentUse(t *testing.T) {
	r := flight.New(&flight.Options{Window: true, WindowRecords: 50, WindowDuration: 5 * time.Millisecond, Burst: 5, Every: time.Millisecond, MaxSignatures: 16})
	s := &sink{}
	cfg := &oops.Config{Publisher: s, NoHooks: true}
	tl := timeline.NewWithOptions(&timeline.Options{MaxEntries: 100})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			ctx := context.Background()
			if g%2 == 0 {
				ctx = timeline.NewContext(ctx, tl)
			}
			for i := range 2000 {
				keep(r, ctx, slog.Level(i%12-4), "x")
				if i%10 == 0 {
					sig := fmt.Sprint(g, "-", i%40)
					d := r.Trigger(sig, &rec{msg: "t"})
					if d.Verdict == flight.VerdictReport {
						_, _, err := r.Publish(ctx, cfg, d, cfg.Create(ctx, oops.Event{}))
						assert.NoError(t, err)
					}
				}
				if i%500 == 0 {
					_ = r.Records()
				}
			}
		})
	}
	wg.Wait()
	require.NoError(t, r.Flush(context.Background()))
	assert.LessOrEqual(t, r.Stats().Signatures, 16)
	assert.LessOrEqual(t, len(r.Records()), 400)
	assert.NotEmpty(t, s.all())
}

func BenchmarkKeep(b *testing.B) {
	r := flight.New(nil)
	var slab slab.Slab[rec]
	now := time.Now()
	b.Run("where=ring", func(b *testing.B) {
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			k := slab.New()
			k.msg = "m"
			r.Keep(ctx, slog.LevelInfo, now, k)
		}
	})
	b.Run("where=timeline", func(b *testing.B) {
		ctx := timeline.NewContext(context.Background(), timeline.New())
		b.ReportAllocs()
		for b.Loop() {
			k := slab.New()
			k.msg = "m"
			r.Keep(ctx, slog.LevelInfo, now, k)
		}
	})
}

func BenchmarkSignature(b *testing.B) {
	pcs := make([]uintptr, 1)
	runtime.Callers(1, pcs)
	err := &fs.PathError{Op: "open", Path: "/a", Err: fs.ErrNotExist}
	b.ReportAllocs()
	for b.Loop() {
		oops.Signature(pcs[0], "open failed", err)
	}
}

// relRec is a Record that counts its releases.
type relRec struct {
	rec
	released atomic.Int32
}

func (r *relRec) Release() { r.released.Add(1) }

func TestRingReleasesEvictedRecords(t *testing.T) {
	r := flight.New(&flight.Options{RingSize: 2, Window: true, WindowRecords: 100, WindowDuration: time.Hour, NoRateLimit: true})
	ctx := context.Background()
	var recs []*relRec
	put := func(ctx context.Context) *relRec {
		k := &relRec{rec: rec{msg: fmt.Sprint(len(recs))}}
		recs = append(recs, k)
		r.Keep(ctx, slog.LevelInfo, time.Now(), k)
		return k
	}
	put(ctx)
	put(ctx)
	assert.Zero(t, recs[0].released.Load(), "still in the ring")
	put(ctx)
	assert.Equal(t, int32(1), recs[0].released.Load(), "evicted: released once")
	assert.Zero(t, recs[1].released.Load())

	// Kept while a trailing window is open: the window may still read it.
	d := r.Trigger("s", nil)
	require.Equal(t, flight.VerdictReport, d.Verdict)
	put(ctx)
	put(ctx)
	put(ctx)
	assert.Equal(t, int32(1), recs[1].released.Load())
	assert.Equal(t, int32(1), recs[2].released.Load())
	assert.Zero(t, recs[3].released.Load(), "in the window too: never released")
	_, _, err := r.Publish(ctx, &oops.Config{}, d, (&oops.Config{}).Create(ctx, oops.Event{}))
	require.NoError(t, err)
	require.NoError(t, r.Flush(ctx))

	// A record kept in a timeline is released when the timeline's cap drops
	// its entry, and not before.
	tctx := timeline.NewContext(ctx, timeline.NewWithOptions(&timeline.Options{MaxEntries: 1}))
	k := put(tctx)
	assert.Zero(t, k.released.Load(), "still in the timeline")
	k2 := put(tctx)
	assert.Equal(t, int32(1), k.released.Load(), "dropped by the cap: released once")
	assert.Zero(t, k2.released.Load())

	// A window open does not change that: a request's records never go
	// into a window, only into their own timeline.
	d = r.Trigger("s2", nil)
	require.Equal(t, flight.VerdictReport, d.Verdict)
	k3 := put(tctx)
	assert.Equal(t, int32(1), k2.released.Load())
	put(tctx)
	assert.Equal(t, int32(1), k3.released.Load(), "not in the window: released by the cap")
	_, _, err = r.Publish(ctx, &oops.Config{}, d, (&oops.Config{}).Create(ctx, oops.Event{}))
	require.NoError(t, err)
	require.NoError(t, r.Flush(ctx))

	// A timeline below its cap releases nothing.
	tctx = timeline.NewContext(ctx, timeline.New())
	k4 := put(tctx)
	put(tctx)
	assert.Zero(t, k4.released.Load())
	for _, k := range recs {
		assert.LessOrEqual(t, k.released.Load(), int32(1))
	}
}
