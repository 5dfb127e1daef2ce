package oops

import "time"

// A WireKind is the Go type of a Report field, which decides how every
// encoding writes and reads it.
type WireKind uint8

// The kinds of Report's fields.
const (
	WireString    WireKind = iota + 1 // string
	WireTime                          // time.Time
	WireStringMap                     // map[string]string (req_vars)
	WireTimeline                      // []TimelineEntry
	WireFloat                         // float64 (duration; NaN and infinities are written as -1)
	WireMap                           // map[string]any (attrs)
	WireLog                           // []LogRecord
	WireInt                           // int
	WireBool                          // bool
)

// A WireField describes one of Report's fields on the wire. The list
// WireFields returns is the report's schema: the JSON encoder and decoder
// here, the BSON ones of the datedir store, WriteText and WireKeys are all
// driven by it, so that a field is never known to one and missing from
// another.
type WireField struct {
	Key    string   // the wire key, e.g. "tb_text"
	Name   string   // the Report field's Go name, e.g. "TBText"
	Kind   WireKind // its Go type
	Always bool     // written even when empty (id, time, duration); others only when set
	ptr    func(*Report) any
}

// Ptr returns a pointer to the field in r, of the type Kind names: *string,
// *time.Time, *map[string]string, *[]TimelineEntry, *float64,
// *map[string]any, *[]LogRecord, *int or *bool; nil for a WireField that
// WireFields did not give.
func (f WireField) Ptr(r *Report) any {
	if f.ptr == nil {
		return nil
	}
	return f.ptr(r)
}

// wireFields is the schema, in the order the encodings write the keys.
var wireFields = []WireField{
	{"id", "ID", WireString, true, func(r *Report) any { return &r.ID }},
	{"type", "Type", WireString, false, func(r *Report) any { return &r.Type }},
	{"value", "Value", WireString, false, func(r *Report) any { return &r.Value }},
	{"tb_text", "TBText", WireString, false, func(r *Report) any { return &r.TBText }},
	{"time", "Time", WireTime, true, func(r *Report) any { return &r.Time }},
	{"hostname", "Hostname", WireString, false, func(r *Report) any { return &r.Hostname }},
	{"reporter", "Reporter", WireString, false, func(r *Report) any { return &r.Reporter }},
	{"topic", "Topic", WireString, false, func(r *Report) any { return &r.Topic }},
	{"url", "URL", WireString, false, func(r *Report) any { return &r.URL }},
	{"username", "Username", WireString, false, func(r *Report) any { return &r.Username }},
	{"branch_nick", "BranchNick", WireString, false, func(r *Report) any { return &r.BranchNick }},
	{"revno", "Revno", WireString, false, func(r *Report) any { return &r.Revno }},
	{"req_vars", "ReqVars", WireStringMap, false, func(r *Report) any { return &r.ReqVars }},
	{"timeline", "Timeline", WireTimeline, false, func(r *Report) any { return &r.Timeline }},
	{"duration", "Duration", WireFloat, true, func(r *Report) any { return &r.Duration }},
	{"level", "Level", WireString, false, func(r *Report) any { return &r.Level }},
	{"msg", "Msg", WireString, false, func(r *Report) any { return &r.Msg }},
	{"attrs", "Attrs", WireMap, false, func(r *Report) any { return &r.Attrs }},
	{"log", "Log", WireLog, false, func(r *Report) any { return &r.Log }},
	{"signature", "Signature", WireString, false, func(r *Report) any { return &r.Signature }},
	{"trace_id", "TraceID", WireString, false, func(r *Report) any { return &r.TraceID }},
	{"span_id", "SpanID", WireString, false, func(r *Report) any { return &r.SpanID }},
	{"trace_flags", "TraceFlags", WireInt, false, func(r *Report) any { return &r.TraceFlags }},
	{"timeline_dropped", "TimelineDropped", WireInt, false, func(r *Report) any { return &r.TimelineDropped }},
	{"suppressed", "Suppressed", WireInt, false, func(r *Report) any { return &r.Suppressed }},
	{"resource", "Resource", WireString, false, func(r *Report) any { return &r.Resource }},
	{"revision", "Revision", WireInt, false, func(r *Report) any { return &r.Revision }},
	{"pending", "Pending", WireBool, false, func(r *Report) any { return &r.Pending }},
}

// wireKeys and wireIndex are derived from wireFields.
var (
	wireKeys  = make([]string, len(wireFields))
	wireIndex = make(map[string]int, len(wireFields))
)

func init() {
	for i, f := range wireFields {
		wireKeys[i] = f.Key
		wireIndex[f.Key] = i
	}
}

// WireFields returns the report's schema: one WireField per Report field
// but Extra, in the order the encodings write them. The slice is a fresh
// copy.
func WireFields() []WireField { return append([]WireField(nil), wireFields...) }

// WireKeys returns the wire names of Report's fields, a fresh slice each
// time. Extra keys with these names are ignored when a report is encoded.
func WireKeys() []string { return append([]string(nil), wireKeys...) }

// isWireKey reports whether k is the wire name of one of Report's fields.
func isWireKey(k string) bool {
	_, ok := wireIndex[k]
	return ok
}

// WireFieldOf returns the field whose wire key is k.
func WireFieldOf(k string) (WireField, bool) {
	i, ok := wireIndex[k]
	if !ok {
		return WireField{}, false
	}
	return wireFields[i], true
}

// IsZero reports whether the field f of r is empty, and so left out when
// not Always.
func (f WireField) IsZero(r *Report) bool {
	switch p := f.Ptr(r).(type) {
	case *string:
		return *p == ""
	case *time.Time:
		return p.IsZero()
	case *map[string]string:
		return len(*p) == 0
	case *[]TimelineEntry:
		return len(*p) == 0
	case *float64:
		return *p == 0
	case *map[string]any:
		return len(*p) == 0
	case *[]LogRecord:
		return len(*p) == 0
	case *int:
		return *p == 0
	case *bool:
		return !*p
	}
	return true
}
