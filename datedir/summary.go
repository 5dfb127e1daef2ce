package datedir

import (
	"bytes"
	"encoding/binary"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/internal/wire"
	"github.com/oops-go/oops/store"
)

// A summaryReader reads report files as List and Groups need them: a
// store.Summary each. A scan has one per worker, and it keeps its buffers
// from file to file. It is not safe for concurrent use.
//
// Its decoder (summaryReport) walks the BSON bytes by hand instead of going
// through the BSON library's element readers: a scan decodes a whole day of
// reports, and the library's readers (which find a value's length again at
// each access) and the full decoder (which builds the request variables, the
// log and every timeline text) were most of a scan's CPU time. The values a summary shows are still read by the full decoder's own
// functions (decodeField, timeish, offset, anyString, generic), so that they
// come out exactly as Get reads them; only finding them, and checking the
// rest, is done here.
type summaryReader struct {
	buf   []byte               // the file being read
	rep   oops.Report          // the fields a summary shows, of the file being read
	tl    []oops.TimelineEntry // rep.Timeline's storage
	extra map[string]any       // rep.Extra's storage: the HTTP status only
}

// summary returns the summary of the report file data named name (in the
// directory dir, for errors), as store.SummaryOf(Get's report) would. A file the fast
// decoder does not take (compressed, or not a well-formed plain report, or
// one holding a BSON type no report tool writes) is decoded whole, so that
// its error, or its summary, is exactly Get's.
func (sr *summaryReader) summary(data []byte, name, dir string) (store.Summary, error) {
	rep, ok := sr.summaryReport(data)
	if !ok {
		full, err := decodeFile(bytes.NewReader(data), filepath.Join(dir, name))
		if err != nil {
			return store.Summary{}, err
		}
		rep = full
	}
	if rep.ID == "" {
		// Get's rule: a report without an id is known by its file's name.
		rep.ID = name
	}
	return store.SummaryOf(rep), nil
}

// summaryReport decodes of the plain BSON report data the fields
// store.SummaryOf reads, into sr.rep: the well-known string keys, time,
// duration, each timeline entry's offsets and whether its category is SQL,
// and Extra's HTTP status. The rest is checked, not decoded. ok is false
// when the data is not a report this reader is sure the full decoder takes
// (it is stricter: a value nested deeper than maxDepth, or of a BSON type no
// report tool writes, is left to the full decoder); the report it returns
// is then meaningless. The report is sr's until the next call.
func (sr *summaryReader) summaryReport(data []byte) (rep *oops.Report, ok bool) {
	defer func() {
		// Bounds are checked below; this is the guard Decode has too.
		if recover() != nil {
			rep, ok = nil, false
		}
	}()
	if len(data) < 5 || bytes.HasPrefix(data, bzip2Magic) ||
		int64(binary.LittleEndian.Uint32(data)) != int64(len(data)) || data[len(data)-1] != 0 {
		return nil, false
	}
	clear(sr.extra)
	sr.rep = oops.Report{Duration: -1}
	rep = &sr.rep
	body := data[4 : len(data)-1]
	for len(body) > 0 {
		t := body[0]
		k := indexNUL(body[1:])
		if k < 0 {
			return nil, false
		}
		key, v := body[1:1+k], body[2+k:]
		var n int
		if string(key) == "timeline" {
			// Checked and read in one pass: it is most of a report's
			// elements.
			n, ok = sr.timeline(t, v)
		} else {
			n, ok = valueSize(t, v, 0)
			ok = ok && sr.field(t, key, v[:n])
		}
		if !ok {
			return nil, false
		}
		body = v[n:]
	}
	return rep, true
}

// isIndex reports whether key is i in decimal.
func isIndex(key []byte, i int) bool {
	if i < 10 { // most of them
		return len(key) == 1 && key[0] == byte('0'+i)
	}
	var b [20]byte
	return string(strconv.AppendInt(b[:0], int64(i), 10)) == string(key)
}

// indexNUL is bytes.IndexByte(b, 0) for the short keys of BSON elements,
// where a loop beats the call.
func indexNUL(b []byte) int {
	for i, c := range b {
		if c == 0 {
			return i
		}
	}
	return -1
}

// BSON types, as bytes.
const (
	bsonDouble     = 0x01
	bsonString     = 0x02
	bsonDocument   = 0x03
	bsonArray      = 0x04
	bsonBinary     = 0x05
	bsonUndefined  = 0x06
	bsonObjectID   = 0x07
	bsonBoolean    = 0x08
	bsonDateTime   = 0x09
	bsonNull       = 0x0A
	bsonInt32      = 0x10
	bsonTimestamp  = 0x11
	bsonInt64      = 0x12
	bsonDecimal128 = 0x13
	bsonMinKey     = 0xFF
	bsonMaxKey     = 0x7F
)

