package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/analysis"
	"github.com/oops-go/oops/store"
)

func newShow(e *env) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "show ID…",
		Short: "Show reports: the report, its analysis and its timeline as a waterfall",
		Long: `Show prints each report given by id: its fields, request, log and
traceback; its analysis (total time, time in SQL against the rest, the longest
statements, statements repeated with the same normalised text and what one
query would have saved, N+1 runs); and its timeline drawn as a waterfall.

Ids are taken as people paste them: with or without "OOPS-", in any case, with
spaces around, or a URL that ends in one. An id not found is named on stderr,
the others are shown, and the exit code is 1.`,
		Example: `  oops show OOPS-3f2a9c0e1d2b4a5f8e7d6c5b4a392817
  oops show 3F2A9C0E1D2B4A5F8E7D6C5B4A392817 https://oops.example/oops/OOPS-8c0f…
  oops show --json OOPS-3f2a9c0e1d2b4a5f8e7d6c5b4a392817 | jq .timeline`,
		Args: args(cobra.MinimumNArgs(1)),
		RunE: func(c *cobra.Command, ids []string) error {
			ctx := c.Context()
			h, err := e.open(ctx)
			if err != nil {
				return err
			}
			defer h.close()
			out := e.stdout
			for n, id := range ids {
				r, err := h.reader.Get(ctx, id)
				if err != nil {
					if ctx.Err() != nil {
						return ctx.Err()
					}
					e.warn(getError(id, h.name, err))
					continue
				}
				if asJSON {
					b, err := json.Marshal(r)
					if err != nil {
						e.warn(fmt.Errorf("%s: %w", r.ID, err))
						continue
					}
					fmt.Fprintf(out, "%s\n", b)
					continue
				}
				if n > 0 {
					fmt.Fprintf(out, "\n%s\n\n", strings.Repeat("─", min(e.width(out), 80)))
				}
				if err := e.showText(out, r); err != nil {
					return err
				}
			}
			return nil
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print each report's JSON, one per line")
	return c
}

// getError says in one line why id could not be shown.
func getError(id, storeName string, err error) error {
	shown := cut(oneLine(strings.TrimSpace(id)), 80)
	if p, perr := oops.ParseID(id); perr == nil {
		shown = p
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("%s: not found in %s", shown, storeName)
	case errors.Is(err, oops.ErrBadID):
		return fmt.Errorf("%q: not an OOPS id", shown)
	}
	return err
}

// showText writes r for a person: the report, its analysis, its waterfall.
func (e *env) showText(w io.Writer, r *oops.Report) error {
	p := palette(e.color(w))
	// The report's own text, less its timeline (the waterfall shows it).
	plain := *r
	plain.Timeline = nil
	var sb strings.Builder
	if err := plain.WriteText(&sb); err != nil {
		return err
	}
	text := clean(sb.String(), true)
	first, rest, _ := strings.Cut(text, "\n")
	typ, rest, _ := strings.Cut(rest, "\n")
	fmt.Fprintf(w, "%s\n%s\n%s", p.c(bold, first), p.c(red, typ), rest)
	if len(r.Timeline) == 0 {
		fmt.Fprintln(w, "\nno timeline")
		return nil
	}
	a := analysis.Of(r, nil)
	fmt.Fprintln(w)
	writeAnalysis(w, p, r, a, e.width(w))
	fmt.Fprintln(w)
	writeWaterfall(w, p, r, a, e.width(w))
	return nil
}

// dur formats a duration for tables: to the microsecond below 10 ms.
func dur(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.3fms", ms)
	case d < time.Second:
		return fmt.Sprintf("%.1fms", ms)
	}
	return fmt.Sprintf("%.2fs", d.Seconds())
}

func percent(part, whole time.Duration) string {
	if whole <= 0 {
		return ""
	}
	return fmt.Sprintf(" (%.0f%%)", 100*float64(part)/float64(whole))
}

