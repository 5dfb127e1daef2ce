package datedir

import (
	"bytes"
	"compress/bzip2"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/internal/wire"
)

// ErrCorrupt is wrapped by every error about a report file whose content is
// not a report: empty, truncated, not BSON, a bzip2 stream that does not
// decompress. (A well-known key of the wrong type is not: see Decode.) Test
// for it with errors.Is.
var ErrCorrupt = errors.New("corrupt report file")

// MaxReportSize bounds a report file, and a bzip2 file once decompressed, so
// that a garbage or hostile file (a few bytes of bzip2 can decompress to
// gigabytes) cannot exhaust memory or hold a reader for long. It is MongoDB's
// limit on a BSON document; reports are far smaller. Larger files are
// ErrCorrupt.
const MaxReportSize = 16 << 20

// readLimit is MaxReportSize; the fuzz test lowers it so that decompression
// bombs do not slow it down.
var readLimit = MaxReportSize

// maxDepth bounds how deeply nested documents and arrays are decoded; a
// value deeper is read as "<too deep>", as oops.Plain cuts values, so that
// one hostile value does not hide the rest of the report.
const maxDepth = 100

// bzip2Magic starts every bzip2 stream; python's reader detects compressed
// reports the same way.
var bzip2Magic = []byte("BZh")

// Decode decodes the content of a report file: a BSON document as Encode or
// python's oops-datedir-repo writes it, or such a document compressed with
// bzip2. It is lenient where python reports vary: req_vars may be a list of
// pairs, timeline entries may have four to six elements, numbers may be
// int32, int64 or double, revno and other strings may be numbers or null,
// time may be missing. Unknown keys go to Extra (documents as
// map[string]any, arrays as []any, integers as int64, datetimes as
// time.Time, binary as []byte). A missing duration is -1. A bad part hides
// nothing else, with the rules of the oops package's JSON decoder: a
// well-known key whose value is not of its type leaves its field empty and
// is kept in Extra under oops.UndecodableKey(key); an element of a req_vars
// list that is not a [name, value] pair is kept under oops.BadPairKey(i);
// a value nested more than 100 deep is read as "<too deep>". Every error
// wraps ErrCorrupt.
func Decode(data []byte) (r *oops.Report, err error) {
	defer func() {
		// The bson accessors used are the non-panicking ones, but a corrupt
		// file must never crash the program that reads it.
		if p := recover(); p != nil {
			r, err = nil, fmt.Errorf("%w: panic: %v", ErrCorrupt, p)
		}
	}()
	return decode(data)
}

// decode is Decode without the guard against panics, for the fuzz test.
func decode(data []byte) (*oops.Report, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("%w: empty file", ErrCorrupt)
	}
	if bytes.HasPrefix(data, bzip2Magic) {
		plain, zerr := decompress(data)
		if zerr != nil {
			// A BSON document whose length bytes spell "BZh" is possible
			// (a document of about 6.8 MB or more); try it before failing.
			if r, err := decodeBSON(data); err == nil {
				return r, nil
			}
			return nil, fmt.Errorf("%w: bzip2: %v", ErrCorrupt, zerr)
		}
		data = plain
	}
	r, err := decodeBSON(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return r, nil
}

func decompress(data []byte) ([]byte, error) {
	out, err := io.ReadAll(io.LimitReader(bzip2.NewReader(bytes.NewReader(data)), int64(readLimit)+1))
	if err != nil {
		return nil, err
	}
	if len(out) > readLimit {
		return nil, fmt.Errorf("decompresses to more than %d bytes", readLimit)
	}
	if len(out) == 0 {
		return nil, errors.New("decompresses to nothing")
	}
	return out, nil
}

func decodeBSON(data []byte) (*oops.Report, error) {
	doc := bson.Raw(data)
	if err := doc.Validate(); err != nil {
		return nil, fmt.Errorf("not a BSON document: %w", err)
	}
	if n := int(binary.LittleEndian.Uint32(data)); n != len(data) {
		return nil, fmt.Errorf("BSON document of %d bytes followed by %d more", n, len(data)-n)
	}
	elems, err := doc.Elements()
	if err != nil {
		return nil, fmt.Errorf("not a BSON document: %w", err)
	}
	r := &oops.Report{Duration: -1}
	for _, el := range elems {
		k := el.Key()
		v := el.Value()
		if err := decodeKey(r, k, v); err != nil {
			return nil, fmt.Errorf("key %q: %w", oops.ValidUTF8(k), err)
		}
	}
	return r, nil
}

