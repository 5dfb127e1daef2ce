package zapoops_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/flight"
	"github.com/oops-go/oops/timeline"
	"github.com/oops-go/oops/zapoops"
)

type point struct{ X, Y int }

// lateStringer says how often it was asked.
type lateStringer struct {
	n *atomic.Int64
	s *string
}

func (l lateStringer) String() string { l.n.Add(1); return *l.s }

type names []string

func (n names) MarshalLogArray(enc zapcore.ArrayEncoder) error {
	for _, s := range n {
		enc.AppendString(s)
	}
	return nil
}

// TestKeptEntriesShowWhatWasLogged: an entry kept below the report level
// shows its fields as they were at the log call.
func TestKeptEntriesShowWhatWasLogged(t *testing.T) {
	for _, where := range []string{"ring", "timeline"} {
		t.Run(where, func(t *testing.T) {
			f := newFixture(t, nil)
			ctx := context.Background()
			if where == "timeline" {
				ctx = timeline.NewContext(ctx, timeline.New())
			}
			items := []string{"a", "b"}
			m := map[string]int{"k": 1}
			buf := []byte("before")
			p := &point{X: 1, Y: 2}
			text := "early"
			var n atomic.Int64
			logger := f.logger.With(zap.Strings("scope", items))
			logger.Debug("kept", zapoops.Context(ctx), zap.Strings("items", items), zap.Any("m", m),
				zap.Binary("bin", buf), zap.ByteString("bs", buf), zap.Any("p", p), zap.Stringer("late", lateStringer{&n, &text}),
				zap.Array("arr", names(items)), zap.Int("n", 7))
			assert.Equal(t, int64(1), n.Load(), "the Stringer is asked at the log call")
			items[0], m["k"], buf[0], p.X, text = "CHANGED", 99, 'X', 99, "late"
			f.logger.Error("report", zapoops.Context(ctx))

			r := f.only(t)
			if where == "timeline" {
				require.Len(t, r.Timeline, 1)
				d := r.Timeline[0].Detail
				assert.NotContains(t, d, "CHANGED")
				assert.NotContains(t, d, "99")
				assert.Contains(t, d, "late=early")
				return
			}
			require.Len(t, r.Log, 1)
			attrs := r.Log[0].Attrs
			assert.Equal(t, []any{"a", "b"}, attrs["items"])
			assert.Equal(t, []any{"a", "b"}, attrs["scope"])
			assert.Equal(t, []any{"a", "b"}, attrs["arr"])
			assert.Equal(t, map[string]any{"k": int64(1)}, attrs["m"])
			assert.Equal(t, "before", attrs["bs"])
			assert.NotContains(t, fmt.Sprint(attrs["bin"]), "X")
			assert.Contains(t, attrs["p"], "X:1")
			assert.Equal(t, "early", attrs["late"])
			assert.Equal(t, int64(7), attrs["n"])
		})
	}
}

// TestMapWrittenAfterTheLogCallDoesNotCrash: see the slogoops test of the
// same name.
func TestMapWrittenAfterTheLogCallDoesNotCrash(t *testing.T) {
	f := newFixture(t, &zapoops.Options{Recorder: flight.New(&flight.Options{NoRateLimit: true})})
	m := map[string]int{}
	for i := range 1000 {
		m[strings.Repeat("k", i+1)] = i
	}
	f.logger.Info("state", zap.Any("m", m))
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
				m[strings.Repeat("k", i%1000+1)] = i
			}
		}
	})
	for range 500 {
		f.logger.Error("report reads the rings")
	}
	close(stop)
	wg.Wait()
}

// TestPrecedenceAsInSlog: the same template and attributes give the same
// report fields as through slogoops (see flight.Recorder.Report).
func TestPrecedenceAsInSlog(t *testing.T) {
	st := &store{}
	cfg := &oops.Config{Publisher: st, Template: oops.Report{Topic: "from-template", Username: "template-user"}}
	logger := zap.New(zapoops.NewCore(cfg, &zapoops.Options{Recorder: flight.New(nil)})).Named("svc")
	ctx := oops.WithResource(context.Background(), "order/1")
	logger.Error("failed", zap.String("topic", "from-attr"), zap.String("resource", "order/8123"), zapoops.Context(ctx))
	logger.Error("failed again", zapoops.Context(ctx))
	zap.New(zapoops.NewCore(&oops.Config{Publisher: st}, &zapoops.Options{Recorder: flight.New(nil)})).Named("svc").Error("no template")
	all := st.all()
	require.Len(t, all, 3)
	assert.Equal(t, "from-attr", all[0].Topic, "the attribute wins")
	assert.Equal(t, "template-user", all[0].Username)
	assert.Equal(t, "order/8123", all[0].Resource)
	assert.Equal(t, "from-template", all[1].Topic, "the template wins over the logger's name")
	assert.Equal(t, "order/1", all[1].Resource)
	assert.Equal(t, "svc", all[2].Topic, "the logger's name when nothing else gives one")
}

// A mutable value kept below the report level costs the copy of its value
// (and, for one that is not a string, the room for a field past the
// entry's slots), not an encoder around it: ByteString and Binary one
// string, a Stringer what its String allocates, an error's text nothing
// more than its Error, a reflected map what flight.Value allocates for its
// copy.
func TestMutableValuesPayForTheirCopyOnly(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts under the race detector are not the program's")
	}
	core := zapoops.NewCore(nil, &zapoops.Options{Recorder: flight.New(&flight.Options{RingSize: 1})})
	ent := zapcore.Entry{Level: zapcore.InfoLevel, Message: "m"}
	scalars := []zap.Field{zap.String("user", "ada"), zap.Int("attempt", 3), zap.Bool("cached", false), zap.Float64("ratio", 0.5)}
	buf := []byte("bytes the caller may change")
	m := map[string]int{"a": 1, "b": 2}
	mapCopy := testing.AllocsPerRun(100, func() { _ = flight.Value(m) })
	for _, tc := range []struct {
		field  zap.Field
		allocs float64
	}{
		{zap.String("route", "/items"), 0},
		{zap.ByteString("bs", buf), 1},
		{zap.Binary("bin", buf), 1},
		{zap.Stringer("took", 1500*time.Millisecond), 1},
		{zap.Error(errors.New("static text")), 0},
		{zap.Any("m", m), mapCopy + 1},
	} {
		fields := append(append([]zap.Field(nil), scalars...), tc.field)
		require.NoError(t, core.Write(ent, fields))
		got := testing.AllocsPerRun(100, func() { _ = core.Write(ent, fields) })
		assert.LessOrEqual(t, got, tc.allocs, "%s", tc.field.Key)
	}
}
