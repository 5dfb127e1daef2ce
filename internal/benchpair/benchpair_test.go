package benchpair

import (
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
