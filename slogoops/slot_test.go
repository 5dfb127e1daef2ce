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
// them (see slab) must stay in the 10 KiB size class.
func TestKeptRecordSize(t *testing.T) {
	assert.Equal(t, uintptr(160), unsafe.Sizeof(kept{}))
	// keptExts come from a slab too.
	assert.Equal(t, uintptr(216), unsafe.Sizeof(keptExt{}))
}

// slotAttrs are attributes of every value a slot may hold, and of those
// that go out of line instead.
func slotAttrs() []slog.Attr {
	far := time.Date(3000, 1, 1, 0, 0, 0, 1, time.UTC) // past what Unix nanoseconds hold
	loc := time.FixedZone("X", -7200)
	return append(detailAttrs(),
		slog.String(strings.Repeat("k", 255), "long key"),
		slog.String(strings.Repeat("k", 1000), "longer key"),
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
	msgs := []string{"", "m", "bad \xff msg", strings.Repeat("x", 1000),
		strings.Repeat("y", math.MaxUint16), strings.Repeat("z", math.MaxUint16+1)} // the longest inline, and one past it
	k := new(kept) // reused throughout, as the pool reuses records
	check := func(r slog.Record, snapshot, timed bool) {
		t.Helper()
		k.set(&r, &scope{}, snapshot)
		if timed {
			k.setTimed(&r)
			assert.True(t, k.time() == r.Time, "the time, exactly: %v, %v", k.time(), r.Time)
			assert.Equal(t, r.PC, k.pc())
		} else {
			assert.True(t, k.time().IsZero(), "no time but for a report: %v", k.time())
			assert.Zero(t, k.pc())
		}
		assert.Equal(t, r.Level, k.recLevel())
		assert.Equal(t, r.Message, k.message())
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
		for i := k.numInline(); i < inlineAttrs; i++ {
			assert.Zero(t, k.vals[i], "value %d past the used ones holds nothing of a last use", i)
		}
	}
	for _, a := range all {
		for _, snapshot := range []bool{true, false} {
			r := slog.NewRecord(time.Now(), slog.LevelInfo, "one", 42)
			r.AddAttrs(a)
			check(r, snapshot, false)
			check(r, snapshot, true)
		}
	}
	for range 3000 {
		r := slog.NewRecord(times[rng.IntN(len(times))], levels[rng.IntN(len(levels))], msgs[rng.IntN(len(msgs))],
			uintptr(rng.IntN(3)))
		for range rng.IntN(9) {
			r.AddAttrs(all[rng.IntN(len(all))])
		}
		check(r, rng.IntN(2) == 0, rng.IntN(2) == 0)
	}
}

// The usual record, five scalars with short keys, is held whole inline.
func TestUsualRecordIsInline(t *testing.T) {
	r := slog.NewRecord(time.Now(), slog.LevelInfo, "cache miss", 0)
	r.AddAttrs(slog.String("key", "user:42"), slog.Int("n", 3), slog.Bool("hit", false), slog.Float64("ratio", 0.5),
		slog.Duration("took", time.Millisecond))
	k := new(kept)
	k.set(&r, nil, true)
	assert.Equal(t, 5, k.numInline())
	assert.Nil(t, k.ext)
	assert.Equal(t, "cache miss hit=false key=user:42 n=3 ratio=0.5 took=1ms", k.String())

	r.AddAttrs(slog.String("sixth", "out of line"))
	k = new(kept)
	k.set(&r, nil, true)
	require.NotNil(t, k.ext)
	assert.Equal(t, 5, k.numInline())
	assert.Len(t, k.ext.more, 1)
	assert.Equal(t, "cache miss hit=false key=user:42 n=3 ratio=0.5 sixth=\"out of line\" took=1ms", k.String())
}

// A kept record holds what was logged: adding attributes to the logged
// record, or to copies of it, later changes none of the kept ones.
func TestKeptRecordSharesNothingThatChanges(t *testing.T) {
	r := slog.NewRecord(time.Now(), slog.LevelInfo, "m", 0)
	for i := range 6 {
		r.AddAttrs(slog.Int(fmt.Sprint("a", i), i))
	}
	k := new(kept)
	k.set(&r, nil, true)
	want := "m a0=0 a1=1 a2=2 a3=3 a4=4 a5=5"
	s, ok := k.flatDetail(k.loadScope())
	require.True(t, ok)
	require.Equal(t, want, s)
	r2 := r
	r2.AddAttrs(slog.Int("a6", 6)) // may write past the attributes they share, in room they share
	r.AddAttrs(slog.Int("a6", -6), slog.Int("a7", 7))
	s, _ = k.flatDetail(k.loadScope())
	assert.Equal(t, want, s)
	assert.Equal(t, 6, k.numAttrs())
}

// The records of a call site share its keys' keySet, found without
// allocating when the keys are the same strings or equal ones; a record with
// other keys at that call site gets a keySet of its own, and the records
// kept before it keep theirs.
func TestKeySetsAreSharedByCallSite(t *testing.T) {
	const pc = 0x5eed
	rec := func(keys ...string) *slog.Record {
		r := slog.NewRecord(time.Now(), slog.LevelInfo, "m", pc)
		for i, k := range keys {
			r.AddAttrs(slog.Int(k, i))
		}
		return &r
	}
	k1, k2 := new(kept), new(kept)
	k1.set(rec("a", "b"), nil, true)
	k2.set(rec("a", "b"), nil, true)
	require.NotNil(t, k1.keys)
	assert.Same(t, k1.keys, k2.keys, "the same keys")

	dyn := []byte("ab")
	k3 := new(kept)
	k3.set(rec(string(dyn[:1]), string(dyn[1:])), nil, true) // equal keys made at run time
	assert.Same(t, k1.keys, k3.keys, "equal keys")

	k4 := new(kept)
	k4.set(rec("a", "c"), nil, true)
	assert.NotSame(t, k1.keys, k4.keys)
	k5 := new(kept)
	k5.set(rec("a"), nil, true)
	assert.NotSame(t, k4.keys, k5.keys, "fewer keys")
	for k, want := range map[*kept]string{k1: "m a=0 b=1", k2: "m a=0 b=1", k3: "m a=0 b=1", k4: "m a=0 c=1", k5: "m a=0"} {
		s, ok := k.flatDetail(k.loadScope())
		require.True(t, ok)
		assert.Equal(t, want, s)
	}

	r := rec("a", "c")
	allocs := testing.AllocsPerRun(100, func() { k4.set(r, nil, true) })
	assert.Zero(t, allocs, "the call site's keySet is found")
	k6 := new(kept)
	k6.set(rec(), nil, true)
	assert.Nil(t, k6.keys, "no attributes, no keys")
}

// A call site that logs several sets of keys, or records made by hand with
// no PC, find their keySets without allocating once each set has one (and
// the sets do not share an entry of keySets, which this test checks first).
func TestKeySetsOfSeveralKeysAtOneCallSite(t *testing.T) {
	for _, pc := range []uintptr{0, 0xca11} {
		var rs []*slog.Record
		entries := map[uint64]bool{keySetIndex(pc): true}
		for i := range 4 {
			r := slog.NewRecord(time.Now(), slog.LevelInfo, "m", pc)
			r.AddAttrs(slog.Int(fmt.Sprint("k", i), i), slog.String("same", "v"))
			rs = append(rs, &r)
			keys := [inlineAttrs]string{fmt.Sprint("k", i), "same"}
			at := keysIndex(pc, 2, &keys, keySetIndex(pc))
			require.False(t, entries[at], "set %d shares an entry", i)
			entries[at] = true
		}
		k := new(kept)
		for _, r := range rs {
			k.set(r, nil, true) // each set gets its keySet
		}
		allocs := testing.AllocsPerRun(100, func() {
			for _, r := range rs {
				k.set(r, nil, true)
			}
		})
		assert.Zero(t, allocs, "pc %#x", pc)
		for i, r := range rs {
			k.set(r, nil, true)
			s, ok := k.flatDetail(nil)
			require.True(t, ok)
			assert.Equal(t, fmt.Sprintf("m k%d=%d same=v", i, i), s)
		}
	}
}
