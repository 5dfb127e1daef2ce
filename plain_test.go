package oops_test

import (
	"errors"
	"math"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/oops-go/oops"
	"github.com/stretchr/testify/assert"
)

type point struct{ X, Y int }

type shouty string

func (s shouty) String() string { return strings.ToUpper(string(s)) }

type brokenStringer struct{}

func (*brokenStringer) String() string { panic("String is broken") }

type textErr struct{}

func (textErr) MarshalText() ([]byte, error) { return []byte("partial"), errors.New("bad") }

func TestPlain(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var nilPtr *point
	var nilStringer *brokenStringer
	for _, tc := range []struct {
		name string
		in   any
		want any
	}{
		{"nil", nil, nil},
		{"string", "x", "x"},
		{"invalid utf-8", "a\xffb", "a\uFFFDb"},
		{"bool", true, true},
		{"int", 3, int64(3)},
		{"int8", int8(-3), int64(-3)},
		{"uint16", uint16(3), uint64(3)},
		{"uint64", uint64(math.MaxUint64), uint64(math.MaxUint64)},
		{"float32", float32(1.5), 1.5},
		{"NaN", math.NaN(), "NaN"},
		{"+Inf", math.Inf(1), "+Inf"},
		{"time", at, at},
		{"duration", 1500 * time.Millisecond, "1.5s"},
		{"bytes", []byte("hi\xff"), "hi\uFFFD"},
		{"error", errors.New("boom"), "boom"},
		{"stringer", shouty("hi"), "HI"},
		{"text marshaler", netip.MustParseAddr("10.0.0.1"), "10.0.0.1"},
		{"text marshaler error", textErr{}, "partial <MarshalText error: bad>"},
		{"panicking stringer", &brokenStringer{}, "<panicked: String is broken>"},
		{"nil stringer", nilStringer, "<panicked: String is broken>"},
		{"nil pointer", nilPtr, nil},
		{"pointer", &point{1, 2}, "{X:1 Y:2}"},
		{"struct", point{1, 2}, "{X:1 Y:2}"},
		{"[]any", []any{1, "a", nil}, []any{int64(1), "a", nil}},
		{"typed slice", []int{1, 2}, []any{int64(1), int64(2)}},
		{"nil typed slice", []int(nil), nil},
		{"array", [2]string{"a", "b"}, []any{"a", "b"}},
		{"typed map", map[int]float64{1: math.Inf(-1)}, map[string]any{"1": "-Inf"}},
		{"nested", map[string]any{"a": []any{map[string]any{"b": math.NaN()}}}, map[string]any{"a": []any{map[string]any{"b": "NaN"}}}},
		{"named string", shoutless("quiet"), "quiet"},
		{"named int", level(4), int64(4)},
		{"named float", ratio(math.NaN()), "NaN"},
		{"nil channel", (chan int)(nil), "<nil>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got any
			assert.NotPanics(t, func() { got = oops.Plain(tc.in) })
			assert.Equal(t, tc.want, got)
		})
	}
}

type shoutless string
type level int
type ratio float64

func TestPlainUnencodable(t *testing.T) {
	assert.IsType(t, "", oops.Plain(make(chan int)))
	assert.IsType(t, "", oops.Plain(func() {}))
	assert.IsType(t, "", oops.Plain(complex(1, 2)))
}

func TestPlainCycles(t *testing.T) {
	// A map holding itself twice: following it to a depth bound would take
	// 2^depth steps.
	m := map[string]any{"name": "m"}
	m["a"] = m
	m["b"] = m
	s := make([]any, 3)
	s[0], s[1], s[2] = s, s, "end"
	typed := map[string][]any{}
	typed["x"] = []any{typed, typed}
	type node struct {
		Next *node
		Kids []*node
	}
	n := &node{}
	n.Next = n
	n.Kids = []*node{n, n}

	done := make(chan any, 4)
	go func() {
		done <- oops.Plain(m)
		done <- oops.Plain(s)
		done <- oops.Plain(typed)
		done <- oops.Plain(n)
	}()
	select {
	case got := <-done:
		assert.Equal(t, map[string]any{"name": "m", "a": "<cycle>", "b": "<cycle>"}, got)
	case <-time.After(10 * time.Second):
		t.Fatal("Plain did not end on a cyclic map")
	}
	assert.Equal(t, []any{"<cycle>", "<cycle>", "end"}, <-done)
	assert.Equal(t, map[string]any{"x": []any{"<cycle>", "<cycle>"}}, <-done)
	assert.IsType(t, "", <-done)

	// The same value twice side by side is not a cycle.
	shared := map[string]any{"k": 1}
	assert.Equal(t, []any{map[string]any{"k": int64(1)}, map[string]any{"k": int64(1)}}, oops.Plain([]any{shared, shared}))
}

func TestPlainDepth(t *testing.T) {
	var v any = "bottom"
	for range 100 {
		v = []any{v}
	}
	got := oops.Plain(v)
	depth := 0
	for {
		s, ok := got.([]any)
		if !ok {
			break
		}
		got = s[0]
		depth++
	}
	assert.Equal(t, "<too deep>", got)
	assert.Equal(t, 33, depth)
}

func TestValidUTF8(t *testing.T) {
	assert.Equal(t, "ok", oops.ValidUTF8("ok"))
	assert.Equal(t, "a\uFFFDb\uFFFDc", oops.ValidUTF8("a\xff\xfeb\xc0c"))
	assert.Equal(t, "héllo", oops.ValidUTF8("héllo"))
}
