package oops

import (
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/oops-go/oops/internal/wire"
)

// WriteText writes r for a person to read: the id and the error first, then
// every other field of WireFields that is set, by its wire key, in the
// schema's order; then the maps (attrs, request variables, extra), the
// timeline as a table (offset, duration, category, detail), the log records
// and the traceback.
func (r *Report) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	ew.printf("%s\n", r.ID)
	ew.printf("%s: %s\n", r.Type, oneLine(r.Value))
	for _, f := range wireFields {
		if v, ok := textScalar(f, r); ok {
			ew.printf("  %-11s %s\n", f.Key, oneLine(v))
		}
	}
	for _, f := range wireFields {
		switch p := f.ptr(r).(type) {
		case *map[string]any:
			writeMap(ew, f.Key, *p)
		case *map[string]string:
			if len(*p) > 0 {
				ew.printf("request variables:\n")
				for _, k := range slices.Sorted(maps.Keys(*p)) {
					ew.printf("  %s: %s\n", k, oneLine((*p)[k]))
				}
			}
		}
	}
	writeMap(ew, "extra", r.Extra)
	for _, f := range wireFields {
		switch p := f.ptr(r).(type) {
		case *[]TimelineEntry:
			if err := writeTimeline(ew, *p, r.TimelineDropped); err != nil {
				return err
			}
		case *[]LogRecord:
			writeLog(ew, *p)
		}
	}
	if r.TBText != "" {
		ew.printf("traceback:\n")
		for line := range strings.Lines(r.TBText) {
			ew.printf("  %s", line)
		}
		if !strings.HasSuffix(r.TBText, "\n") {
			ew.printf("\n")
		}
	}
	return ew.err
}

// textScalar returns the text of a one-line field that is set, or false for
// fields rendered elsewhere (the header, the sections) or not set.
func textScalar(f WireField, r *Report) (string, bool) {
	switch f.Key {
	case "id", "type", "value", "tb_text":
		return "", false
	}
	switch p := f.ptr(r).(type) {
	case *string:
		return *p, *p != ""
	case *time.Time:
		return formatTime(*p), !p.IsZero()
	case *float64:
		// Seconds, to the microsecond: a fast request is not "0.000s".
		return seconds(*p), *p >= 0
	case *int:
		return strconv.Itoa(*p), *p > 0
	case *bool:
		return "true", *p
	}
	return "", false
}

func writeTimeline(ew *errWriter, tl []TimelineEntry, dropped int) error {
	if len(tl) == 0 {
		return nil
	}
	ew.printf("timeline (%d entries", len(tl))
	if dropped > 0 {
		ew.printf(", %d dropped", dropped)
	}
	ew.printf("):\n")
	tw := tabwriter.NewWriter(ew, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "  offset\tduration\tcategory\tdetail\n")
	for _, e := range tl {
		detail := oneLine(e.Detail)
		if e.Error != "" {
			detail += "  !! " + oneLine(e.Error)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", millis(e.Start), millis(e.End-e.Start), e.Category, detail)
	}
	return tw.Flush()
}

func writeLog(ew *errWriter, recs []LogRecord) {
	if len(recs) == 0 {
		return
	}
	ew.printf("process log, logged without a request context (%d records):\n", len(recs))
	for _, l := range recs {
		ew.printf("  %s %-5s %s", formatTime(l.Time), l.Level, oneLine(l.Msg))
		for _, k := range slices.Sorted(maps.Keys(l.Attrs)) {
			ew.printf(" %s=%s", k, oneLine(fmt.Sprint(l.Attrs[k])))
		}
		ew.printf("\n")
	}
}

// seconds renders a duration in seconds as Go writes durations ("1.5s",
// "212µs"), to the microsecond.
func seconds(s float64) string {
	if s > float64(math.MaxInt64)/float64(time.Second) {
		return strconv.FormatFloat(s, 'g', -1, 64) + "s"
	}
	return time.Duration(s * float64(time.Second)).Round(time.Microsecond).String()
}

// millis renders a timeline offset or duration in milliseconds, to the
// microsecond when it is not whole.
func millis(d time.Duration) string {
	ms, _ := wire.OffsetMillis(d)
	return strconv.FormatFloat(ms, 'f', -1, 64) + "ms"
}

func writeMap(ew *errWriter, name string, m map[string]any) {
	if len(m) == 0 {
		return
	}
	ew.printf("%s:\n", name)
	for _, k := range slices.Sorted(maps.Keys(m)) {
		ew.printf("  %s: %s\n", k, oneLine(fmt.Sprint(m[k])))
	}
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// oneLine keeps each field on one line of the rendering and long values short.
func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", `\n`)
	const max = 200
	if len(s) > max {
		n := max
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		return s[:n] + fmt.Sprintf("… (%d bytes)", len(s))
	}
	return s
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, args ...any) { fmt.Fprintf(e, format, args...) }
