// Package detail renders kept log records as timeline details, the one-line
// text flight.Detail makes, straight from the record's attributes, without
// the attributes maps flight.Render builds.
package detail

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// An Attr is one key=value of a detail: its key as the record's attributes
// map would hold it, and its value, formatted as flight.Detail formats it
// (see Text), or a number Flat formats so, without a string of its own.
type Attr struct {
	Key   string
	Value string // the formatted value, when kind is textKind
	kind  uint8
	bits  uint64 // an intKind, uintKind or floatKind value
}

const (
	textKind uint8 = iota
	intKind
	uintKind
	floatKind
)

// String returns an Attr whose value is formatted already.
func String(key, value string) Attr { return Attr{Key: key, Value: value} }

// Int returns an Attr of an integer, formatted as fmt.Sprint formats it.
func Int(key string, v int64) Attr { return Attr{Key: key, kind: intKind, bits: uint64(v)} }

// Uint returns an Attr of an unsigned integer, formatted as fmt.Sprint
// formats it.
func Uint(key string, v uint64) Attr { return Attr{Key: key, kind: uintKind, bits: v} }

// Float returns an Attr of a float, formatted as fmt.Sprint formats it
// (NaN and the infinities too).
func Float(key string, v float64) Attr {
	return Attr{Key: key, kind: floatKind, bits: math.Float64bits(v)}
}

// Flat returns what flight.Detail returns for a record with message msg
// whose attributes map holds attrs, none of them a group: attrs in key order,
// the last of several with one key beating the others (as it would in the
// map). It sorts attrs in place.
func Flat(msg string, attrs []Attr) string {
	slices.SortStableFunc(attrs, func(a, b Attr) int { return strings.Compare(a.Key, b.Key) })
	n := len(msg)
	for _, a := range attrs {
		n += len(a.Key) + len(a.Value) + 4 // ' ', '=' and, often enough, quotes
		if a.kind != textKind {
			n += 20
		}
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(msg)
	var num [32]byte
	for i, a := range attrs {
		if i+1 < len(attrs) && attrs[i+1].Key == a.Key {
			continue // a later attribute has the key
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(a.Key)
		b.WriteByte('=')
		switch a.kind {
		case intKind:
			// Numbers never need quotes: digits, signs, '.', 'e', NaN, Inf.
			b.Write(strconv.AppendInt(num[:0], int64(a.bits), 10))
		case uintKind:
			b.Write(strconv.AppendUint(num[:0], a.bits, 10))
		case floatKind:
			b.Write(strconv.AppendFloat(num[:0], math.Float64frombits(a.bits), 'g', -1, 64))
		default:
			b.WriteString(Quote(a.Value))
		}
	}
	return b.String()
}

// Quote returns s as a detail shows a value: quoted (strconv.Quote) when it
// is empty or holds a space, a control character, '"', '=' or U+FFFD.
func Quote(s string) string {
	if needsQuote(s) {
		return strconv.Quote(s)
	}
	return s
}

func needsQuote(s string) bool {
	if s == "" {
		return true
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c == '"' || c == '=' || c == 0x7f {
			return true
		}
		if c >= 0x80 {
			// Only U+FFFD (EF BF BD), which invalid UTF-8 also decodes to,
			// is quoted among the runes past ASCII.
			return strings.ContainsFunc(s[i:], func(r rune) bool {
				return r <= ' ' || r == '"' || r == '=' || r == 0x7f || r == '\uFFFD'
			})
		}
	}
	return false
}

// Text formats a plain scalar value (a string, a bool, an int64, a uint64, a
// float64, a time.Time) as fmt.Sprint does, which is how flight.Detail
// formats values; ok is false for anything else, which the caller renders
// the long way.
func Text(v any) (s string, ok bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case int64:
		return strconv.FormatInt(x, 10), true
	case uint64:
		return strconv.FormatUint(x, 10), true
	case bool:
		return strconv.FormatBool(x), true
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), true
	case time.Time:
		return x.String(), true
	}
	return "", false
}
