package datedir

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

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

// A bufEncoder is a BSON writer and the buffer it writes into, kept in a
// pool so that encoding a report allocates only what it must.
type bufEncoder struct {
	out bytes.Buffer
	vw  bson.ValueWriter
}

var encoders = sync.Pool{New: func() any {
	b := new(bufEncoder)
	b.vw = bson.NewDocumentWriter(&b.out)
	return b
}}

// maxPooled is the largest buffer kept for reuse.
const maxPooled = 1 << 20

func getEncoder() *bufEncoder { return encoders.Get().(*bufEncoder) }

// release returns b to the pool; the bytes encode returned are then no
// longer valid. An encoder whose encode failed is never released: its
// writer may be mid-document.
func (b *bufEncoder) release() {
	if b.out.Cap() <= maxPooled {
		encoders.Put(b)
	}
}

// encode writes r with the id replaced (so that Publish can assign an id
// without changing the caller's report) and returns the document, valid
// until release.
func (b *bufEncoder) encode(r *oops.Report, id string) (out []byte, err error) {
	defer func() {
		// The writer reports misuse with errors, but a report is never worth
		// a panic across the API.
		if p := recover(); p != nil {
			out, err = nil, fmt.Errorf("datedir: encoding report %s: panic: %v", wire.QuoteID(id), p)
		}
	}()
	b.out.Reset()
	dw, err := b.vw.WriteDocument()
	if err != nil {
		return nil, fmt.Errorf("datedir: encoding report %s: %w", wire.QuoteID(id), err)
	}
	e := encoder{}
	e.report(dw, r, id)
	if e.err == nil {
		e.err = dw.WriteDocumentEnd()
	}
	if e.err != nil {
		return nil, fmt.Errorf("datedir: encoding report %s: %w", wire.QuoteID(id), e.err)
	}
	return b.out.Bytes(), nil
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

// An encoder writes one report; its first error sticks and turns every later
// write into a no-op, so that the report's shape reads top to bottom.
type encoder struct {
	err error
}

// fields is the report's schema (oops.WireFields), which decides the keys
// and their order.
var fields = oops.WireFields()

func (e *encoder) report(dw bson.DocumentWriter, r *oops.Report, id string) {
	for _, f := range fields {
		if f.Key == "id" {
			e.str(dw, "id", id)
			continue
		}
		if !f.Always && f.IsZero(r) {
			continue
		}
		vw := e.elem(dw, f.Key)
		if vw == nil {
			return
		}
		switch p := f.Ptr(r).(type) {
		case *string:
			e.err = vw.WriteString(oops.ValidUTF8(*p))
		case *time.Time:
			e.time(vw, *p)
		case *map[string]string:
			e.reqVars(vw, *p)
		case *[]oops.TimelineEntry:
			tl := *p
			e.array(vw, len(tl), func(i int, ew bson.ValueWriter) { e.timelineEntry(ew, &tl[i]) })
		case *float64:
			d := *p
			if math.IsNaN(d) || math.IsInf(d, 0) {
				d = -1 // unknown, as in JSON: python does arithmetic on it
			}
			e.err = vw.WriteDouble(d)
		case *map[string]any:
			e.value(vw, oops.Plain(*p))
		case *[]oops.LogRecord:
			e.log(vw, *p)
		case *int:
			e.int(vw, int64(*p))
		case *bool:
			e.err = vw.WriteBoolean(*p)
		default:
			e.err = fmt.Errorf("no BSON form for key %q (%T)", f.Key, p)
		}
	}
	if len(r.Extra) > 0 {
		keys := make([]string, 0, len(r.Extra))
		for k := range r.Extra {
			if _, wire := oops.WireFieldOf(k); !wire {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			if vw := e.elem(dw, k); vw != nil {
				e.value(vw, oops.Plain(r.Extra[k]))
			}
		}
	}
}

// elem starts the element named key, or returns nil after an error.
func (e *encoder) elem(dw bson.DocumentWriter, key string) bson.ValueWriter {
	if e.err != nil {
		return nil
	}
	vw, err := dw.WriteDocumentElement(cleanKey(key))
	if err != nil {
		e.err = err
		return nil
	}
	return vw
}

func (e *encoder) str(dw bson.DocumentWriter, key, s string) {
	if vw := e.elem(dw, key); vw != nil {
		e.err = vw.WriteString(oops.ValidUTF8(s))
	}
}

// int writes n as python's bson library would: int32 when it fits.
func (e *encoder) int(vw bson.ValueWriter, n int64) {
	if n >= math.MinInt32 && n <= math.MaxInt32 {
		e.err = vw.WriteInt32(int32(n))
	} else {
		e.err = vw.WriteInt64(n)
	}
}

// time writes t as a BSON datetime, or as its RFC 3339 text when its year is
// outside 1 to 9999: python's bson library cannot decode a document holding
// such a datetime.
func (e *encoder) time(vw bson.ValueWriter, t time.Time) {
	if wire.TimeOK(t) {
		e.err = vw.WriteDateTime(t.UnixMilli())
	} else {
		e.err = vw.WriteString(wire.FormatTime(t))
	}
}

// offset writes a timeline offset in milliseconds: an integer when whole, as
// python writes it, else a double with microsecond precision.
func (e *encoder) offset(vw bson.ValueWriter, d time.Duration) {
	ms, whole := wire.OffsetMillis(d)
	if whole {
		e.int(vw, int64(ms))
	} else {
		e.err = vw.WriteDouble(ms)
	}
}

func (e *encoder) reqVars(vw bson.ValueWriter, m map[string]string) {
	sub, err := vw.WriteDocument()
	if err != nil {
		e.err = err
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		e.str(sub, k, m[k])
	}
	if e.err == nil {
		e.err = sub.WriteDocumentEnd()
	}
}

// array writes an array of n elements, elem writing element i; it stops at
// the first error.
func (e *encoder) array(vw bson.ValueWriter, n int, elem func(i int, ew bson.ValueWriter)) {
	aw, err := vw.WriteArray()
	if err != nil {
		e.err = err
		return
	}
	for i := range n {
		ew, err := aw.WriteArrayElement()
		if err != nil {
			e.err = err
			return
		}
		if elem(i, ew); e.err != nil {
			return
		}
	}
	e.err = aw.WriteArrayEnd()
}

// timelineEntry writes [start_ms, end_ms, category, detail, backtrace-or-null]
// and the error as a sixth element when the step failed.
func (e *encoder) timelineEntry(vw bson.ValueWriter, t *oops.TimelineEntry) {
	aw, err := vw.WriteArray()
	if err != nil {
		e.err = err
		return
	}
	next := func() bson.ValueWriter {
		if e.err != nil {
			return nil
		}
		ew, err := aw.WriteArrayElement()
		if err != nil {
			e.err = err
			return nil
		}
		return ew
	}
	if ew := next(); ew != nil {
		e.offset(ew, t.Start)
	}
	if ew := next(); ew != nil {
		e.offset(ew, t.End)
	}
	if ew := next(); ew != nil {
		e.err = ew.WriteString(oops.ValidUTF8(t.Category))
	}
	if ew := next(); ew != nil {
		e.err = ew.WriteString(oops.ValidUTF8(t.Detail))
	}
	if ew := next(); ew != nil {
		if t.Backtrace == nil {
			e.err = ew.WriteNull()
		} else {
			e.err = ew.WriteString(oops.ValidUTF8(*t.Backtrace))
		}
	}
	if t.Error != "" {
		if ew := next(); ew != nil {
			e.err = ew.WriteString(oops.ValidUTF8(t.Error))
		}
	}
	if e.err == nil {
		e.err = aw.WriteArrayEnd()
	}
}

// log writes the flight recorder's records as documents {time, level, msg,
// attrs}, attrs left out when empty, as LogRecord.MarshalJSON does.
func (e *encoder) log(vw bson.ValueWriter, recs []oops.LogRecord) {
	e.array(vw, len(recs), func(i int, ew bson.ValueWriter) {
		sub, err := ew.WriteDocument()
		if err != nil {
			e.err = err
			return
		}
		rec := &recs[i]
		if vw := e.elem(sub, "time"); vw != nil {
			e.time(vw, rec.Time)
		}
		e.str(sub, "level", rec.Level)
		e.str(sub, "msg", rec.Msg)
		if len(rec.Attrs) > 0 {
			if vw := e.elem(sub, "attrs"); vw != nil {
				e.value(vw, oops.Plain(rec.Attrs))
			}
		}
		if e.err == nil {
			e.err = sub.WriteDocumentEnd()
		}
	})
}

// value writes one value of the kinds oops.Plain returns. Maps are written
// with sorted keys so that a report always encodes to the same bytes.
func (e *encoder) value(vw bson.ValueWriter, v any) {
	if e.err != nil {
		return
	}
	switch x := v.(type) {
	case nil:
		e.err = vw.WriteNull()
	case bool:
		e.err = vw.WriteBoolean(x)
	case string:
		e.err = vw.WriteString(oops.ValidUTF8(x))
	case int64:
		e.int(vw, x)
	case uint64:
		if x <= math.MaxInt64 {
			e.int(vw, int64(x))
		} else {
			// BSON has no unsigned integers; a double would lose digits.
			e.err = vw.WriteString(strconv.FormatUint(x, 10))
		}
	case float64:
		e.err = vw.WriteDouble(x)
	case time.Time:
		e.time(vw, x)
	case []any:
		e.array(vw, len(x), func(i int, ew bson.ValueWriter) { e.value(ew, x[i]) })
	case map[string]any:
		dw, err := vw.WriteDocument()
		if err != nil {
			e.err = err
			return
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if ew := e.elem(dw, k); ew != nil {
				e.value(ew, x[k])
			}
		}
		if e.err == nil {
			e.err = dw.WriteDocumentEnd()
		}
	default:
		// Not a kind Plain returns; make it one rather than fail.
		e.value(vw, oops.Plain(fmt.Sprintf("%+v", x)))
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