// nextElement splits the first element off body (a document's or array's
// elements, without its length and final NUL): its type, key and value,
// and what follows. The value is checked, and documents and arrays within
// it to depth maxDepth. In an array (index >= 0, the element's position)
// the key must be the index, as the BSON library's array reader wants it.
func nextElement(body []byte, depth, index int) (t byte, key, v, rest []byte, ok bool) {
	t = body[0]
	k := indexNUL(body[1:])
	if k < 0 {
		return 0, nil, nil, nil, false
	}
	key = body[1 : 1+k]
	if index >= 0 && !isIndex(key, index) {
		return 0, nil, nil, nil, false
	}
	v = body[2+k:]
	n, ok := valueSize(t, v, depth)
	if !ok {
		return 0, nil, nil, nil, false
	}
	return t, key, v[:n], v[n:], true
}

// valueSize returns the length of the value of type t at the start of v,
// checked: a string must end in its NUL, a document or an array must hold
// well-formed elements. ok is false for anything else, and for the types no
// report tool writes (regular expressions, JavaScript, symbols, DB
// pointers, old binary), which the full decoder reads.
func valueSize(t byte, v []byte, depth int) (n int, ok bool) {
	switch t {
	case bsonDouble, bsonDateTime, bsonTimestamp, bsonInt64:
		n = 8
	case bsonInt32:
		n = 4
	case bsonBoolean:
		n = 1
	case bsonObjectID:
		n = 12
	case bsonDecimal128:
		n = 16
	case bsonUndefined, bsonNull, bsonMinKey, bsonMaxKey:
		n = 0
	case bsonString:
		if len(v) < 4 {
			return 0, false
		}
		l := int(int32(binary.LittleEndian.Uint32(v)))
		if l < 1 || 4+l > len(v) || v[3+l] != 0 {
			return 0, false
		}
		n = 4 + l
	case bsonDocument, bsonArray:
		if len(v) < 4 || depth >= maxDepth {
			return 0, false
		}
		l := int(int32(binary.LittleEndian.Uint32(v)))
		if l < 5 || l > len(v) || v[l-1] != 0 {
			return 0, false
		}
		index := -1 // a document's keys are any
		if t == bsonArray {
			index = 0
		}
		for body := v[4 : l-1]; len(body) > 0; {
			_, _, _, rest, ok := nextElement(body, depth+1, index)
			if !ok {
				return 0, false
			}
			body = rest
			if index >= 0 {
				index++
			}
		}
		n = l
	case bsonBinary:
		if len(v) < 5 || v[4] == 0x02 { // subtype 2: old binary, with a length of its own
			return 0, false
		}
		l := int(int32(binary.LittleEndian.Uint32(v)))
		if l < 0 {
			return 0, false
		}
		n = 5 + l
	default:
		return 0, false
	}
	return n, n <= len(v)
}

// field decodes the top-level element key of type t and value v into sr.rep
// when a summary shows it, as decodeKey does: a well-known key of the wrong
// type leaves its field empty. ok is false only for data the full decoder
// must read.
func (sr *summaryReader) field(t byte, key, v []byte) bool {
	rep := &sr.rep
	switch string(key) { // no allocation: the compiler compares the bytes
	case "id":
		str(&rep.ID, t, v)
	case "type":
		str(&rep.Type, t, v)
	case "value":
		str(&rep.Value, t, v)
	case "hostname":
		str(&rep.Hostname, t, v)
	case "reporter":
		str(&rep.Reporter, t, v)
	case "topic":
		str(&rep.Topic, t, v)
	case "url":
		str(&rep.URL, t, v)
	case "username":
		str(&rep.Username, t, v)
	case "level":
		str(&rep.Level, t, v)
	case "signature":
		str(&rep.Signature, t, v)
	case "trace_id":
		str(&rep.TraceID, t, v)
	case "resource":
		str(&rep.Resource, t, v)
	case "time":
		if t == bsonDateTime {
			rep.Time = time.UnixMilli(int64(binary.LittleEndian.Uint64(v))).UTC() // as timeish
		} else {
			_ = decodeField(&rep.Time, raw(t, v))
		}
	case "duration":
		_ = decodeField(&rep.Duration, raw(t, v))
	case store.StatusKey:
		// An Extra key: the full decoder keeps it as generic makes it, and
		// store.Status reads that.
		x, err := generic(raw(t, v), 0)
		if err != nil {
			return false
		}
		if sr.extra == nil {
			sr.extra = make(map[string]any, 1)
		}
		sr.extra[store.StatusKey] = x
		rep.Extra = sr.extra
	}
	return true
}

// str decodes a well-known string key into *p as decodeField does; a BSON
// string, the usual case, without building a bson.RawValue.
func str(p *string, t byte, v []byte) {
	if t == bsonString {
		*p = oops.ValidUTF8(string(v[4 : len(v)-1]))
		return
	}
	_ = decodeField(p, raw(t, v))
}

func raw(t byte, v []byte) bson.RawValue { return bson.RawValue{Type: bson.Type(t), Value: v} }

