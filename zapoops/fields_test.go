package zapoops_test

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/oops-go/oops/flight"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

type user struct {
	Name  string
	Roles []string
}

func (u user) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddString("name", u.Name)
	return enc.AddArray("roles", zapcore.ArrayMarshalerFunc(func(a zapcore.ArrayEncoder) error {
		for _, r := range u.Roles {
			a.AppendString(r)
		}
		return nil
	}))
}

type panicky struct{}

func (panicky) MarshalLogObject(zapcore.ObjectEncoder) error { panic("object boom") }
func (panicky) MarshalLogArray(zapcore.ArrayEncoder) error   { panic("array boom") }
func (panicky) String() string                               { panic("stringer boom") }

type failing struct{}

func (failing) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddInt("partial", 1)
	return errors.New("marshal failed")
}

type nilStringer struct{ s string }

func (n *nilStringer) String() string { return n.s }

// forever marshals itself inside itself, without end.
type forever struct{}

func (f forever) MarshalLogObject(enc zapcore.ObjectEncoder) error { return enc.AddObject("next", f) }

type mixed struct{}

func (mixed) MarshalLogArray(a zapcore.ArrayEncoder) error {
	a.AppendBool(true)
	a.AppendByteString([]byte("bytes"))
	a.AppendComplex128(complex(1, 2))
	a.AppendComplex64(complex(3, 4))
	a.AppendDuration(1500 * time.Millisecond)
	a.AppendFloat64(1.5)
	a.AppendFloat32(float32(math.Inf(1)))
	a.AppendInt(-1)
	a.AppendInt64(-2)
	a.AppendInt32(-3)
	a.AppendInt16(-4)
	a.AppendInt8(-5)
	a.AppendString("s")
	a.AppendTime(time.Unix(0, 0).UTC())
	a.AppendUint(1)
	a.AppendUint64(2)
	a.AppendUint32(3)
	a.AppendUint16(4)
	a.AppendUint8(5)
	a.AppendUintptr(6)
	_ = a.AppendObject(user{Name: "in array"})
	_ = a.AppendArray(zapcore.ArrayMarshalerFunc(func(inner zapcore.ArrayEncoder) error {
		inner.AppendInt(7)
		return nil
	}))
	_ = a.AppendReflected(map[string]int{"k": 8})
	_ = a.AppendObject(panicky{})
	return nil
}

func TestFieldTypes(t *testing.T) {
	when := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	ch := make(chan int)
	cases := []struct {
		name  string
		field zap.Field
		key   string
		want  any
	}{
		{"bool", zap.Bool("b", true), "b", true},
		{"binary is base64", zap.Binary("bin", []byte{0, 1, 2}), "bin", "AAEC"},
		{"bytestring", zap.ByteString("bs", []byte("héllo")), "bs", "héllo"},
		{"complex128", zap.Complex128("c", complex(1, -2)), "c", "(1-2i)"},
		{"complex64", zap.Complex64("c", complex(1, 2)), "c", "(1+2i)"},
		{"duration", zap.Duration("d", 2*time.Second), "d", "2s"},
		{"float64", zap.Float64("f", 2.5), "f", 2.5},
		{"float64 NaN", zap.Float64("f", math.NaN()), "f", "NaN"},
		{"float32", zap.Float32("f", 0.5), "f", 0.5},
		{"int", zap.Int("i", -7), "i", int64(-7)},
		{"int64", zap.Int64("i", math.MinInt64), "i", int64(math.MinInt64)},
		{"int32", zap.Int32("i", -32), "i", int64(-32)},
		{"int16", zap.Int16("i", -16), "i", int64(-16)},
		{"int8", zap.Int8("i", -8), "i", int64(-8)},
		{"string", zap.String("s", "x"), "s", "x"},
		{"invalid utf8", zap.String("s", "a\xffb"), "s", "a\uFFFDb"},
		{"invalid utf8 key", zap.String("k\xff", "v"), "k\uFFFD", "v"},
		{"time", zap.Time("t", when), "t", when},
		{"time full", zap.Time("t", time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)), "t", time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"uint", zap.Uint("u", 1), "u", uint64(1)},
		{"uint64", zap.Uint64("u", math.MaxUint64), "u", uint64(math.MaxUint64)},
		{"uint32", zap.Uint32("u", 32), "u", uint64(32)},
		{"uint16", zap.Uint16("u", 16), "u", uint64(16)},
		{"uint8", zap.Uint8("u", 8), "u", uint64(8)},
		{"uintptr", zap.Uintptr("p", 0x10), "p", uint64(0x10)},
		{"stringer", zap.Stringer("addr", netip.MustParseAddr("10.0.0.1")), "addr", "10.0.0.1"},
		{"stringer panics", zap.Stringer("p", panicky{}), "p", "<String panicked: stringer boom>"},
		{"nil stringer pointer", zap.Stringer("n", (*nilStringer)(nil)), "n", "<nil>"},
		{"object", zap.Object("user", user{Name: "ada", Roles: []string{"admin"}}), "user",
			map[string]any{"name": "ada", "roles": []any{"admin"}}},
		{"object panics", zap.Object("p", panicky{}), "p", "<MarshalLogObject panicked: object boom>"},
		{"array panics", zap.Array("p", panicky{}), "p", "<MarshalLogArray panicked: array boom>"},
		{"object fails", zap.Object("f", failing{}), "f", map[string]any{"partial": int64(1)}},
		{"object fails: error key", zap.Object("f", failing{}), "fError", "marshal failed"},
		{"dict", zap.Dict("d", zap.Int("a", 1), zap.Dict("b", zap.String("c", "x"))), "d",
			map[string]any{"a": int64(1), "b": map[string]any{"c": "x"}}},
		{"strings", zap.Strings("ss", []string{"a", "b"}), "ss", []any{"a", "b"}},
		{"empty array", zap.Ints("is", nil), "is", []any{}},
		{"ints", zap.Ints("is", []int{1, 2}), "is", []any{int64(1), int64(2)}},
		{"objects", zap.Objects("us", []user{{Name: "a"}, {Name: "b"}}), "us", []any{
			map[string]any{"name": "a", "roles": []any{}}, map[string]any{"name": "b", "roles": []any{}}}},
		{"any map", zap.Any("m", map[string]int{"x": 1}), "m", map[string]any{"x": int64(1)}},
		{"any struct", zap.Any("s", struct{ A int }{1}), "s", "{A:1}"},
		{"any pointer", zap.Any("p", &struct{ A int }{2}), "p", "{A:2}"},
		{"any nil", zap.Any("n", nil), "n", nil},
		{"any func", zap.Any("fn", func() {}), "fn", nil /* checked below */},
		{"any chan", zap.Any("ch", ch), "ch", fmt.Sprintf("%+v", ch)},
		{"any error", zap.Any("e", errors.New("as any")), "e", "as any"},
		{"reflect stringer panics", zap.Reflect("r", panicky{}), "r", "<panicked: stringer boom>"},
		{"stack", zap.Stack("stack"), "stack", nil /* checked below */},
		{"unknown type", zap.Field{Key: "u", Type: zapcore.FieldType(200)}, "u", nil /* checked below */},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, nil)
			f.logger.Error("fields", tc.field)
			r := f.only(t)
			require.Contains(t, r.Attrs, tc.key, "attrs: %#v", r.Attrs)
			got := r.Attrs[tc.key]
			switch tc.name {
			case "any func":
				assert.IsType(t, "", got)
				assert.True(t, strings.HasPrefix(got.(string), "0x"), got)
			case "stack":
				assert.Contains(t, got, "zapoops_test.TestFieldTypes")
			case "unknown type":
				assert.Contains(t, got, "<field panicked: unknown field type")
			default:
				assert.Equal(t, tc.want, got)
			}
		})
	}
}

