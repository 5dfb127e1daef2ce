package datedir

import (
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/oops-go/oops"
)

// TestAppendAttrsAsPlain: attributes written without Plain's copy are the
// bytes written through it, whatever the keys and values.
func TestAppendAttrsAsPlain(t *testing.T) {
	many := map[string]any{}
	for i := range 40 {
		many[fmt.Sprint("k", i)] = i
	}
	cycle := map[string]any{"a": 1}
	cycle["self"] = cycle
	for name, m := range map[string]map[string]any{
		"cycle":   cycle,
		"nil":     nil,
		"empty":   {},
		"leaves":  {"order": 42, "big": 1 << 40, "user": "alice", "ok": true, "f": 1.5, "nan": math.NaN(), "u": uint64(math.MaxUint64), "d": time.Second, "t": time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC), "n": nil, "i8": int8(-3), "f32": float32(2.5)},
		"bad key": {"a\xffb": 1, "c": 2},
		"nul key": {"a\x00b": 1},
		"bad val": {"s": "x\xffy"},
		"year 0":  {"t": time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)},
		"nested":  {"m": map[string]any{"x": 1}, "s": []any{1, "a"}},
		"error":   {"err": errors.New("boom")},
		"pointer": {"p": new(int)},
		"many":    many,
	} {
		want := appendValue(nil, "attrs", oops.Plain(m))
		got := appendAttrs(nil, "attrs", m)
		assert.Equal(t, want, got, name)
	}
}

// TestDayName: the date directory's name is Format's, for every year a
// directory can name.
func TestDayName(t *testing.T) {
	for _, tm := range []time.Time{
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(2024, 5, 6, 12, 0, 0, 0, time.UTC),
		time.Date(2024, 10, 26, 23, 30, 0, 0, time.FixedZone("x", -3600)),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 5, 6, 23, 59, 59, 999999999, time.UTC),
		time.Date(2024, 5, 7, 0, 30, 0, 0, time.FixedZone("y", 3600)), // 2024-05-06 in UTC
		time.Date(2024, 5, 7, 0, 0, 0, 0, time.UTC),
		time.Date(0, 12, 31, 23, 0, 0, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		// Twice: the second one is the day named last.
		assert.Equal(t, tm.UTC().Format(dayLayout), dayName(tm), tm.String())
		assert.Equal(t, tm.UTC().Format(dayLayout), dayName(tm), tm.String())
	}
}
