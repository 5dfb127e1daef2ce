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
	if wire.ASCII(s) || utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
