package slogoops

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops/flight"
)

type valuer struct{ v slog.Value }

func (l valuer) LogValue() slog.Value { return l.v }

type panicValuer struct{}

func (panicValuer) LogValue() slog.Value { panic("boom") }

type stringer struct{ s string }

func (s *stringer) String() string { return s.s }

// detailAttrs are attributes of every shape a kept record's detail renders.
func detailAttrs() []slog.Attr {
	huge := strings.Repeat("é", flight.MaxValueLen)
	loc := time.FixedZone("X", 3600)
	return []slog.Attr{
		slog.String("s", "plain"),
		slog.String("s", "again"), // a later attribute beats an earlier one
		slog.String("empty", ""),
		slog.String("space", "a b"),
		slog.String("quote", `say "hi"`),
		slog.String("eq", "a=b"),
		slog.String("ctl", "tab\there\x7f"),
		slog.String("html", `<script>alert("x")</script>&amp;`),
		slog.String("utf8", "héllo wörld"),
		slog.String("nbsp", "a\u00a0b\u2028c"),
		slog.String("bad", "a\xffb"),
		slog.String("fffd", "a\uFFFDb"),
		slog.String("bad\xfekey", "v"),
		slog.String("bad\xffkey", "w"), // the same key once made valid
		slog.String("dot.key", "d"),
		slog.String("dot", "x"),
		slog.String("dot-", "y"),
		slog.String("k=k", "v"),
		slog.String("k k", "v"),
		slog.String("", "no key"),
		slog.String("huge", huge),
		slog.String(huge, "huge key"),
		slog.Int("int", -42),
		slog.Int64("big", math.MinInt64),
		slog.Uint64("u", math.MaxUint64),
		slog.Float64("f", 0.5),
		slog.Float64("f1", 1e20),
		slog.Float64("f2", 1e21),
		slog.Float64("f3", 1e-5),
		slog.Float64("f4", 123456789.0),
		slog.Float64("f5", math.Copysign(0, -1)),
		slog.Float64("nan", math.NaN()),
		slog.Float64("inf", math.Inf(-1)),
		slog.Float64("max", math.MaxFloat64),
		slog.Float64("tiny", math.SmallestNonzeroFloat64),
		slog.Bool("b", true),
		slog.Duration("d", 1500*time.Millisecond),
		slog.Duration("d0", 0),
		slog.Time("t", time.Date(2026, 12, 1, 13, 0, 0, 5, time.UTC)),
		slog.Time("tz", time.Date(2026, 12, 1, 13, 0, 0, 0, loc)),
		slog.Time("t0", time.Time{}),
		slog.Any("nil", nil),
		slog.Any("err", errors.New("no such row")),
		slog.Any("wrapped", fmt.Errorf("query: %w", errors.New("bad <conn>"))),
		slog.Any("stringer", &stringer{"as=text"}),
		slog.Any("bytes", []byte("raw\xff")),
		slog.Any("ints", []int{1, 2, 3}),
		slog.Any("anys", []any{"a b", map[string]any{"k": 1}}),
		slog.Any("map", map[string]int{"b": 2, "a": 1}),
		slog.Any("emptymap", map[string]any{}),
		slog.Any("struct", struct{ A, B int }{1, 2}),
		slog.Any("ptr", &struct{ A string }{"p"}),
		slog.Any("hugebytes", []byte(huge)),
		slog.Any("complex", 1+2i),
		slog.Any("valuer", valuer{slog.StringValue("resolved")}),
		slog.Any("valuer", valuer{slog.IntValue(7)}),
		slog.Any("gvaluer", valuer{slog.GroupValue(slog.Int("in", 1))}),
		slog.Any("", valuer{slog.GroupValue(slog.Int("inlined", 1))}),
		slog.Any("", valuer{slog.StringValue("dropped")}),
		slog.Any("panics", panicValuer{}),
		slog.Group("g", slog.Int("a", 1), slog.String("b", "x y")),
		slog.Group("g", slog.Int("c", 2)), // merges with g
		slog.Group("g", slog.Group("h", slog.Bool("deep", true))),
		slog.Group("", slog.Int("inline", 1), slog.Int("inline2", 2)),
		slog.Group("empty"),
		slog.Group("onlyempty", slog.Group("inner")),
		slog.Group("s", slog.Int("was", 1)), // a group over a scalar
		slog.Group("dot", slog.Int("key", 2)),
	}
}

// oldDetail is how a kept record's detail was rendered: through the
// record's attributes maps.
func oldDetail(k *kept) string { return flight.Detail(flight.Render(k)) }

