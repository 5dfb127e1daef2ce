package wire

import "unicode/utf8"

// ASCII reports whether s is all ASCII, as most of what a report holds is
// (SQL, URLs, header values), checking 16 bytes at a time: utf8.ValidString
// assembles each word from single bytes, and encoding a report checks every
// string of it. The bytes past the last 16 are checked as one word that
// overlaps those before (or two, for a string of 4 to 7 bytes): most of a
// report's strings are keys and names shorter than 16 bytes.
func ASCII(s string) bool {
	const high = 0x8080808080808080
	n := len(s)
	if n < 8 {
		if n >= 4 {
			return (load32(s, 0)|load32(s, n-4))&high == 0
		}
		var c byte
		for i := 0; i < n; i++ {
			c |= s[i]
		}
		return c < utf8.RuneSelf
	}
	i := 0
	for ; i+16 <= n; i += 16 {
		if (load64(s, i)|load64(s, i+8))&high != 0 {
			return false
		}
	}
	var w uint64
	if i+8 <= n {
		w = load64(s, i)
	}
	// The last 8 bytes: the word above, or the bytes after it, or after
	// the last 16, again in part.
	return (w|load64(s, n-8))&high == 0
}

// load32 returns the 4 bytes of s at i as a little-endian word.
func load32(s string, i int) uint64 {
	s = s[i : i+4]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24
}

// load64 returns the 8 bytes of s at i as a little-endian word, which the
// compiler makes one load where the machine allows.
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}
