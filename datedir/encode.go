package datedir

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/internal/wire"
)

// Encode returns the BSON document that stores r in a date-dir repository:
// the wire keys of the oops package doc, with the same omission rules as
// Report.MarshalJSON (id, time and duration always; other well-known keys
// only when set), then Extra's keys in sorted order. Integers are int32 when
// they fit and int64 otherwise, as python's bson library writes them; time
// is a BSON datetime (millisecond precision); strings are made valid UTF-8
// and NUL bytes in keys become U+FFFD, so that python can read every file
// we write.
//
// A report whose document would be larger than MaxReportSize, which no
// reader takes, is cut to fit with oops.Trim: its largest values are cut
// first, each marked with how many bytes it lost, and Extra["cut"] lists
// them.
func Encode(r *oops.Report) ([]byte, error) {
	enc := getEncoder()
	data, err := enc.encodeFit(r, r.ID)
	if err != nil {
		return nil, err
	}
	out := bytes.Clone(data)
	enc.release()
	return out, nil
}

// A bufEncoder is a buffer BSON documents are written into, kept in a pool
// so that encoding a report allocates only what it must.
//
// The document is written with append functions of our own rather than the
// bson library's ValueWriter: every report a service publishes is encoded on
// the async worker, and the library's writer took about twice the CPU per
// report (BenchmarkEncode). The library stays the reference: a test and a
// fuzz test (encode_writer_test.go) check that it reads every document we
// write and writes it back byte for byte.
type bufEncoder struct {
	out []byte
}

var encoders = sync.Pool{New: func() any { return new(bufEncoder) }}

// maxPooled is the largest buffer kept for reuse.
const maxPooled = 1 << 20

func getEncoder() *bufEncoder { return encoders.Get().(*bufEncoder) }

// release returns b to the pool; the bytes encode returned are then no
// longer valid.
func (b *bufEncoder) release() {
	if cap(b.out) <= maxPooled {
		encoders.Put(b)
	}
}

// encode writes r with the id replaced (so that Publish can assign an id
// without changing the caller's report) and returns the document, valid
// until release.
func (b *bufEncoder) encode(r *oops.Report, id string) (out []byte, err error) {
	defer func() {
		// A report is never worth a panic across the API.
		if p := recover(); p != nil {
			out, err = nil, fmt.Errorf("datedir: encoding report %s: panic: %v", wire.QuoteID(id), p)
		}
	}()
	data, at := begin(b.out[:0])
	data, err = appendReport(data, r, id)
	data = end(data, at)
	b.out = data
	if err == nil && len(data) > math.MaxInt32 {
		err = fmt.Errorf("document of %d bytes, more than BSON holds", len(data))
	}
	if err != nil {
		return nil, fmt.Errorf("datedir: encoding report %s: %w", wire.QuoteID(id), err)
	}
	return data, nil
}

// encodeFit is encode, with r cut (oops.Trim) until its document is no
// larger than the readers take: a report the writer stores must never be
// one Get, Walk and Republish refuse.
func (b *bufEncoder) encodeFit(r *oops.Report, id string) ([]byte, error) {
	data, err := b.encode(r, id)
	for try := 0; err == nil && len(data) > readLimit; try++ {
		if try == 4 {
			return nil, fmt.Errorf("datedir: encoding report %s: %d bytes, more than %d even cut", wire.QuoteID(id), len(data), readLimit)
		}
		r = oops.Trim(r, len(data)-readLimit)
		data, err = b.encode(r, id)
	}
	return data, err
}

// The BSON writer: each function appends one element whole (type byte,
// key, value) to b and returns it, as strconv's Append functions do, so that
// the buffer lives in locals (no write barrier per byte written while the
// collector runs). Keys hold no NUL byte: keys from reports go through
// cleanKey.

// BSON element types (bsonspec.org).
const (
	typeDouble   = 0x01
	typeString   = 0x02
	typeDocument = 0x03
	typeArray    = 0x04
	typeBoolean  = 0x08
	typeDateTime = 0x09
	typeNull     = 0x0A
	typeInt32    = 0x10
	typeInt64    = 0x12
)

// begin starts a document (or an array's body) and returns where its
// length goes.
func begin(b []byte) ([]byte, int) {
	return append(b, 0, 0, 0, 0), len(b)
}

