package oops

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestValidUTF8ASCIIPath holds ValidUTF8, with its ASCII fast path, to
// strings.ToValidUTF8: the same string for ASCII, valid and invalid UTF-8 of
// every length around the 16-byte steps, a bad byte at every position.
func TestValidUTF8ASCIIPath(t *testing.T) {
	var cases []string
	for n := range 40 {
		ascii := strings.Repeat("a", n)
		cases = append(cases, ascii)
		for i := 0; i <= n; i++ {
			for _, bad := range []string{"\x80", "\xff", "é", "\xe2\x82", "\x00", "\x7f"} {
				cases = append(cases, ascii[:i]+bad+ascii[i:])
			}
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20_000 {
		b := make([]byte, rng.IntN(70))
		for i := range b {
			b[i] = byte(rng.IntN(128))
			if rng.IntN(50) == 0 {
				b[i] = byte(rng.IntN(256))
			}
		}
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		if !assert.Equal(t, strings.ToValidUTF8(s, "\uFFFD"), ValidUTF8(s), "%q", s) {
			return
		}
	}
}
