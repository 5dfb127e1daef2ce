package datedir

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/store"
)

// readSummary reads the file name (relative to root) as List and Groups
// need it: of the timeline only each entry's offsets and category are
// decoded (statement texts and stacks are most of a report), so that a scan
// of a day of reports costs a fraction of decoding them whole. buf is the caller's
// buffer, reused from file to file. A file this fast path does not take
// (compressed, or not a well-formed plain report) is decoded whole, so that
// its error, or its summary, is exactly Get's.
func (r *Repo) readSummary(dayRoot *os.Root, day, name string, buf *[]byte) (store.Summary, error) {
	path := filepath.Join(r.root, day, name)
	f, err := dayRoot.Open(name)
	if err != nil {
		return store.Summary{}, fmt.Errorf("datedir: reading %s: %w", path, err)
	}
	data, err := readAllInto(f, buf)
	f.Close()
	if err != nil {
		return store.Summary{}, fmt.Errorf("datedir: reading %s: %w", path, err)
	}
	if len(data) <= readLimit && !bytes.HasPrefix(data, bzip2Magic) {
		if rep, ok := quickSummary(data); ok {
			if rep.ID == "" {
				rep.ID = filepath.Base(path)
			}
			return store.SummaryOf(rep), nil
		}
	}
	rep, err := decodeFile(bytes.NewReader(data), path)
	if err != nil {
		return store.Summary{}, err
	}
	if rep.ID == "" {
		rep.ID = filepath.Base(path)
	}
	return store.SummaryOf(rep), nil
}

// readAllInto reads f whole (at most readLimit+1 bytes) into *buf, which
// keeps its capacity from file to file: no stat, and no allocation once the
// buffer fits the day's files.
func readAllInto(f *os.File, buf *[]byte) ([]byte, error) {
	b := (*buf)[:0]
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
		n, err := f.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
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

// unsummarised are the string keys a summary does not show.
var unsummarised = map[string]bool{"tb_text": true, "branch_nick": true, "revno": true, "msg": true, "span_id": true}

// quickSummary decodes a plain BSON report as Decode does, except that of
// its timeline it keeps only each entry's offsets and category (the rest is
// checked, not copied): what SummaryOf reads. ok is false when the data is
// not a well-formed report; the caller then decodes it whole, for the
// error.
func quickSummary(data []byte) (rep *oops.Report, ok bool) {
	defer func() {
		if recover() != nil {
			rep, ok = nil, false
		}
	}()
	if len(data) < 5 || int(binary.LittleEndian.Uint32(data)) != len(data) {
		return nil, false
	}
	if bsoncore.Document(data).Validate() != nil {
		return nil, false
	}
	rep = &oops.Report{Duration: -1}
	rest := data[4 : len(data)-1]
	for len(rest) > 0 {
		el, next, ok := bsoncore.ReadElement(rest)
		if !ok {
			return nil, false
		}
		rest = next
		k := el.Key()
		v := el.Value()
		switch {
		case k == "timeline":
			if !quickTimeline(rep, v) {
				return nil, false
			}
		case unsummarised[k] && v.Type == bsoncore.TypeString:
			// A string where decodeKey wants one; a summary does not
			// show it, so it is not copied.
		default:
			if decodeKey(rep, k, bson.RawValue{Type: bson.Type(v.Type), Value: v.Data}) != nil {
				return nil, false
			}
		}
	}
	return rep, true
}

// quickTimeline reads each entry's start, end and category, and checks the
// rest as timelineEntry would read it.
func quickTimeline(rep *oops.Report, v bsoncore.Value) bool {
	if v.Type == bsoncore.TypeNull || v.Type == bsoncore.TypeUndefined {
		return true
	}
	arr, ok := v.ArrayOK()
	if !ok {
		return false
	}
	entries := arr[4 : len(arr)-1]
	n := 0
	for rest := entries; len(rest) > 0; n++ {
		_, next, ok := bsoncore.ReadElement(rest)
		if !ok {
			return false
		}
		rest = next
	}
	rep.Timeline = make([]oops.TimelineEntry, 0, n)
	for len(entries) > 0 {
		el, next, _ := bsoncore.ReadElement(entries)
		entries = next
		fields, ok := el.Value().ArrayOK()
		if !ok {
			return false
		}
		var e oops.TimelineEntry
		f := fields[4 : len(fields)-1]
		count := 0
		for ; len(f) > 0; count++ {
			fe, fnext, ok := bsoncore.ReadElement(f)
			if !ok {
				return false
			}
			f = fnext
			fv := fe.Value()
			rv := bson.RawValue{Type: bson.Type(fv.Type), Value: fv.Data}
			var err error
			switch count {
			case 0:
				e.Start, err = offset(rv)
			case 1:
				e.End, err = offset(rv)
			case 2:
				// SummaryOf reads a category's "SQL-" prefix only: the
				// constant strings below keep it without a copy.
				if fv.Type == bsoncore.TypeString && len(fv.Data) >= 5 {
					e.Category = sqlCategory(fv.Data[4 : len(fv.Data)-1]) // int32 length, text, NUL
				} else {
					e.Category, err = anyString(rv)
				}
			case 3, 4, 5:
				// The detail, backtrace and error: strings (or a null
				// backtrace) as written; anything else as timelineEntry
				// takes it, or refuses it.
				if fv.Type != bsoncore.TypeString && !(count == 4 && (fv.Type == bsoncore.TypeNull || fv.Type == bsoncore.TypeUndefined)) {
					_, err = anyString(rv)
				}
			}
			if err != nil {
				return false
			}
		}
		if count < 4 || count > 6 {
			return false
		}
		rep.Timeline = append(rep.Timeline, e)
	}
	return true
}

// sqlCategory returns c, or a constant with the same "SQL" or "SQL-"
// prefix standing for it.
func sqlCategory(c []byte) string {
	switch {
	case bytes.HasPrefix(c, []byte("SQL-")):
		return "SQL-"
	case string(c) == "SQL":
		return "SQL"
	}
	return "other"
}