// end closes the document begun at at. A length past int32 is caught on the
// whole document, which holds every other.
func end(b []byte, at int) []byte {
	b = append(b, 0)
	binary.LittleEndian.PutUint32(b[at:], uint32(len(b)-at))
	return b
}

// head writes an element's type and key.
func head(b []byte, t byte, key string) []byte {
	b = append(b, t)
	b = append(b, key...)
	return append(b, 0)
}

// indexKey returns the key of an array's element i: its decimal index.
func indexKey(i int) string {
	if i < len(smallIndexes) {
		return smallIndexes[i]
	}
	return strconv.Itoa(i)
}

var smallIndexes = func() []string {
	s := make([]string, 64)
	for i := range s {
		s[i] = strconv.Itoa(i)
	}
	return s
}()

// appendReport writes r's keys in the schema's order (oops.WireFields),
// field by field: a loop over the schema asks each field for an interface
// holding a pointer to it and switches on its type, which cost a fifth of
// the encoding of a request's report. A test holds it to the schema
// (TestAppendReportIsSchema).
func appendReport(b []byte, r *oops.Report, id string) ([]byte, error) {
	b = appendStr(b, "id", id)
	b = appendStrSet(b, "type", r.Type)
	b = appendStrSet(b, "value", r.Value)
	b = appendStrSet(b, "tb_text", r.TBText)
	b = appendTime(b, "time", r.Time)
	b = appendStrSet(b, "hostname", r.Hostname)
	b = appendStrSet(b, "reporter", r.Reporter)
	b = appendStrSet(b, "topic", r.Topic)
	b = appendStrSet(b, "url", r.URL)
	b = appendStrSet(b, "username", r.Username)
	b = appendStrSet(b, "branch_nick", r.BranchNick)
	b = appendStrSet(b, "revno", r.Revno)
	if len(r.ReqVars) > 0 {
		b = appendReqVars(b, "req_vars", r.ReqVars)
	}
	if len(r.Timeline) > 0 {
		b = appendTimeline(b, "timeline", r.Timeline)
	}
	b = appendDuration(b, "duration", r.Duration)
	b = appendStrSet(b, "level", r.Level)
	b = appendStrSet(b, "msg", r.Msg)
	if len(r.Attrs) > 0 {
		b = appendAttrs(b, "attrs", r.Attrs)
	}
	if len(r.Log) > 0 {
		b = appendLog(b, "log", r.Log)
	}
	b = appendStrSet(b, "signature", r.Signature)
	b = appendStrSet(b, "trace_id", r.TraceID)
	b = appendStrSet(b, "span_id", r.SpanID)
	b = appendIntSet(b, "trace_flags", r.TraceFlags)
	b = appendIntSet(b, "timeline_dropped", r.TimelineDropped)
	b = appendIntSet(b, "suppressed", r.Suppressed)
	b = appendStrSet(b, "resource", r.Resource)
	b = appendIntSet(b, "revision", r.Revision)
	if r.Pending {
		b = appendBool(b, "pending", true)
	}
	return appendExtra(b, r.Extra), nil
}

