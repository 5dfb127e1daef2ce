package zapoops

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/oops-go/oops/flight"
)

type textStringer struct{ s string }

func (s *textStringer) String() string { return s.s }

type object struct{}

func (object) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddString("in", "side")
	return nil
}

// detailFields are fields of every shape a kept entry's detail renders.
func detailFields() []zapcore.Field {
	huge := strings.Repeat("é", flight.MaxValueLen)
	loc := time.FixedZone("X", 3600)
	return []zapcore.Field{
		zap.String("s", "plain"),
		zap.String("s", "again"),
		zap.String("empty", ""),
		zap.String("", "no key"),
		zap.String("space", "a b"),
		zap.String("quote", `say "hi"`),
		zap.String("eq", "a=b"),
		zap.String("ctl", "tab\there\x7f"),
		zap.String("html", `<script>alert("x")</script>&amp;`),
		zap.String("utf8", "héllo\u00a0wörld"),
		zap.String("bad", "a\xffb"),
		zap.String("fffd", "a\uFFFDb"),
		zap.String("bad\xfekey", "v"),
		zap.String("bad\xffkey", "w"),
		zap.String("dot.key", "d"),
		zap.String("logger", "field"),
		zap.String("huge", huge),
		zap.String(huge, "huge key"),
		zap.Int("int", -42),
		zap.Int64("big", math.MinInt64),
		zap.Int32("i32", math.MinInt32),
		zap.Int16("i16", -7),
		zap.Int8("i8", -8),
		zap.Uint64("u", math.MaxUint64),
		zap.Uint32("u32", math.MaxUint32),
		zap.Uint16("u16", 16),
		zap.Uint8("u8", 255),
		zap.Uintptr("uptr", 0xdead),
		zap.Bool("b", true),
		zap.Bool("nb", false),
		zap.Float64("f", 0.5),
		zap.Float64("f1", 1e21),
		zap.Float64("f2", 123456789.0),
		zap.Float64("nan", math.NaN()),
		zap.Float64("inf", math.Inf(1)),
		zap.Float64("negzero", math.Copysign(0, -1)),
		zap.Float32("f32", 0.1),
		zap.Float32("f32inf", float32(math.Inf(-1))),
		zap.Duration("d", 1500*time.Millisecond),
		zap.Time("t", time.Date(2026, 12, 1, 13, 0, 0, 5, time.UTC)),
		zap.Time("tz", time.Date(2026, 12, 1, 13, 0, 0, 0, loc)),
		zap.Time("t0", time.Time{}),
		{Key: "tnil", Type: zapcore.TimeType, Integer: 12345},
		zap.Error(errors.New("no such row")),
		zap.NamedError("wrapped", fmt.Errorf("query: %w", errors.New("bad <conn>"))),
		zap.Stringer("stringer", &textStringer{"as=text"}),
		zap.Binary("bin", []byte("raw\xff")),
		zap.ByteString("bs", []byte("raw\xff")),
		zap.Ints("ints", []int{1, 2, 3}),
		zap.Any("map", map[string]int{"b": 2, "a": 1}),
		zap.Any("struct", struct{ A, B int }{1, 2}),
		zap.Any("nil", nil),
		zap.Complex128("c", 1+2i),
		zap.Object("obj", object{}),
		zap.Inline(object{}),
		zap.Namespace("ns"),
		zap.Skip(),
	}
}

func TestKeptDetailRendersAsDetailOfRender(t *testing.T) {
	all := detailFields()
	withs := [][]zapcore.Field{
		nil,
		{zap.String("svc", "api"), zap.Int("s", 0)},
		{zap.Error(errors.New("with error"))},
		{zap.Namespace("with")},
		{zap.String("logger", "taken")},
	}
	names := []string{"", "app", "app.db", "bad\xffname"}
	msgs := []string{"", "msg", "bad \xff msg", "<b>html</b>", strings.Repeat("m", flight.MaxValueLen+10)}
	rng := rand.New(rand.NewPCG(1, 2))
	flat := 0
	check := func(msg, name string, with, fields []zapcore.Field) {
		c := NewCore(nil, &Options{Recorder: flight.New(nil)})
		c = c.With(with).(*Core)
		ent := zapcore.Entry{Level: zapcore.InfoLevel, Time: time.Now(), LoggerName: name, Message: msg}
		k := c.newKept(ent, fields)
		want := flight.Detail(flight.Render(k))
		if _, ok := k.flatDetail(); ok {
			flat++
		}
		assert.Equal(t, want, k.String(), "with %v, fields %v", with, fields)
		assert.Equal(t, want, k.String(), "cached")
	}
	for _, msg := range msgs {
		for _, with := range withs {
			check(msg, "", with, nil)
			for _, f := range all {
				check(msg, names[rng.IntN(len(names))], with, []zapcore.Field{f})
			}
		}
	}
	for range 3000 {
		fields := make([]zapcore.Field, rng.IntN(12))
		for i := range fields {
			fields[i] = all[rng.IntN(len(all))]
		}
		check(msgs[rng.IntN(len(msgs))], names[rng.IntN(len(names))], withs[rng.IntN(len(withs))], fields)
	}
	var many []zapcore.Field
	for i := range 300 {
		many = append(many, zap.Int(fmt.Sprintf("k%03d", 300-i), i), zap.String("dup", fmt.Sprint(i)))
	}
	check("many", "app", nil, many[:40])
	check("too many", "app", nil, many)
	assert.Greater(t, flat, 1000, "the straight render is the usual one")
}