// decodeKey decodes the element k into r: a well-known key into its field,
// by the schema (oops.WireFields), any other into Extra. A well-known key of
// the wrong type leaves its field empty and is kept in Extra under
// oops.UndecodableKey(k), as the JSON decoder does: a bad part of a report
// hides nothing else. Only bytes that are not BSON are an error.
func decodeKey(r *oops.Report, k string, v bson.RawValue) error {
	if f, ok := oops.WireFieldOf(k); ok {
		if err := decodeField(f.Ptr(r), v); err == nil {
			return nil
		}
		k = oops.UndecodableKey(k)
	}
	x, err := generic(v, 0)
	if err != nil {
		return err
	}
	if r.Extra == nil {
		r.Extra = make(map[string]any)
	}
	r.Extra[oops.ValidUTF8(k)] = x
	return nil
}

// decodeField decodes v into the field p points to (oops.WireField.Ptr).
// On an error the field is left empty.
func decodeField(p any, v bson.RawValue) error {
	var err error
	switch f := p.(type) {
	case *string:
		*f, err = stringish(v)
	case *time.Time:
		*f, err = timeish(v)
	case *map[string]string:
		*f, err = reqVars(v)
	case *[]oops.TimelineEntry:
		*f, err = timeline(v)
	case *float64:
		if v.Type == bson.TypeNull || v.Type == bson.TypeUndefined {
			*f = -1
		} else if d, ok := v.AsFloat64OK(); ok {
			*f = d
		} else {
			*f, err = -1, typeError("a number", v)
		}
	case *map[string]any:
		*f, err = document(v)
	case *[]oops.LogRecord:
		*f, err = logRecords(v)
	case *int:
		*f, err = intish(v)
	case *bool:
		if v.Type == bson.TypeNull || v.Type == bson.TypeUndefined {
			*f = false
		} else if b, ok := v.BooleanOK(); ok {
			*f = b
		} else {
			err = typeError("a boolean", v)
		}
	default:
		err = fmt.Errorf("no BSON form for %T", p)
	}
	return err
}

func typeError(want string, v bson.RawValue) error {
	return fmt.Errorf("want %s, got BSON %s", want, v.Type)
}

// stringish reads a well-known string key. Python writes None for unset
// keys, and revno is often an integer.
func stringish(v bson.RawValue) (string, error) {
	switch v.Type {
	case bson.TypeString:
		s, _ := v.StringValueOK()
		return oops.ValidUTF8(s), nil
	case bson.TypeNull, bson.TypeUndefined:
		return "", nil
	case bson.TypeInt32, bson.TypeInt64:
		n, _ := v.AsInt64OK()
		return strconv.FormatInt(n, 10), nil
	case bson.TypeDouble:
		f, _ := v.DoubleOK()
		return strconv.FormatFloat(f, 'g', -1, 64), nil
	case bson.TypeBoolean:
		b, _ := v.BooleanOK()
		return strconv.FormatBool(b), nil
	case bson.TypeSymbol:
		s, _ := v.SymbolOK()
		return oops.ValidUTF8(s), nil
	case bson.TypeBinary:
		// python 2 byte strings written by some tools.
		_, b, _ := v.BinaryOK()
		return oops.ValidUTF8(string(b)), nil
	}
	return "", typeError("a string", v)
}

func intish(v bson.RawValue) (int, error) {
	if v.Type == bson.TypeNull {
		return 0, nil
	}
	if n, ok := v.AsInt64OK(); ok {
		return int(n), nil
	}
	return 0, typeError("an integer", v)
}

func timeish(v bson.RawValue) (time.Time, error) {
	switch v.Type {
	case bson.TypeDateTime:
		ms, _ := v.DateTimeOK()
		return time.UnixMilli(ms).UTC(), nil
	case bson.TypeNull, bson.TypeUndefined:
		return time.Time{}, nil
	case bson.TypeString:
		s, _ := v.StringValueOK()
		t, err := wire.ParseTime(s)
		if err != nil {
			return time.Time{}, fmt.Errorf("time %q: %w", oops.ValidUTF8(s), err)
		}
		return t.UTC(), nil
	}
	return time.Time{}, typeError("a datetime", v)
}