// timeline checks the timeline value v of type t as valueSize does, and
// reads of it each entry's offsets and whether its category starts with
// "SQL-" (all store.SummaryOf reads) into rep.Timeline; it returns the
// value's size. As in the full decoder, a timeline one entry of which is not
// an entry (four to six elements, numeric offsets) is no timeline: decodeKey
// keeps it in Extra, and the field stays empty.
func (sr *summaryReader) timeline(t byte, v []byte) (n int, ok bool) {
	sr.rep.Timeline = nil
	if t != bsonArray {
		return valueSize(t, v, 0) // null, or not a timeline: no entries
	}
	if len(v) < 4 {
		return 0, false
	}
	l := int(int32(binary.LittleEndian.Uint32(v)))
	if l < 5 || l > len(v) || v[l-1] != 0 {
		return 0, false
	}
	tl := sr.tl[:0]
	entries := true // so far
	for i, body := 0, v[4:l-1]; len(body) > 0; i++ {
		et := body[0]
		k := indexNUL(body[1:])
		if k < 0 || !isIndex(body[1:1+k], i) {
			return 0, false
		}
		ev := body[2+k:]
		var n int
		if entries && et == bsonArray {
			var e oops.TimelineEntry
			var isEntry bool
			if e, n, isEntry, ok = timelineEntrySummary(ev); !ok {
				return 0, false
			}
			tl = append(tl, e)
			entries = isEntry
		} else {
			if n, ok = valueSize(et, ev, 1); !ok {
				return 0, false
			}
			entries = false
		}
		body = ev[n:]
	}
	sr.tl = tl
	if entries {
		sr.rep.Timeline = tl
	}
	return l, true
}

// sqlPrefix is the category prefix store.SummaryOf counts statements by.
const sqlPrefix = "SQL-"

// timelineEntrySummary checks the array at the start of v as valueSize does
// and reads it as timelineEntry does, but only its offsets and, as its
// category, sqlPrefix or "" (whether the category starts with it). It
// returns the array's size, and whether it is an entry.
func timelineEntrySummary(v []byte) (e oops.TimelineEntry, n int, isEntry, ok bool) {
	if len(v) < 4 {
		return e, 0, false, false
	}
	l := int(int32(binary.LittleEndian.Uint32(v)))
	if l < 5 || l > len(v) || v[l-1] != 0 {
		return e, 0, false, false
	}
	isEntry = true
	count := 0
	for body := v[4 : l-1]; len(body) > 0; count++ {
		t, _, fv, rest, ok := nextElement(body, 2, count)
		if !ok {
			return e, 0, false, false
		}
		body = rest
		if !isEntry {
			continue
		}
		var err error
		switch count {
		case 0:
			e.Start, err = offsetOf(t, fv)
		case 1:
			e.End, err = offsetOf(t, fv)
		case 2:
			var c string
			if t == bsonString {
				if bytes.HasPrefix(fv[4:len(fv)-1], []byte(sqlPrefix)) {
					c = sqlPrefix
				}
			} else if c, err = anyString(raw(t, fv)); err == nil && len(c) >= len(sqlPrefix) && c[:len(sqlPrefix)] == sqlPrefix {
				c = sqlPrefix
			} else {
				c = ""
			}
			e.Category = c
		}
		if err != nil {
			isEntry = false
		}
	}
	return e, l, isEntry && count >= 4 && count <= 6, true
}

// offsetOf is offset, without a bson.RawValue for the usual types.
func offsetOf(t byte, v []byte) (time.Duration, error) {
	switch t {
	case bsonInt32:
		return wire.OffsetFromMillis(float64(int32(binary.LittleEndian.Uint32(v))))
	case bsonInt64:
		return wire.OffsetFromMillis(float64(int64(binary.LittleEndian.Uint64(v))))
	case bsonDouble:
		return wire.OffsetFromMillis(math.Float64frombits(binary.LittleEndian.Uint64(v)))
	}
	return offset(raw(t, v))
}

// readFile reads the report file e of d into sr's buffer and returns its
// summary.
func (sr *summaryReader) readFile(d *dayDir, e dirEntry) (store.Summary, error) {
	data, err := d.readFile(e, &sr.buf)
	if err != nil {
		return store.Summary{}, err
	}
	return sr.summary(data, e.name, d.path)
}

// readAllInto reads f whole (at most readLimit+1 bytes) into *buf, which
// keeps its capacity from file to file: no stat, and no allocation once the
// buffer fits the day's files.
func readAllInto(f *os.File, buf *[]byte) ([]byte, error) {
	*buf = (*buf)[:0]
	return readInto(f.Read, buf)
}

// readInto reads with read until the end (a read of nothing, or io.EOF) or
// past readLimit, appending to *buf.
func readInto(read func([]byte) (int, error), buf *[]byte) ([]byte, error) {
	b := *buf
	if cap(b) == 0 {
		b = make([]byte, 0, 64<<10)
	}
	for {
		if len(b) == cap(b) {
			if len(b) > readLimit {
				break
			}
			b = append(b, 0)[:len(b)]
		}
		n, err := read(b[len(b):cap(b)])
		if n > 0 {
			b = b[:len(b)+n]
		}
		if err == io.EOF || n <= 0 && err == nil {
			break
		}
		if err != nil {
			*buf = b
			return nil, err
		}
	}
	*buf = b
	return b, nil
}
