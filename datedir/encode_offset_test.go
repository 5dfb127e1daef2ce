package datedir

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/oops-go/oops/internal/wire"
)

// TestAppendOffsetIsOffsetMillis holds appendOffset's integer path to
// wire.OffsetMillis, which readers invert: the same BSON element for every
// offset, at the rounding edges and at random.
func TestAppendOffsetIsOffsetMillis(t *testing.T) {
	offsets := []time.Duration{
		0, 1, 499, 500, 501, 999, 1000, 1499, 1500, 999_499, 999_500, 999_999, 1_000_000,
		1_000_499, 1_000_500, 12_345_678, 2_147_483_647_499_999, 2_147_483_647_500_000,
		2_147_483_648_000_000, math.MaxInt64 - 501, math.MaxInt64 - 500, math.MaxInt64 - 499,
		math.MaxInt64, -1, -499, -500, -501, -1_000_000, -1_500_500, math.MinInt64,
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 100_000 {
		offsets = append(offsets,
			time.Duration(rng.Int64N(int64(time.Hour))),
			time.Duration(rng.Int64N(int64(time.Second)))/1000*1000+time.Duration(rng.IntN(3))+499,
			time.Duration(rng.Int64()),
			-time.Duration(rng.Int64N(int64(time.Hour))))
	}
	for _, d := range offsets {
		got := appendOffset(nil, "0", d)
		var want []byte
		if ms, whole := wire.OffsetMillis(d); whole {
			want = appendInt(nil, "0", int64(ms))
		} else {
			want = appendDouble(nil, "0", ms)
		}
		if !assert.Equal(t, want, got, "offset %d", int64(d)) {
			return
		}
		// The timeline entries' writer, which writes its keys with their
		// types in one step, writes the same element.
		if !assert.Equal(t, want, appendOffsetAt(nil, '0', d), "offset %d, appendOffsetAt", int64(d)) {
			return
		}
	}
}

// TestAppendStrAtIsAppendStr: the timeline entries' string writer writes
// what appendStr does, invalid UTF-8 and NUL bytes included.
func TestAppendStrAtIsAppendStr(t *testing.T) {
	for _, s := range []string{"", "SQL-main", "SELECT 1", "caf\xe9", "a\x00b", "é", string(make([]byte, 300))} {
		for _, key := range "012345" {
			prefix := []byte("prefix")
			assert.Equal(t, appendStr(prefix[:len(prefix):len(prefix)], string(key), s),
				appendStrAt(prefix[:len(prefix):len(prefix)], byte(key), s), "%q", s)
		}
	}
}
