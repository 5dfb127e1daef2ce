package datedir

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/oops-go/oops"
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

// TestAppendStrValueShortASCII holds appendStrValue, which copies short
// ASCII strings a word at a time, to the plain way for every length to 40,
// with a byte that is not ASCII (valid or not) at every position, into
// buffers with and without room to spare.
func TestAppendStrValueShortASCII(t *testing.T) {
	plain := func(b []byte, s string) []byte {
		s = oops.ValidUTF8(s)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(s)+1))
		b = append(b, s...)
		return append(b, 0)
	}
	var cases []string
	for n := range 41 {
		ascii := strings.Repeat("x", n)
		cases = append(cases, ascii, strings.Repeat("\x7f", n))
		for i := range n {
			for _, bad := range []string{"\x80", "\xff", "é"} {
				cases = append(cases, ascii[:i]+bad+ascii[i+1:])
			}
		}
	}
	for _, s := range cases {
		for _, room := range []int{0, 3, 64} {
			b := append(make([]byte, 0, 2+room), "pp"...)
			want := plain(append([]byte(nil), b...), s)
			if !assert.Equal(t, want, appendStrValue(b, s), "%q, %d spare", s, room) {
				return
			}
		}
	}
}
