package oops

import (
	"encoding/hex"
	"errors"
	"fmt"
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
// by 32 lowercase hex digits. A Publisher checks a report's id with it before
// using the id as a file name or key (as datedir and oopsamqp do); ParseID is
// the lenient reading of an id a person pasted.
func ValidID(id string) bool {
	if len(id) != len(idPrefix)+32 || !strings.HasPrefix(id, idPrefix) {
		return false
	}
	// Bytes, not runes: a byte of a multi-byte rune is no hex digit either.
	for i := len(idPrefix); i < len(id); i++ {
		if c := id[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// ErrBadID is wrapped by ParseID's errors.
var ErrBadID = errors.New("oops: not an OOPS id")

// maxIDLen bounds the id part after "OOPS-": python-oops ids are md5 hex (32
// digits), older Launchpad ids are shorter, ours are 32 hex digits.
const maxIDLen = 64

// ParseID turns what people paste into the id a store looks up: surrounding
// spaces, quotes and punctuation trimmed; "OOPS-" optional and in any case;
// an id of 32 hex digits in any case (lowercased); or a URL whose last path
// element (or a query value) is one of those. Ids of other shapes, such as
// older python-oops ids, are kept as written when they start with "OOPS-"
// and go on with letters and digits only. The error wraps ErrBadID and quotes at most a
// short prefix of s.
func ParseID(s string) (string, error) {
	in := s
	s = strings.TrimSpace(s)
	s = strings.Trim(s, "\"'`<>()[]{}.,;:!")
	if i := strings.IndexAny(s, "?#"); i >= 0 && strings.Contains(s, "/") {
		// A URL: the id is in the path, else in the query (?id=OOPS-…).
		path, query := s[:i], s[i+1:]
		if id, err := ParseID(lastElem(path)); err == nil {
			return id, nil
		}
		for _, kv := range strings.FieldsFunc(query, func(r rune) bool { return r == '&' || r == ';' || r == '#' }) {
			_, v, _ := strings.Cut(kv, "=")
			if id, err := ParseID(v); err == nil {
				return id, nil
			}
		}
		return "", badID(in)
	}
	if strings.Contains(s, "/") {
		s = lastElem(s)
	}
	rest := s
	prefixed := len(rest) >= len(idPrefix) && strings.EqualFold(rest[:len(idPrefix)], idPrefix)
	if prefixed {
		rest = rest[len(idPrefix):]
	}
	if rest == "" || len(rest) > maxIDLen {
		return "", badID(in)
	}
	hexOnly := true
	for _, c := range rest {
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
		case c >= 'g' && c <= 'z', c >= 'G' && c <= 'Z':
			hexOnly = false
		default:
			return "", badID(in)
		}
	}
	switch {
	case hexOnly && len(rest) == 32:
		rest = strings.ToLower(rest)
	case !prefixed:
		// Without "OOPS-" only our own shape is an id: "passwd" is not.
		return "", badID(in)
	}
	return idPrefix + rest, nil
}

func lastElem(path string) string {
	path = strings.TrimRight(path, "/")
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		return path[i+1:]
	}
	return path
}

func badID(s string) error {
	const max = 80
	if len(s) > max {
		s = ValidUTF8(s[:max]) + "…"
	}
	return fmt.Errorf("%w: %q", ErrBadID, s)
}