func TestMixedArrayAndInline(t *testing.T) {
	f := newFixture(t, nil)
	f.logger.Error("mixed", zap.Array("a", mixed{}), zap.Inline(user{Name: "inline"}), zap.Skip())
	r := f.only(t)
	assert.Equal(t, []any{true, "bytes", "(1+2i)", "(3+4i)", "1.5s", 1.5, "+Inf", int64(-1), int64(-2), int64(-3),
		int64(-4), int64(-5), "s", time.Unix(0, 0).UTC(), uint64(1), uint64(2), uint64(3), uint64(4), uint64(5),
		uint64(6), map[string]any{"name": "in array", "roles": []any{}}, []any{int64(7)}, map[string]any{"k": int64(8)},
		"<MarshalLogObject panicked: object boom>"}, r.Attrs["a"])
	assert.Equal(t, "inline", r.Attrs["name"], "zap.Inline adds the object's keys at the top")
	assert.Len(t, r.Attrs, 3, "Skip adds nothing: %v", r.Attrs)
}

func TestNamespaces(t *testing.T) {
	f := newFixture(t, nil)
	f.logger.With(zap.String("svc", "api"), zap.Namespace("req")).
		Error("namespaced", zap.Int("n", 1), zap.Namespace("inner"), zap.Bool("deep", true))
	r := f.only(t)
	assert.Equal(t, map[string]any{
		"svc": "api",
		"req": map[string]any{"n": int64(1), "inner": map[string]any{"deep": true}},
	}, r.Attrs)
}

func TestBounds(t *testing.T) {
	f := newFixture(t, nil)
	huge := strings.Repeat("x", 10<<20)
	many := make([]int, 5000)
	f.logger.Error("bounded\xff", zap.String("huge", huge), zap.Object("forever", forever{}), zap.Ints("many", many))
	r := f.only(t)
	s := r.Attrs["huge"].(string)
	assert.Less(t, len(s), flight.MaxValueLen+100)
	assert.Contains(t, s, "truncated")
	depth := 0
	for v := r.Attrs["forever"]; ; depth++ {
		m, ok := v.(map[string]any)
		if !ok {
			assert.Equal(t, "<too deep>", v)
			break
		}
		v = m["next"]
	}
	assert.Equal(t, 32, depth)
	arr := r.Attrs["many"].([]any)
	assert.Len(t, arr, flight.MaxElements+1)
	assert.Equal(t, "<4000 more elements left out>", arr[flight.MaxElements])
	assert.Equal(t, "bounded\uFFFD", r.Value, "invalid UTF-8 in the message")
	require.Equal(t, 1, f.logs.Len(), "the log line is still written")
	got, _ := fieldString(f.logs.All()[0], "huge")
	assert.Len(t, got, 10<<20, "the inner core gets the field untouched")
}
