package oops

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
	"unicode/utf8"
)

// wireReport is the JSON shape of a Report, with the wire names python-oops
// and the package documentation give. Well-known keys that are empty are left out, except id, time and
// duration. The timeline is not here: MarshalJSON writes it itself, because
// encoding/json would scan every entry's Marshaler output again.
type wireReport struct {
	ID              string            `json:"id"`
	Type            string            `json:"type,omitempty"`
	Value           string            `json:"value,omitempty"`
	TBText          string            `json:"tb_text,omitempty"`
	Time            time.Time         `json:"time"`
	Hostname        string            `json:"hostname,omitempty"`
	Reporter        string            `json:"reporter,omitempty"`
	Topic           string            `json:"topic,omitempty"`
	URL             string            `json:"url,omitempty"`
	Username        string            `json:"username,omitempty"`
	BranchNick      string            `json:"branch_nick,omitempty"`
	Revno           string            `json:"revno,omitempty"`
	ReqVars         map[string]string `json:"req_vars,omitempty"`
	Duration        float64           `json:"duration"`
	Level           string            `json:"level,omitempty"`
	Msg             string            `json:"msg,omitempty"`
	Attrs           map[string]any    `json:"attrs,omitempty"`
	Log             []LogRecord       `json:"log,omitempty"`
	Signature       string            `json:"signature,omitempty"`
	TraceID         string            `json:"trace_id,omitempty"`
	SpanID          string            `json:"span_id,omitempty"`
	TimelineDropped int               `json:"timeline_dropped,omitempty"`
	Suppressed      int               `json:"suppressed,omitempty"`
	Resource        string            `json:"resource,omitempty"`
	Revision        int               `json:"revision,omitempty"`
	Pending         bool              `json:"pending,omitempty"`
}

// WireKeys lists the wire names of Report's fields. Extra keys with these
// names are ignored when a report is encoded.
var WireKeys = []string{
	"id", "type", "value", "tb_text", "time", "hostname", "reporter", "topic", "url", "username",
	"branch_nick", "revno", "req_vars", "timeline", "duration", "level", "msg", "attrs", "log",
	"signature", "trace_id", "span_id", "timeline_dropped", "suppressed", "resource", "revision",
	"pending",
}

// IsWireKey reports whether k is the wire name of one of Report's fields.
func IsWireKey(k string) bool { return slices.Contains(WireKeys, k) }

// MarshalJSON encodes r as one JSON object with the wire keys, the time in
// RFC 3339, and Extra's keys beside them. Attribute and Extra values that
// encoding/json cannot encode are written as Plain makes them, and a NaN or
// infinite duration as -1 (unknown).
//
// The receiver is a value so that json.Marshal(report) and a Report inside a
// map use the wire keys too, not only a *Report.
func (r Report) MarshalJSON() ([]byte, error) {
	w := wireReport{
		ID: r.ID, Type: r.Type, Value: r.Value, TBText: r.TBText, Time: r.Time,
		Hostname: r.Hostname, Reporter: r.Reporter, Topic: r.Topic, URL: r.URL, Username: r.Username,
		BranchNick: r.BranchNick, Revno: r.Revno, ReqVars: r.ReqVars,
		Duration: r.Duration, Level: r.Level, Msg: r.Msg, Attrs: r.Attrs, Log: r.Log,
		Signature: r.Signature, TraceID: r.TraceID, SpanID: r.SpanID,
		TimelineDropped: r.TimelineDropped, Suppressed: r.Suppressed,
		Resource: r.Resource, Revision: r.Revision, Pending: r.Pending,
	}
	if math.IsNaN(w.Duration) || math.IsInf(w.Duration, 0) {
		w.Duration = -1
	}
	b, err := json.Marshal(w)
	if err != nil {
		// An attribute holds something encoding/json refuses (a channel, a
		// NaN, a cycle): encode the plain form instead of losing the report.
		w.Attrs = plainMap(r.Attrs)
		w.Log = plainLog(r.Log)
		if b, err = json.Marshal(w); err != nil {
			return nil, fmt.Errorf("oops: encoding report %s: %w", r.ID, err)
		}
	}
	var eb []byte // Extra's keys as a JSON object
	if len(r.Extra) > 0 {
		extra := make(map[string]any, len(r.Extra))
		for k, v := range r.Extra {
			if !IsWireKey(k) {
				extra[k] = v
			}
		}
		if len(extra) > 0 {
			if eb, err = json.Marshal(extra); err != nil {
				if eb, err = json.Marshal(plainMap(extra)); err != nil {
					return nil, fmt.Errorf("oops: encoding report %s extra: %w", r.ID, err)
				}
			}
		}
	}
	if len(r.Timeline) == 0 && len(eb) == 0 {
		return b, nil
	}
	// Splice {"id":…}, the timeline and {"x":…} into {"id":…,"timeline":[…],"x":…}.
	out := make([]byte, 0, len(b)+len(eb)+len(`,"timeline":[]`)+96*len(r.Timeline))
	out = append(out, b[:len(b)-1]...)
	if len(r.Timeline) > 0 {
		out = append(out, `,"timeline":[`...)
		for i, e := range r.Timeline {
			if i > 0 {
				out = append(out, ',')
			}
			out = appendTimelineEntry(out, e)
		}
		out = append(out, ']')
	}
	if len(eb) > 0 {
		out = append(out, ',')
		out = append(out, eb[1:len(eb)-1]...)
	}
	return append(out, '}'), nil
}

func plainMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	return Plain(m).(map[string]any)
}

func plainLog(l []LogRecord) []LogRecord {
	out := slices.Clone(l)
	for i := range out {
		out[i].Attrs = plainMap(out[i].Attrs)
	}
	return out
}

// UnmarshalJSON decodes a report encoded by MarshalJSON, or by python-oops
// tools: unknown keys go to Extra, req_vars may also be a list of pairs,
// timeline entries may have four to six elements, and time may be an ISO 8601
// text without a zone (taken as UTC) or with a space before the clock.
func (r *Report) UnmarshalJSON(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return fmt.Errorf("oops: decoding report: %w", err)
	}
	*r = Report{Duration: -1}
	for k, v := range raw {
		var err error
		switch k {
		case "id":
			err = json.Unmarshal(v, &r.ID)
		case "type":
			err = json.Unmarshal(v, &r.Type)
		case "value":
			err = json.Unmarshal(v, &r.Value)
		case "tb_text":
			err = json.Unmarshal(v, &r.TBText)
		case "time":
			r.Time, err = unmarshalTime(v)
		case "hostname":
			err = json.Unmarshal(v, &r.Hostname)
		case "reporter":
			err = json.Unmarshal(v, &r.Reporter)
		case "topic":
			err = json.Unmarshal(v, &r.Topic)
		case "url":
			err = json.Unmarshal(v, &r.URL)
		case "username":
			err = json.Unmarshal(v, &r.Username)
		case "branch_nick":
			err = json.Unmarshal(v, &r.BranchNick)
		case "revno":
			err = unmarshalStringish(v, &r.Revno)
		case "req_vars":
			r.ReqVars, err = unmarshalReqVars(v)
		case "timeline":
			err = json.Unmarshal(v, &r.Timeline)
		case "duration":
			err = json.Unmarshal(v, &r.Duration)
		case "level":
			err = json.Unmarshal(v, &r.Level)
		case "msg":
			err = json.Unmarshal(v, &r.Msg)
		case "attrs":
			err = json.Unmarshal(v, &r.Attrs)
		case "log":
			err = json.Unmarshal(v, &r.Log)
		case "signature":
			err = json.Unmarshal(v, &r.Signature)
		case "trace_id":
			err = json.Unmarshal(v, &r.TraceID)
		case "span_id":
			err = json.Unmarshal(v, &r.SpanID)
		case "timeline_dropped":
			err = json.Unmarshal(v, &r.TimelineDropped)
		case "suppressed":
			err = json.Unmarshal(v, &r.Suppressed)
		case "resource":
			err = json.Unmarshal(v, &r.Resource)
		case "revision":
			err = json.Unmarshal(v, &r.Revision)
		case "pending":
			err = json.Unmarshal(v, &r.Pending)
		default:
			var x any
			err = json.Unmarshal(v, &x)
			if r.Extra == nil {
				r.Extra = make(map[string]any)
			}
			r.Extra[k] = x
		}
		if err != nil {
			return fmt.Errorf("oops: decoding report key %q: %w", k, err)
		}
	}
	return nil
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
	return time.Time{}, err
}

func unmarshalStringish(v json.RawMessage, dst *string) error {
	if err := json.Unmarshal(v, dst); err == nil {
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(v, &n); err != nil {
		return err
	}
	*dst = n.String()
	return nil
}

func unmarshalReqVars(v json.RawMessage) (map[string]string, error) {
	if bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
		return nil, nil
	}
	var m map[string]any
	if err := json.Unmarshal(v, &m); err == nil {
		out := make(map[string]string, len(m))
		for k, x := range m {
			out[k] = varString(x)
		}
		return out, nil
	}
	var pairs [][2]any
	if err := json.Unmarshal(v, &pairs); err != nil {
		return nil, fmt.Errorf("req_vars is neither a document nor a list of pairs: %w", err)
	}
	out := make(map[string]string, len(pairs))
	for _, p := range pairs {
		out[varString(p[0])] = varString(p[1])
	}
	return out, nil
}

// varString turns a decoded request variable into its text; null is "".
func varString(x any) string {
	if x == nil {
		return ""
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
		return OffsetFromMillis(n)
	case float32:
		return OffsetFromMillis(float64(n))
	case int64:
		return OffsetFromMillis(float64(n))
	case int32:
		return OffsetFromMillis(float64(n))
	case int:
		return OffsetFromMillis(float64(n))
	case json.Number:
		f, err := n.Float64()
		if err != nil {
			return 0, errBadOffset
		}
		return OffsetFromMillis(f)
	}
	return 0, errors.New("not a number")
}
