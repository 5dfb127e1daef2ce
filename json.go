package oops

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/oops-go/oops/internal/wire"
)

// MarshalJSON encodes r as one JSON object with the wire keys of
// WireFields, in that order (well-known keys that are empty are left out,
// except id, time and duration), then Extra's keys in sorted order. Times are
// RFC 3339; a time whose year is outside 1 to 9999 is written as the same
// text with a wider year, which UnmarshalJSON reads back. Attribute and Extra
// values that encoding/json cannot encode, or nested deeper than Plain
// follows, are written as Plain makes them, and a NaN or infinite duration as
// -1 (unknown).
//
// The receiver is a value so that json.Marshal(report) and a Report inside a
// map use the wire keys too, not only a *Report.
func (r Report) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 512+96*len(r.Timeline))
	b = append(b, '{')
	first := true
	var err error
	for _, f := range wireFields {
		if !f.Always && f.IsZero(&r) {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendJSONString(b, f.Key)
		b = append(b, ':')
		if b, err = appendJSONField(b, f.ptr(&r)); err != nil {
			return nil, fmt.Errorf("oops: encoding report %s key %q: %w", wire.QuoteID(r.ID), f.Key, err)
		}
	}
	if len(r.Extra) > 0 {
		keys := make([]string, 0, len(r.Extra))
		for k := range r.Extra {
			if !isWireKey(k) {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			b = append(b, ',')
			b = appendJSONString(b, k)
			b = append(b, ':')
			if b, err = appendJSONValue(b, r.Extra[k]); err != nil {
				return nil, fmt.Errorf("oops: encoding report %s extra key %q: %w", wire.QuoteID(r.ID), ValidUTF8(k), err)
			}
		}
	}
	return append(b, '}'), nil
}

// appendJSONField appends the value of a field, p being WireField.Ptr's.
func appendJSONField(b []byte, p any) ([]byte, error) {
	switch v := p.(type) {
	case *string:
		return appendJSONString(b, *v), nil
	case *time.Time:
		return appendJSONTime(b, *v), nil
	case *map[string]string:
		return appendJSONStringMap(b, *v), nil
	case *[]TimelineEntry:
		b = append(b, '[')
		for i, e := range *v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendTimelineEntry(b, e)
		}
		return append(b, ']'), nil
	case *float64:
		f := *v
		if math.IsNaN(f) || math.IsInf(f, 0) {
			f = -1
		}
		return appendJSONFloat(b, f), nil
	case *map[string]any:
		return appendJSONValue(b, *v)
	case *[]LogRecord:
		b = append(b, '[')
		for i, l := range *v {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = l.appendJSON(b); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case *int:
		return strconv.AppendInt(b, int64(*v), 10), nil
	case *bool:
		return strconv.AppendBool(b, *v), nil
	}
	return nil, fmt.Errorf("no JSON form for %T", p)
}

// appendJSONTime appends t as encoding/json writes a time.Time, or, when its
// year is outside what RFC 3339 and python hold, as the wider text
// wire.FormatTime gives.
func appendJSONTime(b []byte, t time.Time) []byte {
	if !wire.TimeOK(t) {
		return appendJSONString(b, wire.FormatTime(t))
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

func appendJSONStringMap(b []byte, m map[string]string) []byte {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		b = appendJSONString(b, m[k])
	}
	return append(b, '}')
}

// appendJSONFloat appends f as encoding/json does.
func appendJSONFloat(b []byte, f float64) []byte {
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// appendJSONValue appends an attribute or Extra value: as encoding/json
// writes it when it can, else (a channel, a NaN, a cycle, a time of year
// 10000, nesting deeper than Plain follows) as Plain makes it.
func appendJSONValue(b []byte, v any) ([]byte, error) {
	if !tooDeep(v, 0) {
		if vb, err := json.Marshal(v); err == nil {
			return append(b, vb...), nil
		}
	}
	vb, err := json.Marshal(Plain(v))
	if err != nil {
		return nil, err
	}
	return append(b, vb...), nil
}

// tooDeep reports whether v nests maps and lists deeper than Plain follows,
// which a JSON reader may refuse (encoding/json stops at 10,000) and Plain
// cuts.
func tooDeep(v any, depth int) bool {
	if depth > maxPlainDepth {
		return true
	}
	switch x := v.(type) {
	case map[string]any:
		for _, e := range x {
			if tooDeep(e, depth+1) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if tooDeep(e, depth+1) {
				return true
			}
		}
	}
	return false
}

// appendJSON appends l as {"time":…,"level":…,"msg":…,"attrs":…}, attrs
// left out when empty.
func (l LogRecord) appendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"time":`...)
	b = appendJSONTime(b, l.Time)
	b = append(b, `,"level":`...)
	b = appendJSONString(b, l.Level)
	b = append(b, `,"msg":`...)
	b = appendJSONString(b, l.Msg)
	if len(l.Attrs) > 0 {
		b = append(b, `,"attrs":`...)
		var err error
		if b, err = appendJSONValue(b, l.Attrs); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

// MarshalJSON encodes l as a document with the keys time, level, msg and
// attrs (left out when empty), with the rules of Report.MarshalJSON.
func (l LogRecord) MarshalJSON() ([]byte, error) { return l.appendJSON(make([]byte, 0, 128)) }

// UnmarshalJSON decodes a log record as MarshalJSON writes it, with the
// leniency of Report.UnmarshalJSON: numbers in attrs keep their exact value.
func (l *LogRecord) UnmarshalJSON(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	*l = LogRecord{}
	for k, v := range raw {
		var err error
		switch k {
		case "time":
			l.Time, err = unmarshalTime(v)
		case "level":
			l.Level, err = unmarshalStringish(v)
		case "msg":
			l.Msg, err = unmarshalStringish(v)
		case "attrs":
			l.Attrs, err = unmarshalMap(v)
		}
		if err != nil {
			return fmt.Errorf("key %q: %w", k, err)
		}
	}
	return nil
}

// UnmarshalJSON decodes a report encoded by MarshalJSON, or by python-oops
// tools, with the rules the datedir store's BSON decoder follows too: unknown
// keys go to Extra; a string key may hold a number, a boolean or null;
// req_vars may be a document or a list of pairs, and a pair that is not one
// is kept under a key of its own rather than failing the report; timeline
// entries may have four to six elements; time may be an ISO 8601 text without
// a zone (taken as UTC) or with a space before the clock. Integers in attrs,
// log attrs and Extra come back exactly, as int64 (uint64 above its range),
// other numbers as float64. A well-known key whose value is not of its type
// leaves its field empty and is kept in Extra under UndecodableKey(key).
// Only data that is not a JSON object is an error.
func (r *Report) UnmarshalJSON(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return fmt.Errorf("oops: decoding report: %w", err)
	}
	*r = Report{Duration: -1}
	for k, v := range raw {
		if i, ok := wireIndex[k]; ok {
			f := wireFields[i]
			if err := unmarshalJSONField(f.ptr(r), v); err == nil {
				continue
			}
			// A bad part never hides the rest: keep it, under a key of
			// its own, and leave the field empty.
			resetField(f.ptr(r))
			k = UndecodableKey(k)
		}
		x, err := unmarshalAny(v)
		if err != nil {
			return fmt.Errorf("oops: decoding report key %q: %w", k, err)
		}
		if r.Extra == nil {
			r.Extra = make(map[string]any)
		}
		r.Extra[k] = x
	}
	return nil
}

// UndecodableKey is the Extra key under which report decoders keep the value
// of the well-known key k when it is not of k's type (a timeline that is a
// string, say): the rest of the report is read, and that value is not lost.
func UndecodableKey(k string) string { return "undecodable_" + k }

// resetField empties the field p points to (WireField.Ptr), a duration to
// -1 (unknown).
func resetField(p any) {
	switch f := p.(type) {
	case *string:
		*f = ""
	case *time.Time:
		*f = time.Time{}
	case *map[string]string:
		*f = nil
	case *[]TimelineEntry:
		*f = nil
	case *float64:
		*f = -1
	case *map[string]any:
		*f = nil
	case *[]LogRecord:
		*f = nil
	case *int:
		*f = 0
	case *bool:
		*f = false
	}
}

func isNull(v json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(v), []byte("null")) }

// unmarshalJSONField decodes v into the field p points to (WireField.Ptr).
func unmarshalJSONField(p any, v json.RawMessage) (err error) {
	switch f := p.(type) {
	case *string:
		*f, err = unmarshalStringish(v)
	case *time.Time:
		*f, err = unmarshalTime(v)
	case *map[string]string:
		*f, err = unmarshalReqVars(v)
	case *[]TimelineEntry:
		err = json.Unmarshal(v, f)
	case *float64:
		if isNull(v) {
			*f = -1
			return nil
		}
		err = json.Unmarshal(v, f)
	case *map[string]any:
		*f, err = unmarshalMap(v)
	case *[]LogRecord:
		err = json.Unmarshal(v, f)
	case *int:
		if isNull(v) {
			*f = 0
			return nil
		}
		err = json.Unmarshal(v, f)
	case *bool:
		if isNull(v) {
			*f = false
			return nil
		}
		err = json.Unmarshal(v, f)
	default:
		err = fmt.Errorf("no JSON form for %T", p)
	}
	return err
}

// unmarshalAny decodes v keeping integers exact (see exactNumbers).
func unmarshalAny(v json.RawMessage) (any, error) {
	d := json.NewDecoder(bytes.NewReader(v))
	d.UseNumber()
	var x any
	if err := d.Decode(&x); err != nil {
		return nil, err
	}
	return exactNumbers(x), nil
}

func unmarshalMap(v json.RawMessage) (map[string]any, error) {
	if isNull(v) {
		return nil, nil
	}
	x, err := unmarshalAny(v)
	if err != nil {
		return nil, err
	}
	m, ok := x.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("want an object, got %s", jsonKind(x))
	}
	return m, nil
}

func jsonKind(x any) string {
	switch x.(type) {
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number, int64, uint64, float64:
		return "a number"
	case bool:
		return "a boolean"
	}
	return "null"
}

// exactNumbers replaces the json.Numbers in x, in place, by int64 when they
// are integers that fit, uint64 for larger positive ones, and float64
// otherwise: a float64 would change integers beyond 2^53.
func exactNumbers(x any) any {
	switch v := x.(type) {
	case json.Number:
		s := string(v)
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			if n == 0 && s[0] == '-' {
				return math.Copysign(0, -1) // "-0" is the float encoding/json writes for -0.0
			}
			return n
		}
		if n, err := strconv.ParseUint(s, 10, 64); err == nil {
			return n
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			// Out of float64's range: keep the digits rather than ±Inf.
			return s
		}
		return f
	case map[string]any:
		for k, e := range v {
			v[k] = exactNumbers(e)
		}
	case []any:
		for i, e := range v {
			v[i] = exactNumbers(e)
		}
	}
	return x
}

// pythonTimeLayouts are the shapes python's datetime.isoformat and str give,
// with or without a zone, after RFC 3339 itself.
var pythonTimeLayouts = []string{
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
}

func unmarshalTime(v json.RawMessage) (time.Time, error) {
	if isNull(v) {
		return time.Time{}, nil
	}
	var t time.Time
	err := json.Unmarshal(v, &t)
	if err == nil {
		return t, nil
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		return time.Time{}, err
	}
	for _, layout := range pythonTimeLayouts {
		if t, perr := time.Parse(layout, s); perr == nil {
			return t, nil
		}
	}
	if t, perr := wire.ParseTime(s); perr == nil {
		return t, nil
	}
	return time.Time{}, err
}

// unmarshalStringish reads a string key; python writes None for unset keys,
// and numbers (revno above all) or booleans where a string is meant.
func unmarshalStringish(v json.RawMessage) (string, error) {
	if len(v) > 0 && v[0] == '"' {
		var s string
		err := json.Unmarshal(v, &s)
		return s, err
	}
	x, err := unmarshalAny(v)
	if err != nil {
		return "", err
	}
	switch s := x.(type) {
	case string:
		return s, nil
	case nil:
		return "", nil
	case int64, uint64, float64, bool:
		return fmt.Sprint(s), nil
	}
	return "", fmt.Errorf("want a string, got %s", jsonKind(x))
}

// unmarshalReqVars reads a document, or the list of [name, value] pairs older
// python reports hold. Values that are not strings are kept as their text.
// An element of the list that is not a pair of two is not a reason to lose
// the report: it is kept whole, as its JSON text, under a key naming its
// place ("#3"). The datedir store's BSON decoder follows the same rule.
func unmarshalReqVars(v json.RawMessage) (map[string]string, error) {
	x, err := unmarshalAny(v)
	if err != nil {
		return nil, err
	}
	switch m := x.(type) {
	case nil:
		return nil, nil
	case map[string]any:
		out := make(map[string]string, len(m))
		for k, e := range m {
			out[k] = varString(e)
		}
		return out, nil
	case []any:
		out := make(map[string]string, len(m))
		for i, p := range m {
			if kv, ok := p.([]any); ok && len(kv) == 2 {
				out[varString(kv[0])] = varString(kv[1])
				continue
			}
			out[BadPairKey(i)] = varString(p)
		}
		return out, nil
	}
	return nil, fmt.Errorf("req_vars is neither a document nor a list of pairs, but %s", jsonKind(x))
}

// BadPairKey is the req_vars key under which a report decoder keeps the
// element i of a req_vars list that is not a [name, value] pair.
func BadPairKey(i int) string { return "#" + strconv.Itoa(i) }

// varString turns a decoded request variable into its text; null is "",
// lists and objects their JSON text.
func varString(x any) string {
	switch v := x.(type) {
	case nil:
		return ""
	case string:
		return v
	case map[string]any, []any:
		if b, err := json.Marshal(v); err == nil {
			return string(b)
		}
	}
	return fmt.Sprint(x)
}

// MarshalJSON encodes e as [start_ms, end_ms, category, detail, backtrace]
// with the error appended as a sixth element when there is one.
func (e TimelineEntry) MarshalJSON() ([]byte, error) {
	return appendTimelineEntry(make([]byte, 0, 96), e), nil
}

func appendTimelineEntry(b []byte, e TimelineEntry) []byte {
	b = append(b, '[')
	b = appendOffset(b, e.Start)
	b = append(b, ',')
	b = appendOffset(b, e.End)
	b = append(b, ',')
	b = appendJSONString(b, e.Category)
	b = append(b, ',')
	b = appendJSONString(b, e.Detail)
	if e.Backtrace == nil {
		b = append(b, ",null"...)
	} else {
		b = append(b, ',')
		b = appendJSONString(b, *e.Backtrace)
	}
	if e.Error != "" {
		b = append(b, ',')
		b = appendJSONString(b, e.Error)
	}
	return append(b, ']')
}

// appendJSONString appends s as a JSON string exactly as encoding/json writes
// it: <, > and & escaped for HTML, invalid UTF-8 as U+FFFD, U+2028 and U+2029
// escaped.
func appendJSONString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// UnmarshalJSON decodes a timeline entry of four to six elements; offsets may
// be floats, as some python tools write them.
func (e *TimelineEntry) UnmarshalJSON(data []byte) error {
	var s []any
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("oops: timeline entry: %w", err)
	}
	return e.FromList(s)
}

// FromList fills e from a decoded wire list ([start, end, category, detail,
// backtrace?, error?]); store decoders share it.
func (e *TimelineEntry) FromList(s []any) error {
	if len(s) < 4 || len(s) > 6 {
		return fmt.Errorf("oops: timeline entry has %d elements, want 4 to 6", len(s))
	}
	*e = TimelineEntry{}
	var err error
	if e.Start, err = offset(s[0]); err != nil {
		return fmt.Errorf("oops: timeline entry start %v: %w", s[0], err)
	}
	if e.End, err = offset(s[1]); err != nil {
		return fmt.Errorf("oops: timeline entry end %v: %w", s[1], err)
	}
	e.Category = fmt.Sprint(s[2])
	e.Detail = fmt.Sprint(s[3])
	if len(s) > 4 && s[4] != nil {
		bt := fmt.Sprint(s[4])
		e.Backtrace = &bt
	}
	if len(s) > 5 && s[5] != nil {
		e.Error = fmt.Sprint(s[5])
	}
	return nil
}

// offset reads a wire offset in milliseconds, whole or not.
func offset(v any) (time.Duration, error) {
	switch n := v.(type) {
	case float64:
		return wire.OffsetFromMillis(n)
	case float32:
		return wire.OffsetFromMillis(float64(n))
	case int64:
		return wire.OffsetFromMillis(float64(n))
	case int32:
		return wire.OffsetFromMillis(float64(n))
	case int:
		return wire.OffsetFromMillis(float64(n))
	case json.Number:
		f, err := n.Float64()
		if err != nil {
			return 0, wire.ErrBadOffset
		}
		return wire.OffsetFromMillis(f)
	}
	return 0, errors.New("not a number")
}