func writeAnalysis(w io.Writer, p palette, r *oops.Report, a analysis.Report, width int) {
	fmt.Fprintf(w, "%s\n", p.c(bold, "analysis:"))
	fmt.Fprintf(w, "  total %s   SQL %s%s in %d statements   other %s%s\n",
		dur(a.Total), dur(a.SQL), percent(a.SQL, a.Total), a.Statements, dur(a.Other), percent(a.Other, a.Total))
	textWidth := max(width-28, 30)
	if len(a.NPlusOne) > 0 {
		fmt.Fprintf(w, "  %s\n", p.c(red, "N+1 queries:"))
		for _, n := range a.NPlusOne {
			fmt.Fprintf(w, "    %d × %s, entries #%d–#%d, %s together, after #%d %s\n", n.Count,
				p.c(red, cut(oneLine(n.Normalized), textWidth)), n.First, n.Last, dur(n.Total), n.Source,
				cut(oneLine(analysis.Normalize(r.Timeline[n.Source].Detail)), textWidth))
		}
	}
	if len(a.Repeated) > 0 {
		fmt.Fprintf(w, "  repeated statements:\n")
		for i, rp := range a.Repeated {
			if i == 10 {
				fmt.Fprintf(w, "    … %d more\n", len(a.Repeated)-i)
				break
			}
			fmt.Fprintf(w, "    %3d × %-9s = %-9s  one query would save %-9s  %s\n", rp.Count, dur(rp.Mean), dur(rp.Total),
				dur(rp.Saved), cut(oneLine(rp.Normalized), max(width-70, 30)))
		}
	}
	if len(a.Longest) > 0 {
		fmt.Fprintf(w, "  longest statements:\n")
		for _, s := range a.Longest {
			fmt.Fprintf(w, "    #%-4d %-9s  %s\n", s.Index, dur(s.Duration), cut(oneLine(r.Timeline[s.Index].Detail), max(width-22, 30)))
		}
	}
}

// writeWaterfall draws the timeline, one bar per entry on a common scale,
// statements of N+1 runs in red, other statements in yellow, other kinds
// in blue.
func writeWaterfall(w io.Writer, p palette, r *oops.Report, a analysis.Report, width int) {
	var span time.Duration
	catW := len("category")
	for _, en := range r.Timeline {
		span = max(span, en.End, en.Start)
		catW = max(catW, min(len(en.Category), 16))
	}
	barW := max(10, min(50, width/4))
	fmt.Fprintf(w, "%s", p.c(bold, fmt.Sprintf("timeline (%d entries", len(r.Timeline))))
	if r.TimelineDropped > 0 {
		fmt.Fprintf(w, "%s", p.c(bold, fmt.Sprintf(", %d dropped", r.TimelineDropped)))
	}
	fmt.Fprintf(w, "%s\n", p.c(bold, fmt.Sprintf(", %s; N+1: a repeat of an N+1 run, src: its source, max: among the longest):", dur(span))))
	fixed := 5 + 1 + 10 + 1 + 9 + 1 + barW + 2 + 1 + 4 + 1 + catW + 1
	detailW := max(width-fixed, 20)
	fmt.Fprintf(w, "%5s %10s %9s %s %-4s %s %s\n", "#", "start", "duration", pad("", barW+2), "", pad("category", catW), "detail")
	for i, en := range r.Timeline {
		info := a.Entries[i]
		color, mark := blue, ""
		switch {
		case info.NPlusOne >= 0:
			color, mark = red, "N+1"
		case info.SQL:
			color = yellow
		case strings.HasPrefix(en.Category, "log-"):
			color = grey
		}
		if info.Source >= 0 {
			mark = "src"
		}
		if info.Longest && mark == "" && a.Statements > len(a.Longest) {
			mark = "max"
		}
		detail := oneLine(en.Detail)
		if en.Error != "" {
			detail += "  !! " + oneLine(en.Error)
		}
		fmt.Fprintf(w, "%5d %10s %9s |%s| %-4s %s %s\n", i, dur(en.Start), dur(max(en.End-en.Start, 0)),
			p.c(color, bar(en.Start, en.End, span, barW)), mark, pad(cut(oneLine(en.Category), catW), catW), cut(detail, detailW))
	}
}

// bar draws [start, end) of span in n cells: at least one cell, so that a
// statement of a few microseconds still shows where it ran.
func bar(start, end, span time.Duration, n int) string {
	if span <= 0 {
		span = 1
	}
	scale := float64(n) / float64(span)
	from := int(math.Floor(float64(max(start, 0)) * scale))
	to := int(math.Ceil(float64(max(end, start, 0)) * scale))
	from = max(min(from, n-1), 0)
	to = min(max(to, from+1), n)
	return strings.Repeat(" ", from) + strings.Repeat("█", to-from) + strings.Repeat(" ", n-to)
}
