package zapoops_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/oops-go/oops/flight"
	"github.com/oops-go/oops/timeline"
	"github.com/oops-go/oops/zapoops"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Kept entries are reused once the recorder releases them: what one use
// left behind must never show in the next.
func TestReusedEntriesKeepNothingOfTheirLastUse(t *testing.T) {
	rec := flight.New(&flight.Options{RingSize: 1})
	core := zapoops.NewCore(nil, &zapoops.Options{Recorder: rec})
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	write := func(ent zapcore.Entry, fields ...zap.Field) {
		ent.Level = zapcore.InfoLevel
		require.NoError(t, core.Write(ent, fields))
	}
	for i := range 50 {
		// Seven fields (two past the inline ones), then two, then none
		// without a time: each evicts, and releases, the one before.
		write(zapcore.Entry{Message: "seven", Time: when, LoggerName: "svc"},
			zap.Int("a", i), zap.Int("b", 2), zap.Int("c", 3), zap.Int("d", 4), zap.Int("e", 5), zap.Int("f", 6), zap.Int("g", 7))
		got := rec.Records()
		require.Len(t, got, 1)
		assert.Equal(t, map[string]any{"a": int64(i), "b": int64(2), "c": int64(3), "d": int64(4), "e": int64(5),
			"f": int64(6), "g": int64(7), "logger": "svc"}, got[0].Attrs)

		write(zapcore.Entry{Message: "two", Time: when}, zap.String("x", "y"), zap.Bool("ok", true))
		got = rec.Records()
		require.Len(t, got, 1)
		assert.Equal(t, "two", got[0].Msg)
		assert.Equal(t, map[string]any{"x": "y", "ok": true}, got[0].Attrs)

		write(zapcore.Entry{Message: "none"})
		got = rec.Records()
		require.Len(t, got, 1)
		assert.Equal(t, "none", got[0].Msg)
		assert.Empty(t, got[0].Attrs)
		assert.False(t, got[0].Time.Equal(when), "no time left over from the last use")
	}
}

// Entries kept in a ctx timeline past its cap are reused too, and never
// while the timeline can still render them.
func TestReusedTimelineEntries(t *testing.T) {
	rec := flight.New(nil)
	tl := timeline.NewWithOptions(&timeline.Options{MaxEntries: 4})
	logger := zap.New(zapoops.NewCore(nil, &zapoops.Options{Recorder: rec})).With(zapoops.Context(timeline.NewContext(context.Background(), tl)))
	for i := range 100 {
		logger.Info("step", zap.Int("i", i))
		if i%7 == 0 {
			es := tl.Entries()
			require.NotEmpty(t, es)
			assert.Equal(t, "step i=0", es[0].Detail, "the first half stays")
			assert.Equal(t, fmt.Sprintf("step i=%d", i), es[len(es)-1].Detail)
		}
	}
	es := tl.Entries()
	require.Len(t, es, 4)
	assert.Equal(t, []string{"step i=0", "step i=1", "step i=98", "step i=99"},
		[]string{es[0].Detail, es[1].Detail, es[2].Detail, es[3].Detail})
}
