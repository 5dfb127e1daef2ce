package zapoops_test

import (
	"context"
	"testing"

	"github.com/oops-go/oops/flight"
	"github.com/oops-go/oops/timeline"
	"github.com/oops-go/oops/zapoops"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
)

// An entry with five scalar fields and its Context field keeps the five, and
// nothing of the Context, which writes nothing.
func TestKeptEntryLeavesContextOut(t *testing.T) {
	tl := timeline.New()
	ctx := timeline.NewContext(context.Background(), tl)
	logger := zap.New(zapoops.NewCore(nil, &zapoops.Options{Recorder: flight.New(nil)}))
	logger.Info("served", zap.String("user", "ada"), zap.Int("attempt", 3), zap.Bool("cached", false),
		zap.Float64("ratio", 0.5), zap.String("route", "/items"), zapoops.Context(ctx), zap.Skip())
	es := tl.Entries()
	require.Len(t, es, 1)
	assert.Equal(t, "log-INFO", es[0].Category)
	assert.Equal(t, "served attempt=3 cached=false ratio=0.5 route=/items user=ada", es[0].Detail)
}

// A mutable field after scalar ones is rendered at the log call, in a kept
// entry reused from a longer one: neither a later change of the value nor
// the last use of the entry shows.
func TestKeptEntryMutableAfterScalars(t *testing.T) {
	rec := flight.New(&flight.Options{RingSize: 1})
	logger := zap.New(zapoops.NewCore(nil, &zapoops.Options{Recorder: rec}))
	for i := range 20 {
		logger.Info("five", zap.Int("a", 1), zap.Int("b", 2), zap.Int("c", 3), zap.Int("d", 4), zap.Int("e", 5))
		ids := []int{1, 2}
		logger.Info("ids", zap.Int("n", i), zap.Ints("ids", ids))
		ids[0] = 99
		got := rec.Records()
		require.Len(t, got, 1)
		assert.Equal(t, map[string]any{"n": int64(i), "ids": []any{int64(1), int64(2)}}, got[0].Attrs)
	}
}
