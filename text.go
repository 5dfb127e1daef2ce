package oops

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"
)

// WriteText writes r for a person to read: the id and the error first, then
// the request and the other fields that are set, the timeline as a table
// (offset, duration, category, detail) and the traceback.
func (r *Report) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	ew.printf("%s\n", r.ID)
	ew.printf("%s: %s\n", r.Type, oneLine(r.Value))
	fields := []struct{ k, v string }{
		{"time", formatTime(r.Time)},
		{"level", r.Level}, {"msg", r.Msg},
		{"topic", r.Topic}, {"url", r.URL}, {"username", r.Username},
		{"hostname", r.Hostname}, {"reporter", r.Reporter},
		{"branch_nick", r.BranchNick}, {"revno", r.Revno},
		{"signature", r.Signature}, {"trace_id", r.TraceID}, {"span_id", r.SpanID},
	}
	if r.Duration >= 0 {
		fields = append(fields, struct{ k, v string }{"duration", fmt.Sprintf("%.3fs", r.Duration)})
	}
	if r.Resource != "" {
		fields = append(fields, struct{ k, v string }{"resource", r.Resource})
	}
	if r.Revision > 0 {
		fields = append(fields, struct{ k, v string }{"revision", fmt.Sprint(r.Revision)})
	}
	if r.Suppressed > 0 {
		fields = append(fields, struct{ k, v string }{"suppressed", fmt.Sprint(r.Suppressed)})
	}
	for _, f := range fields {
		if f.v != "" {
			ew.printf("  %-11s %s\n", f.k, oneLine(f.v))
		}
	}
	writeMap(ew, "attrs", r.Attrs)
	if len(r.ReqVars) > 0 {
		ew.printf("request variables:\n")
		for _, k := range slices.Sorted(maps.Keys(r.ReqVars)) {
			ew.printf("  %s: %s\n", k, oneLine(r.ReqVars[k]))
		}
	}
	writeMap(ew, "extra", r.Extra)
	if len(r.Timeline) > 0 {
		ew.printf("timeline (%d entries", len(r.Timeline))
		if r.TimelineDropped > 0 {
			ew.printf(", %d dropped", r.TimelineDropped)
		}
		ew.printf("):\n")
		tw := tabwriter.NewWriter(ew, 0, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "  offset\tduration\tcategory\tdetail\n")
		for _, e := range r.Timeline {
			detail := oneLine(e.Detail)
			if e.Error != "" {
				detail += "  !! " + oneLine(e.Error)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", millis(e.Start), millis(e.End-e.Start), e.Category, detail)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(r.Log) > 0 {
		ew.printf("process log, logged without a request context (%d records):\n", len(r.Log))
		for _, l := range r.Log {
			ew.printf("  %s %-5s %s", formatTime(l.Time), l.Level, oneLine(l.Msg))
			for _, k := range slices.Sorted(maps.Keys(l.Attrs)) {
				ew.printf(" %s=%v", k, l.Attrs[k])
			}
			ew.printf("\n")
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

// millis renders a timeline offset or duration in milliseconds, to the
// microsecond when it is not whole.
func millis(d time.Duration) string {
	ms, _ := OffsetMillis(d)
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