func TestReusedKeptEntryShowsItsOwnDetail(t *testing.T) {
	c := NewCore(nil, &Options{Recorder: flight.New(nil)})
	k := c.newKept(zapcore.Entry{Message: "first"}, []zapcore.Field{zap.Int("n", 1)})
	require.Equal(t, "first n=1", k.String())
	k.Release()
	for range 100 {
		k2 := c.newKept(zapcore.Entry{Message: "second"}, []zapcore.Field{zap.Int("n", 2)})
		assert.Equal(t, "second n=2", k2.String())
		k2.Release()
	}
}

// Reports of one request may read its timeline at once: the detail is
// rendered, and swapped in, while others read the entry's fields.
func TestKeptDetailUnderConcurrentReaders(t *testing.T) {
	c := NewCore(nil, &Options{Recorder: flight.New(nil)})
	fields := []zapcore.Field{zap.Int("a", 1), zap.Int("b", 2), zap.Int("c", 3), zap.Int("d", 4), zap.Int("e", 5),
		zap.Int("f", 6), zap.Int("g", 7)}
	k := c.newKept(zapcore.Entry{Message: "m"}, fields)
	want := "m a=1 b=2 c=3 d=4 e=5 f=6 g=7"
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			assert.Equal(t, want, k.String())
			assert.Len(t, k.LogRecord().Attrs, 7)
		})
	}
	wg.Wait()
	assert.Equal(t, want, k.String())
	assert.Len(t, k.LogRecord().Attrs, 7, "the fields past the inline ones survive the swap")
}

// Every field a slot can hold comes back from it as it was logged, with
// keys of every length around the longest a slot holds; fields that do not
// fit a slot, and all that follow one, are kept in order after the slots.
func TestKeptSlotsGiveBackTheFields(t *testing.T) {
	loc := time.FixedZone("X", -7200)
	values := []zapcore.Field{
		zap.String("", ""), zap.String("", "a b"), zap.Int64("", math.MinInt64), zap.Int32("", -5), zap.Int16("", 7),
		zap.Int8("", -8), zap.Uint64("", math.MaxUint64), zap.Uint32("", 9), zap.Uint16("", 10), zap.Uint8("", 11),
		zap.Uintptr("", 12), zap.Bool("", true), zap.Float64("", -0.25), zap.Float32("", 1.5),
		zap.Duration("", time.Second), zap.Time("", time.Date(2026, 12, 1, 15, 0, 0, 1, loc)),
		{Type: zapcore.TimeType, Integer: 42}, zap.Complex128("", 1+2i), // the last fits no slot
	}
	c := NewCore(nil, &Options{Recorder: flight.New(nil)})
	for _, keyLen := range []int{0, 1, maxSlotKey - 1, maxSlotKey, maxSlotKey + 1, 1000} {
		for i, v := range values {
			// Each value among four others, at each place, after the
			// previous value, so that every shape follows every other.
			fields := []zapcore.Field{zap.Int("a", 1), values[(i+len(values)-1)%len(values)], zap.String("b", "x"), zap.Int("c", 3)}
			v.Key = strings.Repeat("k", keyLen)
			for at := 0; at <= len(fields); at++ {
				fs := append(append(append([]zapcore.Field(nil), fields[:at]...), v), fields[at:]...)
				fs[len(fs)-1].Key = "last"
				k := c.newKept(zapcore.Entry{Message: "m"}, fs)
				var buf [inlineFields]zapcore.Field
				got := append(k.inlineFields(&buf), k.more()...)
				assert.Equal(t, fs, got, "key length %d, value %d at %d", keyLen, i, at)
				assert.LessOrEqual(t, int(k.n), inlineFields)
			}
		}
	}
}

// An entry with two fields past its slots costs one allocation for them
// (the kept entry itself is reused from the ring it evicts); with more, the
// fields take one more.
func TestKeptEntryPastItsSlotsAllocations(t *testing.T) {
	c := NewCore(nil, &Options{Recorder: flight.New(&flight.Options{RingSize: 1})})
	ent := zapcore.Entry{Level: zapcore.InfoLevel, Message: "m"}
	for _, tc := range []struct {
		fields int
		allocs float64
	}{{5, 0}, {6, 1}, {inlineFields + extFields, 1}, {inlineFields + extFields + 1, 2}} {
		var fields []zapcore.Field
		for i := range tc.fields {
			fields = append(fields, zap.Int(fmt.Sprint("k", i), i))
		}
		require.NoError(t, c.Write(ent, fields))
		got := testing.AllocsPerRun(100, func() { _ = c.Write(ent, fields) })
		assert.Equal(t, tc.allocs, got, "%d fields", tc.fields)
		assert.Len(t, c.s.rec.Records()[0].Attrs, tc.fields)
	}
}