// appendExtra writes Extra's keys that are not wire keys, sorted.
func appendExtra(b []byte, extra map[string]any) []byte {
	if len(extra) == 0 {
		return b
	}
	var buf [8]string // a report's extra keys are few: keys on the stack
	keys := buf[:0]
	for k := range extra {
		if _, wire := oops.WireFieldOf(k); !wire {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		b = appendPlain(b, cleanKey(k), extra[k])
	}
	return b
}

// appendStrSet writes s unless it is empty.
func appendStrSet(b []byte, key, s string) []byte {
	if s == "" {
		return b
	}
	return appendStr(b, key, s)
}

// appendIntSet writes n unless it is zero.
func appendIntSet(b []byte, key string, n int) []byte {
	if n == 0 {
		return b
	}
	return appendInt(b, key, int64(n))
}

// appendDuration writes the report's duration, -1 (unknown) for NaN or an
// infinity, as in JSON: python does arithmetic on it.
func appendDuration(b []byte, key string, d float64) []byte {
	if math.IsNaN(d) || math.IsInf(d, 0) {
		d = -1
	}
	return appendDouble(b, key, d)
}

// appendTimeline writes the report's timeline as an array of entries.
func appendTimeline(b []byte, key string, tl []oops.TimelineEntry) []byte {
	b = head(b, typeArray, key)
	b, at := begin(b)
	for i := range tl {
		b = appendTimelineEntry(b, indexKey(i), &tl[i])
	}
	return end(b, at)
}

// appendPlain writes appendValue(b, key, oops.Plain(v)), without putting
// in an interface what Plain makes of a string or an integer (an
// allocation each): the common values of attributes and Extra.
func appendPlain(b []byte, key string, v any) []byte {
	switch x := v.(type) {
	case string:
		return appendStr(b, key, x)
	case bool:
		return appendBool(b, key, x)
	case int:
		return appendInt(b, key, int64(x))
	case int64:
		return appendInt(b, key, x)
	case int32:
		return appendInt(b, key, int64(x))
	}
	return appendValue(b, key, oops.Plain(v))
}

// appendStr writes s, made valid UTF-8.
func appendStr(b []byte, key, s string) []byte {
	b = head(b, typeString, key)
	return appendStrValue(b, s)
}

// appendStrValue writes a string element's value: its length, s made valid
// UTF-8, and its NUL. Most of a report's strings are short ASCII (keys,
// names, categories, header values): one of 4 to 16 bytes is read as two
// words, which tell that it is ASCII and are written as they are, rather
// than checked and then copied by calls that cost more than its bytes.
func appendStrValue(b []byte, s string) []byte {
	if n := len(s); n >= 4 && n <= 16 {
		const high = 0x8080808080808080
		var w0, w1 uint64 // the first and the last 8 (or 4) bytes
		if n >= 8 {
			w0, w1 = load64(s, 0), load64(s, n-8)
		} else {
			w0, w1 = uint64(load32(s, 0)), uint64(load32(s, n-4))
		}
		if (w0|w1)&high == 0 {
			at := len(b)
			if cap(b)-at < 4+n+1 {
				b = slices.Grow(b, 4+n+1)
			}
			b = b[:at+4+n+1]
			v := b[at : at+4+n+1]
			binary.LittleEndian.PutUint32(v, uint32(n+1))
			// Overlapping where n is not 16 (or 8): the same bytes.
			if n >= 8 {
				binary.LittleEndian.PutUint64(v[4:], w0)
				binary.LittleEndian.PutUint64(v[n-4:], w1)
			} else {
				binary.LittleEndian.PutUint32(v[4:], uint32(w0))
				binary.LittleEndian.PutUint32(v[n:], uint32(w1))
			}
			v[4+n] = 0
			return b
		}
	}
	s = oops.ValidUTF8(s)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(s)+1))
	b = append(b, s...)
	return append(b, 0)
}

