package benchpair

import (
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
)

var sink []byte

// A test side that allocates two 64-byte slices more than the base side
// per request of two units shows one allocation and about 64 bytes
// extra per unit.
func TestRunReportsTheExtra(t *testing.T) {
	r := testing.Benchmark(func(b *testing.B) {
		Run(b, 2, "unit", func() {}, func() {
			sink = make([]byte, 64)
			sink = make([]byte, 64)
		})
	})
	assert.InDelta(t, 1.0, r.Extra["extra-allocs/unit"], 0.05)
	assert.InDelta(t, 2.0, r.Extra["extra-allocs/req"], 0.1)
	assert.InDelta(t, 64.0, r.Extra["extra-B/unit"], 8)
	assert.Contains(t, r.Extra, "extra-ns/unit")
}

// Each side of a storm gets as many calls, and its percentiles come out in
// order; a side that does more work is the slower one.
func TestStormReportsBothSides(t *testing.T) {
	var calls [2]atomic.Int64
	r := testing.Benchmark(func(b *testing.B) {
		Storm(b, 4, [2]string{"fast", "slow"}, [2]func(){
			func() { calls[0].Add(1) },
			func() { calls[1].Add(1); spin(20000) },
		})
	})
	assert.Equal(t, calls[0].Load(), calls[1].Load(), "the goroutines alternate")
	for _, side := range []string{"fast", "slow"} {
		assert.LessOrEqual(t, r.Extra[side+"-p50-ns"], r.Extra[side+"-p99-ns"])
		assert.LessOrEqual(t, r.Extra[side+"-p99-ns"], r.Extra[side+"-p99.9-ns"])
	}
	assert.Greater(t, r.Extra["slow-p50-ns"], r.Extra["fast-p50-ns"])
	assert.Greater(t, r.Extra["p99.9-ratio"], 1.0)
}

var spun atomic.Uint64

// spin does n steps of work the compiler cannot drop.
func spin(n int) {
	x := uint64(1)
	for i := range n {
		x = x*6364136223846793005 + uint64(i)
	}
	spun.Add(x)
}
