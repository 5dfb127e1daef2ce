package oops

import (
	"encoding/hex"
	"math/rand/v2"
	"strings"
)

// idPrefix starts every OOPS id.
const idPrefix = "OOPS-"

// NewID returns a fresh id, "OOPS-" followed by 32 lowercase hex digits. The
// 128 bits come from math/rand/v2's generator, which the runtime seeds from
// the operating system's entropy in every process, so ids are unique across
// processes without a system call per id.
func NewID() string {
	var b [16]byte
	a, c := rand.Uint64(), rand.Uint64()
	for i := range 8 {
		b[i] = byte(a >> (8 * i))
		b[8+i] = byte(c >> (8 * i))
	}
	var out [len(idPrefix) + 32]byte
	copy(out[:], idPrefix)
	hex.Encode(out[len(idPrefix):], b[:])
	return string(out[:])
}

// ValidID reports whether id is an id as NewID makes them: "OOPS-" followed
// by 32 lowercase hex digits.
func ValidID(id string) bool {
	if len(id) != len(idPrefix)+32 || !strings.HasPrefix(id, idPrefix) {
		return false
	}
	for _, c := range id[len(idPrefix):] {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
