package wire

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestASCII holds ASCII to a byte loop for every length to 40 and a
// byte with its top bit set at every position.
func TestASCII(t *testing.T) {
	slow := func(s string) bool {
		for i := 0; i < len(s); i++ {
			if s[i] >= 0x80 {
				return false
			}
		}
		return true
	}
	for n := range 41 {
		ascii := strings.Repeat("\x7f", n)
		assert.True(t, ASCII(ascii), "%d bytes", n)
		for i := range n {
			for _, c := range []byte{0x80, 0xc3, 0xff} {
				b := []byte(ascii)
				b[i] = c
				assert.Equal(t, slow(string(b)), ASCII(string(b)), "%q", b)
			}
		}
	}
}