// reqVars reads a document of strings, or the list of [name, value] pairs
// older python reports hold.
func reqVars(v bson.RawValue) (map[string]string, error) {
	switch v.Type {
	case bson.TypeNull, bson.TypeUndefined:
		return nil, nil
	case bson.TypeEmbeddedDocument:
		doc, _ := v.DocumentOK()
		if err := doc.Validate(); err != nil {
			return nil, err
		}
		elems, err := doc.Elements()
		if err != nil {
			return nil, err
		}
		out := make(map[string]string, len(elems))
		for _, el := range elems {
			s, err := anyString(el.Value())
			if err != nil {
				return nil, err
			}
			out[oops.ValidUTF8(el.Key())] = s
		}
		return out, nil
	case bson.TypeArray:
		pairs, err := arrayValues(v)
		if err != nil {
			return nil, err
		}
		out := make(map[string]string, len(pairs))
		for i, p := range pairs {
			if kv, err := arrayValues(p); err == nil && len(kv) == 2 {
				k, kerr := anyString(kv[0])
				s, serr := anyString(kv[1])
				if kerr == nil && serr == nil {
					out[k] = s
					continue
				}
			}
			// Not a [name, value] pair: kept whole, as the JSON decoder
			// keeps it, rather than losing the report.
			s, err := anyString(p)
			if err != nil {
				return nil, fmt.Errorf("pair %d: %w", i, err)
			}
			out[oops.BadPairKey(i)] = s
		}
		return out, nil
	}
	return nil, typeError("a document or a list of pairs", v)
}

// anyString is stringish that also accepts documents and arrays, written as
// their JSON text: request variables are for people to read.
func anyString(v bson.RawValue) (string, error) {
	if s, err := stringish(v); err == nil {
		return s, nil
	}
	x, err := generic(v, 1)
	if err != nil {
		return "", err
	}
	switch x.(type) {
	case map[string]any, []any:
		// Their JSON text, as the JSON decoder keeps them.
		if b, err := json.Marshal(x); err == nil {
			return string(b), nil
		}
	}
	return oops.ValidUTF8(fmt.Sprint(x)), nil
}

func timeline(v bson.RawValue) ([]oops.TimelineEntry, error) {
	if v.Type == bson.TypeNull || v.Type == bson.TypeUndefined {
		return nil, nil
	}
	vals, err := arrayValues(v)
	if err != nil {
		return nil, err
	}
	out := make([]oops.TimelineEntry, len(vals))
	for i, ev := range vals {
		fields, err := arrayValues(ev)
		if err != nil {
			return nil, fmt.Errorf("timeline entry %d: %w", i, err)
		}
		if err := timelineEntry(&out[i], fields); err != nil {
			return nil, fmt.Errorf("timeline entry %d: %w", i, err)
		}
	}
	return out, nil
}

// timelineEntry reads [start, end, category, detail, backtrace?, error?];
// python writes offsets as int32, int64 or double.
func timelineEntry(e *oops.TimelineEntry, f []bson.RawValue) error {
	if len(f) < 4 || len(f) > 6 {
		return fmt.Errorf("%d elements, want 4 to 6", len(f))
	}
	var err error
	if e.Start, err = offset(f[0]); err != nil {
		return fmt.Errorf("start: %w", err)
	}
	if e.End, err = offset(f[1]); err != nil {
		return fmt.Errorf("end: %w", err)
	}
	if e.Category, err = anyString(f[2]); err != nil {
		return fmt.Errorf("category: %w", err)
	}
	if e.Detail, err = anyString(f[3]); err != nil {
		return fmt.Errorf("detail: %w", err)
	}
	if len(f) > 4 && f[4].Type != bson.TypeNull && f[4].Type != bson.TypeUndefined {
		bt, err := anyString(f[4])
		if err != nil {
			return fmt.Errorf("backtrace: %w", err)
		}
		e.Backtrace = &bt
	}
	if len(f) > 5 {
		if e.Error, err = anyString(f[5]); err != nil {
			return fmt.Errorf("error: %w", err)
		}
	}
	return nil
}

// offset reads a timeline offset in milliseconds, whole or not.
func offset(v bson.RawValue) (time.Duration, error) {
	f, ok := v.AsFloat64OK()
	if !ok {
		return 0, typeError("a number", v)
	}
	return wire.OffsetFromMillis(f)
}

