package detail

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// Numbers are formatted as fmt.Sprint formats them, which is how
// flight.Detail formats values.
func TestFlatFormatsNumbersAsSprint(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	floats := []float64{0, math.Copysign(0, -1), 0.5, 1e20, 1e21, 1e-4, 1e-5, 123456789, math.MaxFloat64,
		math.SmallestNonzeroFloat64, math.NaN(), math.Inf(1), math.Inf(-1), float64(float32(0.1))}
	for range 2000 {
		floats = append(floats, math.Float64frombits(rng.Uint64()), rng.NormFloat64()*math.Pow(10, float64(rng.IntN(60)-30)))
	}
	for _, f := range floats {
		assert.Equal(t, "m f="+fmt.Sprint(f), Flat("m", []Attr{Float("f", f)}))
	}
	ints := []int64{0, -1, 99, 100, math.MaxInt64, math.MinInt64}
	for range 200 {
		ints = append(ints, int64(rng.Uint64()))
	}
	for _, i := range ints {
		assert.Equal(t, "i="+fmt.Sprint(i), Flat("", []Attr{Int("i", i)}))
		assert.Equal(t, "u="+fmt.Sprint(uint64(i)), Flat("", []Attr{Uint("u", uint64(i))}))
	}
	for _, v := range []any{"s", int64(-3), uint64(3), true, 2.5, time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)} {
		s, ok := Text(v)
		assert.True(t, ok)
		assert.Equal(t, fmt.Sprint(v), s)
	}
	_, ok := Text([]int{1})
	assert.False(t, ok)
}

func TestFlatSortsQuotesAndLetsTheLastKeyWin(t *testing.T) {
	attrs := []Attr{String("b", "x y"), Int("a", 1), String("b", "z"), String("c", ""), String("d", "é\uFFFD"), String("e", "\xff")}
	assert.Equal(t, "msg a=1 b=z c=\"\" d=\"é\uFFFD\" e=\"\\xff\"", Flat("msg", attrs))
	assert.Equal(t, "a=1", Flat("", []Attr{Int("a", 1)}))
}