func TestKeptDetailRendersAsDetailOfRender(t *testing.T) {
	all := detailAttrs()
	type scopeStep struct {
		group string
		attrs []slog.Attr
	}
	scopes := [][]scopeStep{
		nil,
		{{attrs: []slog.Attr{slog.String("svc", "api"), slog.Int("s", 0)}}},
		{{attrs: []slog.Attr{slog.String("svc", "api")}}, {attrs: []slog.Attr{slog.String("svc", "db")}}},
		{{group: "req"}},
		{{attrs: []slog.Attr{slog.String("svc", "api")}}, {group: "req"}, {attrs: []slog.Attr{slog.Int("id", 1)}}},
		{{attrs: []slog.Attr{slog.Group("g", slog.Int("scoped", 1))}}},
		{{attrs: []slog.Attr{slog.String("", "empty")}}},
	}
	msgs := []string{"", "msg", "bad \xff msg", "<b>html</b>", strings.Repeat("m", flight.MaxValueLen+10)}
	rng := rand.New(rand.NewPCG(1, 2))
	flat := 0
	check := func(msg string, steps []scopeStep, attrs []slog.Attr) {
		h := NewHandler(nil, nil, nil)
		var sh slog.Handler = h
		for _, s := range steps {
			if s.group != "" {
				sh = sh.WithGroup(s.group)
			} else {
				sh = sh.WithAttrs(s.attrs)
			}
		}
		r := slog.NewRecord(time.Now(), slog.LevelInfo, msg, 0)
		r.AddAttrs(attrs...)
		for _, k := range []*kept{sh.(*Handler).keep(r), cloned(r, sh.(*Handler).scope)} {
			want := oldDetail(k)
			if _, ok := k.flatDetail(k.loadScope()); ok {
				flat++
			}
			assert.Equal(t, want, k.String(), "attrs %v, scope %v", attrs, steps)
			assert.Equal(t, want, k.String(), "cached")
		}
	}
	for _, msg := range msgs {
		for _, steps := range scopes {
			check(msg, steps, nil)
			for _, a := range all {
				check(msg, steps, []slog.Attr{a})
			}
		}
	}
	for range 3000 {
		attrs := make([]slog.Attr, rng.IntN(12))
		for i := range attrs {
			attrs[i] = all[rng.IntN(len(all))]
		}
		check(msgs[rng.IntN(len(msgs))], scopes[rng.IntN(len(scopes))], attrs)
	}
	// Many attributes, past what a record and the render's buffers hold
	// inline.
	var many []slog.Attr
	for i := range 40 {
		many = append(many, slog.Int(fmt.Sprintf("k%02d", 40-i), i), slog.String("dup", fmt.Sprint(i)))
	}
	check("many", nil, many)
	assert.Greater(t, flat, 1000, "the straight render is the usual one")
}

func TestKeptDetailIsRenderedOnce(t *testing.T) {
	v := &countingValuer{}
	r := slog.NewRecord(time.Now(), slog.LevelInfo, "m", 0)
	r.AddAttrs(slog.Any("v", v))
	k := cloned(r, &scope{attrs: []slog.Attr{slog.Int("s", 2)}})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			assert.Equal(t, "m s=2 v=1", k.String())
			// Reports read the scope while the detail is swapped in.
			assert.Equal(t, int64(2), k.LogRecord().Attrs["s"])
		})
	}
	wg.Wait()
	assert.Equal(t, map[string]any{"s": int64(2), "v": int64(1)}, k.LogRecord().Attrs, "the scope survives the swap")
	n := v.n.Load()
	assert.Equal(t, "m s=2 v=1", k.String())
	assert.Equal(t, n, v.n.Load(), "a cached detail renders nothing")
}

// cloned returns r kept as the report path keeps it when no window may
// fold it: values as they are, LogValuers unresolved.
func cloned(r slog.Record, sc *scope) *kept {
	k := new(kept)
	k.set(&r, sc, false)
	return k
}

type countingValuer struct{ n atomicInt }

func (c *countingValuer) LogValue() slog.Value { c.n.Add(1); return slog.IntValue(1) }

func TestReusedKeptRecordShowsItsOwnDetail(t *testing.T) {
	h := NewHandler(nil, nil, nil)
	r := slog.NewRecord(time.Now(), slog.LevelInfo, "first", 0)
	r.AddAttrs(slog.Int("n", 1))
	k := h.keep(r)
	require.Equal(t, "first n=1", k.String())
	k.Release()
	// The pool may hand k back (it usually does, on this goroutine) or a
	// fresh record: either way the detail is the new record's.
	for range 100 {
		r2 := slog.NewRecord(time.Now(), slog.LevelInfo, "second", 0)
		r2.AddAttrs(slog.Int("n", 2))
		k2 := h.keep(r2)
		assert.Equal(t, "second n=2", k2.String())
		k2.Release()
	}
}

type atomicInt = atomic.Int64
