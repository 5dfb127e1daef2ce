package oops

import (
	"encoding"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oops-go/oops/internal/wire"
)

// maxPlainDepth bounds how deep Plain follows nested values.
const maxPlainDepth = 32

// plainPath holds the addresses of the maps, slices and pointers Plain is
// inside of, so that a value that contains itself is cut at once: a bound on
// depth alone would still let a map holding itself twice take 2^depth steps.
type plainPath []uintptr

// enter returns the path with ptr pushed, or false if ptr is already on it.
// Siblings overwrite each other's slot, which is what a stack wants.
func (p plainPath) enter(ptr uintptr) (plainPath, bool) {
	if ptr == 0 {
		return p, true
	}
	if slices.Contains(p, ptr) {
		return p, false
	}
	return append(p, ptr), true
}

const cyclePlaceholder = "<cycle>"

// Plain turns v into a value every report encoding can hold: nil, bool,
// string (valid UTF-8), int64, uint64, float64 (finite; NaN and infinities
// become strings), time.Time (of years 1 to 9999, which every reader,
// python's among them, can hold; other times become their RFC 3339 text),
// []any or map[string]any. Errors become their
// text, fmt.Stringer and encoding.TextMarshaler values their text (a method
// that panics gives a placeholder), structs and other values fmt's %+v. A
// map, slice or pointer met again inside itself becomes "<cycle>", and a
// value nested more than 32 deep "<too deep>". Integrations use it to put attribute values into Report.Attrs.
func Plain(v any) any { return plain(v, 0, nil) }

func plain(v any, depth int, path plainPath) (out any) {
	if depth > maxPlainDepth {
		return "<too deep>"
	}
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		return ValidUTF8(x)
	case bool, int64, uint64:
		return x
	case time.Time:
		if !wire.TimeOK(x) {
			return wire.FormatTime(x)
		}
		return x
	case int:
		return int64(x)
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case uint:
		return uint64(x)
	case uint8:
		return uint64(x)
	case uint16:
		return uint64(x)
	case uint32:
		return uint64(x)
	case float32:
		return plainFloat(float64(x))
	case float64:
		return plainFloat(x)
	case time.Duration:
		return x.String()
	case []byte:
		return ValidUTF8(string(x))
	case error:
		return ValidUTF8(ErrorText(x))
	case []any:
		path, ok := path.enter(reflect.ValueOf(x).Pointer())
		if !ok {
			return cyclePlaceholder
		}
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = plain(e, depth+1, path)
		}
		return s
	case map[string]any:
		path, ok := path.enter(reflect.ValueOf(x).Pointer())
		if !ok {
			return cyclePlaceholder
		}
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[ValidUTF8(k)] = plain(e, depth+1, path)
		}
		return m
	case fmt.Stringer:
		return safeText(func() string { return x.String() })
	case encoding.TextMarshaler:
		return safeText(func() string { b, err := x.MarshalText(); return string(b) + errSuffix(err) })
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map:
		if rv.IsNil() {
			return nil
		}
		var ok bool
		if path, ok = path.enter(rv.Pointer()); !ok {
			return cyclePlaceholder
		}
	}
	switch rv.Kind() {
	case reflect.Pointer:
		return plain(rv.Elem().Interface(), depth+1, path)
	case reflect.Slice, reflect.Array:
		s := make([]any, rv.Len())
		for i := range s {
			s[i] = plain(rv.Index(i).Interface(), depth+1, path)
		}
		return s
	case reflect.Map:
		m := make(map[string]any, rv.Len())
		it := rv.MapRange()
		for it.Next() {
			m[ValidUTF8(fmt.Sprint(it.Key().Interface()))] = plain(it.Value().Interface(), depth+1, path)
		}
		return m
	case reflect.String:
		return ValidUTF8(rv.String())
	case reflect.Bool:
		return rv.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return rv.Uint()
	case reflect.Float32, reflect.Float64:
		return plainFloat(rv.Float())
	}
	return safeText(func() string { return fmt.Sprintf("%+v", v) })
}

func plainFloat(f float64) any {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Sprint(f)
	}
	return f
}

func errSuffix(err error) string {
	if err == nil {
		return ""
	}
	return " <MarshalText error: " + ErrorText(err) + ">"
}

func safeText(f func() string) (s string) {
	defer func() {
		if r := recover(); r != nil {
			s = fmt.Sprintf("<panicked: %v>", r)
		}
	}()
	return ValidUTF8(f())
}

// ValidUTF8 returns s with each run of invalid UTF-8 bytes replaced by U+FFFD.
func ValidUTF8(s string) string {
	if isASCII(s) || utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// isASCII reports whether s is all ASCII, as most of what a report holds is
// (SQL, URLs, header values), checking 16 bytes at a time: utf8.ValidString
// assembles each word from single bytes, and encoding a report checks every
// string of it. The bytes past the last 16 are checked as one word that
// overlaps those before (or two, for a string of 4 to 7 bytes): most of a
// report's strings are keys and names shorter than 16 bytes.
func isASCII(s string) bool {
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
