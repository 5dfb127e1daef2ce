package flight

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/internal/detail"
)

// A Record is a log record kept by the recorder, in the integration's own
// form: implementations wrap their logger's record type (a cloned
// slog.Record, a zapcore.Entry with a copy of its fields) and render it only
// when asked. A kept Record must not change; it may be rendered many times,
// from several goroutines at once.
type Record interface {
	// LogRecord renders the record for Report.Log: its time, level name,
	// message and attributes as plain data (see oops.Plain), groups as
	// nested maps. A panic is recovered by the recorder (see Render).
	LogRecord() oops.LogRecord

	// String renders the record as a timeline entry's detail, in the format
	// every integration shares: flight.Detail(flight.Render(rec)).
	fmt.Stringer
}

// Render returns rec.LogRecord(), or, when that panics, a record whose
// message says so: a broken record never loses a report.
func Render(rec Record) (lr oops.LogRecord) {
	defer func() {
		if p := recover(); p != nil {
			lr = oops.LogRecord{Msg: fmt.Sprintf("<record panicked: %v>", p)}
		}
	}()
	return rec.LogRecord()
}

// render is Render with the time and level known at Keep filled in when the
// record left them empty (or panicked).
func render(rec Record, t time.Time, level slog.Level) oops.LogRecord {
	lr := Render(rec)
	if lr.Time.IsZero() {
		lr.Time = t
	}
	if lr.Level == "" {
		lr.Level = level.String()
	}
	return lr
}

// Detail formats a rendered record as one line for a timeline entry: the
// message, then key=value for each attribute in key order, groups flattened
// as group.key. Values that are empty or hold spaces, quotes, '=' or
// control characters are quoted.
func Detail(lr oops.LogRecord) string {
	var b strings.Builder
	b.WriteString(lr.Msg)
	writeAttrs(&b, "", lr.Attrs)
	return b.String()
}

func writeAttrs(b *strings.Builder, prefix string, attrs map[string]any) {
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if m, ok := attrs[k].(map[string]any); ok {
			writeAttrs(b, prefix+k+".", m)
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(prefix)
		b.WriteString(k)
		b.WriteByte('=')
		t, ok := detail.Text(attrs[k])
		if !ok {
			t = fmt.Sprint(attrs[k])
		}
		b.WriteString(detail.Quote(t))
	}
}
