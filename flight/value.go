package flight

import (
	"strconv"
	"unicode/utf8"

	"github.com/oops-go/oops"
)

// MaxValueLen bounds the length in bytes of a string in a rendered record or
// report attribute (Value, Truncate); past it the text is cut and a marker
// says how much was left out. Log records are for reading, and a report must
// stay small enough for every store.
const MaxValueLen = 64 << 10

// MaxElements bounds the number of elements of a list or map in a rendered
// attribute (Value); past it the rest is left out and counted.
const MaxElements = 1000

// Value turns an attribute value into plain data for a report, as oops.Plain
// does (a Stringer, error or MarshalText method that panics gives a
// placeholder, invalid UTF-8 becomes U+FFFD), with strings longer than
// MaxValueLen and lists or maps longer than MaxElements cut, a marker saying
// so. Both integrations render attributes with it.
func Value(v any) any {
	switch x := v.(type) {
	case string:
		return oops.ValidUTF8(Truncate(x))
	case []byte:
		if len(x) > MaxValueLen {
			cut := cutPoint(string(x[:MaxValueLen+1]))
			return oops.ValidUTF8(string(x[:cut])) + truncMarker(len(x)-cut)
		}
	}
	return bound(oops.Plain(v))
}

func bound(v any) any {
	switch x := v.(type) {
	case string:
		if len(x) <= MaxValueLen {
			return v // boxing the same string again would allocate
		}
		return Truncate(x)
	case []any:
		if len(x) > MaxElements {
			n := len(x) - MaxElements
			x = append(x[:MaxElements:MaxElements], "<"+strconv.Itoa(n)+" more elements left out>")
		}
		for i, e := range x {
			x[i] = bound(e)
		}
		return x
	case map[string]any:
		n, left := 0, 0
		for k, e := range x {
			if n >= MaxElements {
				delete(x, k)
				left++
				continue
			}
			n++
			x[k] = bound(e)
		}
		if left > 0 {
			x["…"] = "<" + strconv.Itoa(left) + " more keys left out>"
		}
		return x
	}
	return v
}

// Truncate returns s cut to at most MaxValueLen bytes, on a UTF-8 boundary,
// followed by a marker "…<truncated N bytes>" when anything was cut.
func Truncate(s string) string {
	if len(s) <= MaxValueLen {
		return s
	}
	cut := cutPoint(s)
	return s[:cut] + truncMarker(len(s)-cut)
}

// cutPoint returns where to cut s, longer than MaxValueLen, so as not to
// split a UTF-8 sequence.
func cutPoint(s string) int {
	cut := MaxValueLen
	for i := 0; i < utf8.UTFMax && cut > 0 && !utf8.RuneStart(s[cut]); i++ {
		cut--
	}
	return cut
}

func truncMarker(n int) string {
	return "…<truncated " + strconv.Itoa(n) + " bytes>"
}