func logRecords(v bson.RawValue) ([]oops.LogRecord, error) {
	if v.Type == bson.TypeNull || v.Type == bson.TypeUndefined {
		return nil, nil
	}
	vals, err := arrayValues(v)
	if err != nil {
		return nil, err
	}
	out := make([]oops.LogRecord, len(vals))
	for i, rv := range vals {
		doc, ok := rv.DocumentOK()
		if !ok {
			return nil, fmt.Errorf("log record %d: %w", i, typeError("a document", rv))
		}
		if err := doc.Validate(); err != nil {
			return nil, fmt.Errorf("log record %d: %w", i, err)
		}
		elems, err := doc.Elements()
		if err != nil {
			return nil, fmt.Errorf("log record %d: %w", i, err)
		}
		rec := &out[i]
		for _, el := range elems {
			var err error
			switch el.Key() {
			case "time":
				rec.Time, err = timeish(el.Value())
			case "level":
				rec.Level, err = stringish(el.Value())
			case "msg":
				rec.Msg, err = stringish(el.Value())
			case "attrs":
				rec.Attrs, err = document(el.Value())
			}
			if err != nil {
				return nil, fmt.Errorf("log record %d key %q: %w", i, el.Key(), err)
			}
		}
	}
	return out, nil
}

// document reads a map such as attrs; null is nil.
func document(v bson.RawValue) (map[string]any, error) {
	if v.Type == bson.TypeNull || v.Type == bson.TypeUndefined {
		return nil, nil
	}
	if v.Type != bson.TypeEmbeddedDocument {
		return nil, typeError("a document", v)
	}
	x, err := generic(v, 0)
	if err != nil {
		return nil, err
	}
	return x.(map[string]any), nil
}

// generic turns any BSON value into plain Go data, the kinds oops.Plain
// returns (and []byte for binary), so that a decoded report encodes again.
func generic(v bson.RawValue, depth int) (any, error) {
	if depth > maxDepth {
		return "<too deep>", nil
	}
	switch v.Type {
	case bson.TypeNull, bson.TypeUndefined:
		return nil, nil
	case bson.TypeString:
		s, _ := v.StringValueOK()
		return oops.ValidUTF8(s), nil
	case bson.TypeBoolean:
		b, _ := v.BooleanOK()
		return b, nil
	case bson.TypeInt32, bson.TypeInt64:
		n, _ := v.AsInt64OK()
		return n, nil
	case bson.TypeDouble:
		f, _ := v.DoubleOK()
		return f, nil
	case bson.TypeDateTime:
		ms, _ := v.DateTimeOK()
		return time.UnixMilli(ms).UTC(), nil
	case bson.TypeBinary:
		_, b, _ := v.BinaryOK()
		return bytes.Clone(b), nil
	case bson.TypeObjectID:
		oid, _ := v.ObjectIDOK()
		return oid.Hex(), nil
	case bson.TypeSymbol:
		s, _ := v.SymbolOK()
		return oops.ValidUTF8(s), nil
	case bson.TypeEmbeddedDocument:
		doc, _ := v.DocumentOK()
		if err := doc.Validate(); err != nil {
			return nil, err
		}
		elems, err := doc.Elements()
		if err != nil {
			return nil, err
		}
		m := make(map[string]any, len(elems))
		for _, el := range elems {
			x, err := generic(el.Value(), depth+1)
			if err != nil {
				return nil, err
			}
			m[oops.ValidUTF8(el.Key())] = x
		}
		return m, nil
	case bson.TypeArray:
		vals, err := arrayValues(v)
		if err != nil {
			return nil, err
		}
		s := make([]any, len(vals))
		for i, ev := range vals {
			if s[i], err = generic(ev, depth+1); err != nil {
				return nil, err
			}
		}
		return s, nil
	}
	// Decimal128, regular expressions, JavaScript, timestamps, min and max
	// keys: no report tool writes them; keep their text.
	if err := v.Validate(); err != nil {
		return nil, err
	}
	return oops.ValidUTF8(v.String()), nil
}

// arrayValues returns the elements of the BSON array v, checked to be well
// formed; anything else is a type error.
func arrayValues(v bson.RawValue) ([]bson.RawValue, error) {
	arr, ok := v.ArrayOK()
	if !ok {
		return nil, typeError("an array", v)
	}
	if err := arr.Validate(); err != nil {
		return nil, err
	}
	return arr.Values()
}
