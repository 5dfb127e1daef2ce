package slogoops

import (
	"errors"
	"log/slog"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// slowNeedsSnapshot is recordNeedsSnapshot the long way, through Attrs.
func slowNeedsSnapshot(r *slog.Record) bool {
	need := false
	r.Attrs(func(a slog.Attr) bool {
		need = needsSnapshot(a.Value, 0)
		return !need
	})
	return need
}

func TestScalarAttrsMatchesTheAttrsWay(t *testing.T) {
	require.True(t, layoutOK, "slog's layout is not the one scan.go reads: keeping records takes the slow way")
	values := []slog.Value{
		slog.StringValue("s"), slog.Int64Value(-1), slog.Uint64Value(1), slog.Float64Value(0.5),
		slog.BoolValue(true), slog.DurationValue(time.Second), slog.TimeValue(time.Now()),
		slog.AnyValue(slog.KindInt64), slog.AnyValue([]int{1}), slog.AnyValue(errors.New("e")),
		slog.AnyValue(3), slog.GroupValue(slog.Int("a", 1)), slog.GroupValue(slog.Any("m", map[string]int{})),
		slog.AnyValue(slog.StringValue("x")), slog.AnyValue(new(int)),
	}
	for n := range 8 { // 0..7 attributes: past 5, slog keeps them out of line
		for _, v := range values {
			r := slog.NewRecord(time.Now(), slog.LevelInfo, "m", 0)
			for i := range n {
				r.AddAttrs(slog.Int("k", i))
			}
			r.AddAttrs(slog.Attr{Key: "v", Value: v})
			want := slowNeedsSnapshot(&r)
			assert.Equal(t, want, recordNeedsSnapshot(&r), "%d attributes then %v", n, v.Kind())
			if scalar, known := scalarAttrs(&r); known {
				assert.Equal(t, !want, scalar, "%d attributes then %v", n, v.Kind())
			}
		}
	}
	r := slog.NewRecord(time.Now(), slog.LevelInfo, "m", 0)
	scalar, known := scalarAttrs(&r)
	assert.True(t, scalar && known, "a record without attributes is all scalars")
}

func TestCloneToIsClone(t *testing.T) {
	require.True(t, layoutOK)
	for n := range 9 {
		r := slog.NewRecord(time.Now(), slog.LevelWarn, "m", 7)
		for i := range n {
			r.AddAttrs(slog.Int("k", i))
		}
		var dst slog.Record
		cloneTo(&dst, &r)
		clone := r.Clone()
		assert.Equal(t, clone.Time, dst.Time)
		assert.Equal(t, clone.Message, dst.Message)
		assert.Equal(t, clone.Level, dst.Level)
		assert.Equal(t, clone.PC, dst.PC)
		var got, want []slog.Attr
		dst.Attrs(func(a slog.Attr) bool { got = append(got, a); return true })
		clone.Attrs(func(a slog.Attr) bool { want = append(want, a); return true })
		assert.Equal(t, want, got)
		back := (*recordLayout)(unsafe.Pointer(&dst)).back
		assert.Equal(t, len(back), cap(back), "the copy's attributes are clipped, as Clone clips them")
		// Adding to either copy leaves the other as it was.
		r.AddAttrs(slog.String("later", "x"))
		dst.AddAttrs(slog.String("mine", "y"))
		got = got[:0]
		dst.Attrs(func(a slog.Attr) bool { got = append(got, a); return true })
		assert.Equal(t, append(want, slog.String("mine", "y")), got)
	}
}