// load64 returns the 8 bytes of s at i as a little-endian word (one load
// where the machine allows).
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// load32 returns the 4 bytes of s at i as a little-endian word.
func load32(s string, i int) uint32 {
	s = s[i : i+4]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

// appendInt writes n as python's bson library would: int32 when it fits.
func appendInt(b []byte, key string, n int64) []byte {
	if n >= math.MinInt32 && n <= math.MaxInt32 {
		b = head(b, typeInt32, key)
		return binary.LittleEndian.AppendUint32(b, uint32(int32(n)))
	}
	b = head(b, typeInt64, key)
	return binary.LittleEndian.AppendUint64(b, uint64(n))
}

func appendDouble(b []byte, key string, f float64) []byte {
	b = head(b, typeDouble, key)
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
}

func appendBool(b []byte, key string, v bool) []byte {
	b = head(b, typeBoolean, key)
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

// appendTime writes t as a BSON datetime, or as its RFC 3339 text when its
// year is outside 1 to 9999: python's bson library cannot decode a document
// holding such a datetime.
func appendTime(b []byte, key string, t time.Time) []byte {
	if !wire.TimeOK(t) {
		return appendStr(b, key, wire.FormatTime(t))
	}
	b = head(b, typeDateTime, key)
	return binary.LittleEndian.AppendUint64(b, uint64(t.UnixMilli()))
}

// appendOffset writes a timeline offset in milliseconds: an integer when
// whole, as python writes it, else a double with microsecond precision.
func appendOffset(b []byte, key string, d time.Duration) []byte {
	if d >= 0 && d <= math.MaxInt64-500 {
		// wire.OffsetMillis in integers, for the usual offset (at or after
		// the timeline's start): rounding half up to the microsecond, as
		// Duration.Round does for a positive d, without Round's branches
		// and the float division of whole milliseconds. It is a fifth of a
		// request's encoding otherwise (TestAppendOffsetIsOffsetMillis).
		us := (int64(d) + 500) / 1000
		if us%1000 == 0 {
			return appendInt(b, key, us/1000)
		}
		return appendDouble(b, key, float64(us)/1000)
	}
	ms, whole := wire.OffsetMillis(d)
	if whole {
		return appendInt(b, key, int64(ms))
	}
	return appendDouble(b, key, ms)
}

// A strPair is one request variable, so that they are written in key order
// without looking each up again.
type strPair struct{ k, v string }

// sortPairs sorts vars by key: by insertion, with the string comparison
// inlined, for the few a request has, which costs a third of a generic sort
// with a comparison function.
func sortPairs(vars []strPair) {
	if len(vars) > 16 {
		slices.SortFunc(vars, func(a, b strPair) int { return strings.Compare(a.k, b.k) })
		return
	}
	for i := 1; i < len(vars); i++ {
		for j := i; j > 0 && vars[j].k < vars[j-1].k; j-- {
			vars[j], vars[j-1] = vars[j-1], vars[j]
		}
	}
}

// A varName is a request variable's name as a report holds it and as it
// is written (cleanKey).
type varName struct{ raw, clean string }

// maxNamed bounds the request variables whose names namedVars keeps.
const maxNamed = 32

// namedVars holds the names of the request variables a report was last
// written with, in the order they are written, when they differed from
// those before: a service's requests mostly carry the same headers, so
// that a report's variables are written by looking up these names, when
// the report has just them, rather than by going through the map and
// sorting what it holds (most of the writing of the variables).
var namedVars atomic.Pointer[[]varName]

func appendReqVars(b []byte, key string, m map[string]string) []byte {
	b = head(b, typeDocument, key)
	b, at := begin(b)
	if names := namedVars.Load(); names != nil && len(*names) == len(m) {
		// As many names as m has keys, each one of them: m has just
		// these names (they are distinct), and they are in order.
		var vals [maxNamed]string
		found := true
		for i, n := range *names {
			if vals[i], found = m[n.raw]; !found {
				break
			}
		}
		if found {
			for i, n := range *names {
				b = appendStr(b, n.clean, vals[i])
			}
			return end(b, at)
		}
	}
	var buf [16]strPair // request variables are few: pairs on the stack
	vars := buf[:0]
	for k, v := range m {
		vars = append(vars, strPair{k, v})
	}
	sortPairs(vars)
	var names []varName
	if len(vars) <= maxNamed {
		names = make([]varName, 0, len(vars))
	}
	for _, kv := range vars {
		clean := cleanKey(kv.k)
		b = appendStr(b, clean, kv.v)
		if names != nil {
			names = append(names, varName{kv.k, clean})
		}
	}
	if names != nil {
		namedVars.Store(&names)
	}
	return end(b, at)
}

// appendTimelineEntry writes [start_ms, end_ms, category, detail,
// backtrace-or-null] and the error as a sixth element when the step failed.
// The elements' keys are single digits, written with their type in one
// append (a request's report has a dozen entries or more, and these were
// most of its encoding).
func appendTimelineEntry(b []byte, key string, t *oops.TimelineEntry) []byte {
	b = head(b, typeArray, key)
	b, at := begin(b)
	b = appendOffsetAt(b, '0', t.Start)
	b = appendOffsetAt(b, '1', t.End)
	b = appendStrAt(b, '2', t.Category)
	b = appendStrAt(b, '3', t.Detail)
	if t.Backtrace == nil {
		b = append(b, typeNull, '4', 0)
	} else {
		b = appendStrAt(b, '4', *t.Backtrace)
	}
	if t.Error != "" {
		b = appendStrAt(b, '5', t.Error)
	}
	return end(b, at)
}

// appendOffsetAt is appendOffset for the key of one digit, index.
func appendOffsetAt(b []byte, index byte, d time.Duration) []byte {
	if d >= 0 && d <= math.MaxInt64-500 {
		// As appendOffset.
		us := (int64(d) + 500) / 1000
		if us%1000 != 0 {
			b = append(b, typeDouble, index, 0)
			return binary.LittleEndian.AppendUint64(b, math.Float64bits(float64(us)/1000))
		}
		if ms := us / 1000; ms <= math.MaxInt32 {
			b = append(b, typeInt32, index, 0)
			return binary.LittleEndian.AppendUint32(b, uint32(ms))
		}
	}
	return appendOffset(b, string(rune(index)), d)
}

// appendStrAt is appendStr for the key of one digit, index.
func appendStrAt(b []byte, index byte, s string) []byte {
	return appendStrValue(append(b, typeString, index, 0), s)
}

// appendLog writes the flight recorder's records as documents {time, level,
// msg, attrs}, attrs left out when empty, as LogRecord.MarshalJSON does.
func appendLog(b []byte, key string, recs []oops.LogRecord) []byte {
	b = head(b, typeArray, key)
	b, at := begin(b)
	for i := range recs {
		rec := &recs[i]
		b = head(b, typeDocument, indexKey(i))
		var doc int
		b, doc = begin(b)
		b = appendTime(b, "time", rec.Time)
		b = appendStr(b, "level", rec.Level)
		b = appendStr(b, "msg", rec.Msg)
		if len(rec.Attrs) > 0 {
			b = appendAttrs(b, "attrs", rec.Attrs)
		}
		b = end(b, doc)
	}
	return end(b, at)
}

// appendAttrs writes m as appendValue(b, key, oops.Plain(m)) does, without
// Plain's copy of the map when every key is valid UTF-8 and every value is a
// leaf Plain turns into one value without walking it: the common case of
// attributes, written once per report and kept record.
func appendAttrs(b []byte, key string, m map[string]any) []byte {
	if len(m) == 0 || len(m) > 32 {
		return appendValue(b, key, oops.Plain(m))
	}
	var buf [32]string
	keys := buf[:0]
	for k, v := range m {
		if !leaf(v) || !(wire.ASCII(k) || utf8.ValidString(k)) {
			return appendValue(b, key, oops.Plain(m))
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = head(b, typeDocument, key)
	b, at := begin(b)
	for _, k := range keys {
		b = appendPlain(b, cleanKey(k), m[k])
	}
	return end(b, at)
}

// leaf reports whether oops.Plain makes v one value without walking into it
// (so without the cycle and depth bookkeeping of containers).
func leaf(v any) bool {
	switch v.(type) {
	case nil, string, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64,
		float32, float64, time.Time, time.Duration:
		return true
	}
	return false
}

// appendValue writes one value of the kinds oops.Plain returns. Maps are
// written with sorted keys so that a report always encodes to the same
// bytes.
func appendValue(b []byte, key string, v any) []byte {
	switch x := v.(type) {
	case nil:
		return head(b, typeNull, key)
	case bool:
		return appendBool(b, key, x)
	case string:
		return appendStr(b, key, x)
	case int64:
		return appendInt(b, key, x)
	case uint64:
		if x <= math.MaxInt64 {
			return appendInt(b, key, int64(x))
		}
		// BSON has no unsigned integers; a double would lose digits.
		return appendStr(b, key, strconv.FormatUint(x, 10))
	case float64:
		return appendDouble(b, key, x)
	case time.Time:
		return appendTime(b, key, x)
	case []any:
		b = head(b, typeArray, key)
		b, at := begin(b)
		for i, el := range x {
			b = appendValue(b, indexKey(i), el)
		}
		return end(b, at)
	case map[string]any:
		b = head(b, typeDocument, key)
		b, at := begin(b)
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			b = appendValue(b, cleanKey(k), x[k])
		}
		return end(b, at)
	default:
		// Not a kind Plain returns; make it one rather than fail.
		return appendValue(b, key, oops.Plain(fmt.Sprintf("%+v", x)))
	}
}

// cleanKey makes k a valid BSON key: valid UTF-8 without NUL bytes (a BSON
// key is NUL-terminated, and python refuses keys that are not UTF-8).
func cleanKey(k string) string {
	k = oops.ValidUTF8(k)
	if strings.IndexByte(k, 0) >= 0 {
		k = strings.ReplaceAll(k, "\x00", "\uFFFD")
	}
	return k
}
