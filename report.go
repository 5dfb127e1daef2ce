package oops

import (
	"maps"
	"time"
)

// A Report is one OOPS: a self-contained record of one thing that went wrong.
// Its fields are the well-known python-oops keys (their wire names are given
// in each field's comment) and Go extensions; Extra holds anything else.
type Report struct {
	ID         string            // id: "OOPS-" + 32 lowercase hex digits
	Type       string            // type: the error's most specific type, or the level name
	Value      string            // value: the error text, or the log message
	TBText     string            // tb_text: the traceback, in goroutine-dump format
	Time       time.Time         // time: when it happened, UTC
	Hostname   string            // hostname
	Reporter   string            // reporter: the service instance that made the report
	Topic      string            // topic: the route pattern or job name
	URL        string            // url
	Username   string            // username
	BranchNick string            // branch_nick
	Revno      string            // revno
	ReqVars    map[string]string // req_vars: request variables, secrets hidden
	Timeline   []TimelineEntry   // timeline
	Duration   float64           // duration: seconds; -1 when unknown

	// Go extensions.
	Level           string         // level: the log level ("ERROR", "WARN")
	Msg             string         // msg: the log message (a template, not formatted)
	Attrs           map[string]any // attrs: the log record's attributes
	Log             []LogRecord    // log: records kept by a flight recorder, logged without a request context
	Signature       string         // signature: groups reports of the same problem
	TraceID         string         // trace_id: the trace the failure happened in
	SpanID          string         // span_id: the span the failure happened in
	TraceFlags      int            // trace_flags: that span's W3C trace flags (bit 0: sampled)
	TimelineDropped int            // timeline_dropped: entries the timeline's cap dropped
	Suppressed      int            // suppressed: reports of this signature not published
	Resource        string         // resource: what the failure concerns ("order/8123"); see WithResource
	Revision        int            // revision: 0 when first published, n at the nth republication (see the package doc)
	Pending         bool           // pending: its maker will publish this id again, completed

	// Extra holds keys that are not fields above. Keys that collide with a
	// field's wire name are ignored when encoding.
	Extra map[string]any
}

// A TimelineEntry is one step of a report's timeline. On the wire it is the
// list [start_ms, end_ms, category, detail, backtrace-or-null], followed by
// the error text as a sixth element only when the step failed. The offsets
// are milliseconds: a whole number when the offset is a whole millisecond (as
// python-oops writes them), else a double with microsecond precision, which
// python's tools read as a number too.
type TimelineEntry struct {
	Start     time.Duration // offset from the timeline's start
	End       time.Duration // offset from the timeline's start
	Category  string        // e.g. "SQL-main", "log-INFO", "http-GET"
	Detail    string        // e.g. the statement text
	Backtrace *string       // the stack that started the step, or nil
	Error     string        // the error the step ended with, or ""
}

// A LogRecord is a log record kept by a flight recorder outside any timeline
// and attached to a report. On the wire it is a document with the keys time,
// level, msg and attrs.
type LogRecord struct {
	Time  time.Time      `json:"time"`
	Level string         `json:"level"`
	Msg   string         `json:"msg"`
	Attrs map[string]any `json:"attrs,omitempty"`
}

// Clone returns a copy of r whose maps and slices are not shared with r.
// Values inside Attrs and Extra are copied shallowly.
func (r *Report) Clone() *Report {
	c := *r
	c.ReqVars = maps.Clone(r.ReqVars)
	c.Attrs = maps.Clone(r.Attrs)
	c.Extra = maps.Clone(r.Extra)
	if r.Timeline != nil {
		c.Timeline = append([]TimelineEntry(nil), r.Timeline...)
	}
	if r.Log != nil {
		c.Log = append([]LogRecord(nil), r.Log...)
	}
	return &c
}
