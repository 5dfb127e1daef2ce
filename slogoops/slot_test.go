package slogoops

import (
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A kept record's size is what keeping costs per record; a chunk of 63 of
// them (see slab) must stay in the 12 KiB size class.
func TestKeptRecordSize(t *testing.T) {
	assert.Equal(t, uintptr(192), unsafe.Sizeof(kept{}))
	assert.Equal(t, uintptr(24), unsafe.Sizeof(slot{}))
	// keptExts come from a slab too.
	assert.Equal(t, uintptr(176), unsafe.Sizeof(keptExt{}))
}

// slotAttrs are attributes of every value a slot may hold, and of those
// that go out of line instead.
func slotAttrs() []slog.Attr {
	far := time.Date(3000, 1, 1, 0, 0, 0, 1, time.UTC) // past what Unix nanoseconds hold
	loc := time.FixedZone("X", -7200)
	return append(detailAttrs(),
		slog.String(strings.Repeat("k", maxSlotKey), "longest inline key"),
		slog.String(strings.Repeat("k", maxSlotKey+1), "key too long for a slot"),
		slog.Time("now", time.Now()), // with a monotonic reading, which slog drops
		slog.Time("local", time.Date(2026, 12, 1, 13, 0, 0, 7, time.Local)),
		slog.Time("zoned", time.Date(1999, 12, 31, 23, 59, 59, 999999999, loc)),
		slog.Time("epoch", time.Unix(0, 0).UTC()),
		slog.Time("far", far),
		slog.Time("farzone", far.In(loc)),
		slog.Time("early", time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC)),
		slog.Time("zeroloc", time.Time{}.In(loc)),
		slog.Int64("minint", math.MinInt64),
		slog.Int64("maxint", math.MaxInt64),
		slog.Float64("negzero", math.Copysign(0, -1)),
		slog.Bool("f", false),
		slog.Duration("negd", -time.Nanosecond),
		slog.Duration("maxd", math.MaxInt64),
		slog.Any("myint", myInt(3)),
		slog.String("", ""),
		slog.Any("kind", slog.KindInt64), // an Any of a Kind, which slog wraps
		slog.Any("zero", slog.Value{}),
		slog.Attr{Key: "zerovalue"},
		slog.Int("max", math.MaxInt),
		slog.Uint64("maxu", math.MaxUint64),
	)
}

type myInt int

// attrText is an attribute as a record shows it, for comparing kept
// attributes with logged ones: its key, its kind and its value.
func attrText(a slog.Attr) string {
	v := a.Value
	s := fmt.Sprintf("%q %v ", a.Key, v.Kind())
	switch v.Kind() {
	case slog.KindTime:
		// Equal instants in the same location, monotonic reading aside.
		return s + v.Time().Round(0).GoString()
	case slog.KindFloat64:
		return s + fmt.Sprint(math.Float64bits(v.Float64()))
	case slog.KindAny, slog.KindLogValuer:
		if fe, ok := v.Any().(*frozenError); ok {
			// Each snapshot freezes the error anew; a panic's text
			// names the frames it ran on.
			first, _, _ := strings.Cut(fe.text, "\n")
			return s + fmt.Sprintf("frozen %T %q", fe.err, first)
		}
		return s + fmt.Sprintf("%T %#v", v.Any(), v.Any())
	case slog.KindGroup:
		for _, ga := range v.Group() {
			s += attrText(ga) + ";"
		}
		return s
	}
	return s + v.String()
}

// TestKeptRecordHoldsTheRecord checks that a kept record gives back the
// record it was made from: time (to the monotonic reading), level, message,
// PC and attributes in order, snapshotted (snapshotValue) or as they are.
func TestKeptRecordHoldsTheRecord(t *testing.T) {
	testKeptRecordHoldsTheRecord(t)
}

func testKeptRecordHoldsTheRecord(t *testing.T) {
	all := slotAttrs()
	rng := rand.New(rand.NewPCG(3, 5))
	levels := []slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError, -128, 127,
		128, -129, math.MaxInt32, math.MinInt64, math.MaxInt64}
	times := []time.Time{time.Now(), {}, time.Date(2026, 12, 1, 13, 0, 0, 5, time.UTC), time.Unix(1, 2)}
	msgs := []string{"", "m", "bad \xff msg", strings.Repeat("x", 1000)}
	k := new(kept) // reused throughout, as the pool reuses records
	check := func(r slog.Record, snapshot bool) {
		t.Helper()
		k.set(&r, &scope{}, snapshot)
		assert.True(t, k.t == r.Time, "the time, exactly: %v, %v", k.t, r.Time)
		assert.Equal(t, r.Level, k.recLevel())
		assert.Equal(t, r.Message, k.message())
		assert.Equal(t, r.PC, k.pc)
		var want, got []string
		r.Attrs(func(a slog.Attr) bool {
			if snapshot {
				a.Value = snapshotValue(a.Value, 0)
			}
			want = append(want, attrText(a))
			return true
		})
		k.eachAttr(func(a slog.Attr) bool { got = append(got, attrText(a)); return true })
		assert.Equal(t, want, got)
		assert.Equal(t, len(want), k.numAttrs())
		for i := int(k.n); i < inlineAttrs; i++ {
			assert.Zero(t, k.inline[i], "slot %d past the used ones holds nothing of a last use", i)
		}
	}
	for _, a := range all {
		for _, snapshot := range []bool{true, false} {
			r := slog.NewRecord(time.Now(), slog.LevelInfo, "one", 42)
			r.AddAttrs(a)
			check(r, snapshot)
		}
	}
	for range 3000 {
		r := slog.NewRecord(times[rng.IntN(len(times))], levels[rng.IntN(len(levels))], msgs[rng.IntN(len(msgs))],
			uintptr(rng.IntN(3)))
		for range rng.IntN(9) {
			r.AddAttrs(all[rng.IntN(len(all))])
		}
		check(r, rng.IntN(2) == 0)
	}
}

// The usual record, five scalars with short keys, is held whole inline.
func TestUsualRecordIsInline(t *testing.T) {
	r := slog.NewRecord(time.Now(), slog.LevelInfo, "cache miss", 0)
	r.AddAttrs(slog.String("key", "user:42"), slog.Int("n", 3), slog.Bool("hit", false), slog.Float64("ratio", 0.5),
		slog.Duration("took", time.Millisecond))
	k := new(kept)
	k.set(&r, nil, true)
	assert.Equal(t, uint8(5), k.n)
	assert.Nil(t, k.ext)
	assert.Equal(t, "cache miss hit=false key=user:42 n=3 ratio=0.5 took=1ms", k.String())

	r.AddAttrs(slog.String("sixth", "out of line"))
	k = new(kept)
	k.set(&r, nil, true)
	require.NotNil(t, k.ext)
	assert.Equal(t, uint8(5), k.n)
	assert.Len(t, k.ext.more, 1)
	assert.Equal(t, "cache miss hit=false key=user:42 n=3 ratio=0.5 sixth=\"out of line\" took=1ms", k.String())
}
