package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/oops-go/oops/store"
)

// queryFlags are the filters list and summary share.
type queryFlags struct {
	tr                                              timeRange
	typ, topic, reporter, signature, resource, text string
}

func (f *queryFlags) add(c *cobra.Command, defaultSince string) {
	f.tr.flags(c, defaultSince)
	c.Flags().StringVar(&f.typ, "type", "", "only reports of this type, e.g. '*pgconn.PgError'")
	c.Flags().StringVar(&f.topic, "topic", "", "only reports of this topic (route pattern or job), e.g. 'POST /transfer'")
	c.Flags().StringVar(&f.reporter, "reporter", "", "only reports of this reporter (service instance)")
	c.Flags().StringVar(&f.signature, "signature", "", "only reports of this signature (one problem)")
	c.Flags().StringVar(&f.resource, "resource", "", "only reports about this resource, e.g. order/8123")
	c.Flags().StringVar(&f.text, "text", "", "only reports whose value contains this text (any case)")
}

func (f *queryFlags) query(now time.Time, defaultSince string) (store.Query, error) {
	from, to, err := f.tr.resolve(now, defaultSince)
	if err != nil {
		return store.Query{}, err
	}
	return store.Query{From: from, To: to, Type: f.typ, Topic: f.topic, Reporter: f.reporter,
		Signature: f.signature, Resource: f.resource, Text: f.text}, nil
}

func newList(e *env) *cobra.Command {
	var qf queryFlags
	var limit int
	var cursor string
	var all, asJSON bool
	c := &cobra.Command{
		Use:   "list",
		Short: "List reports, newest first, with filters",
		Long: `List prints the reports that match the filters, newest first, as a table that
fits the terminal, one page of --limit at a time; the command for the next
page is printed on stderr. --all prints every page. --json prints one JSON
object per line (the report's summary: id, time, type, value, topic, counts).`,
		Example: `  oops list --since 24h
  oops list --from 2026-12-01 --to 2026-12-02 --type SoftRequestTimeout
  oops list --topic 'POST /transfer' --text 'insufficient' --json | jq -r .id
  oops list --signature 5c1e0a9d --all`,
		Args: args(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			q, err := qf.query(time.Now(), "")
			if err != nil {
				return err
			}
			if limit < 1 || limit > store.MaxLimit {
				return usageErr("--limit %d: want 1 to %d", limit, store.MaxLimit)
			}
			q.Limit, q.Cursor = limit, cursor
			ctx := c.Context()
			h, err := e.open(ctx)
			if err != nil {
				return err
			}
			defer h.close()
			t := newListTable(e, e.stdout)
			for first := true; ; first = false {
				page, err := h.reader.List(ctx, q)
				if err != nil {
					if ctx.Err() != nil {
						return ctx.Err()
					}
					if q.Cursor != "" && first {
						return usageErr("--cursor: %v", err)
					}
					return storeErr(err)
				}
				for _, s := range page.Reports {
					if asJSON {
						b, err := json.Marshal(s)
						if err != nil {
							return err
						}
						fmt.Fprintf(e.stdout, "%s\n", b)
						continue
					}
					t.row(s)
				}
				if first && len(page.Reports) == 0 && !asJSON {
					fmt.Fprintln(e.stderr, "no reports match")
				}
				if page.Next == "" {
					return nil
				}
				if !all {
					fmt.Fprintf(e.stderr, "more: add --cursor %s\n", page.Next)
					return nil
				}
				q.Cursor = page.Next
			}
		},
	}
	qf.add(c, "")
	c.Flags().IntVarP(&limit, "limit", "n", store.DefaultLimit, fmt.Sprintf("reports per page, at most %d", store.MaxLimit))
	c.Flags().StringVar(&cursor, "cursor", "", "the page after the one a previous list ended with")
	c.Flags().BoolVar(&all, "all", false, "print every page")
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object per report, one per line")
	return c
}

// listTable prints summaries as rows that fit the width.
type listTable struct {
	w                     io.Writer
	p                     palette
	typeW, topicW, valueW int
	header                bool
}

func newListTable(e *env, w io.Writer) *listTable {
	width := e.width(w)
	// time (19) id (37) sql (14), spaces between: the rest is shared.
	rest := width - 19 - 1 - 37 - 1 - 14 - 1 - 3
	t := &listTable{w: w, p: palette(e.color(w))}
	t.typeW = min(max(rest/4, 6), 28)
	t.topicW = min(max(rest/4, 6), 24)
	t.valueW = max(rest-t.typeW-t.topicW, 10)
	return t
}

func (t *listTable) row(s store.Summary) {
	if !t.header {
		t.header = true
		fmt.Fprintf(t.w, "%s\n", t.p.c(bold, fmt.Sprintf("%-19s %-37s %s %s %-14s %s", "TIME (UTC)", "ID",
			pad("TYPE", t.typeW), pad("TOPIC", t.topicW), "SQL", "VALUE")))
	}
	sql := ""
	if s.Statements > 0 {
		sql = fmt.Sprintf("%d/%s", s.Statements, dur(s.SQLTime))
	}
	fmt.Fprintf(t.w, "%-19s %-37s %s %s %-14s %s\n", s.Time.UTC().Format("2006-01-02 15:04:05"), cut(oneLine(s.ID), 37),
		t.p.c(red, pad(cut(oneLine(s.Type), t.typeW), t.typeW)), pad(cut(oneLine(s.Topic), t.topicW), t.topicW),
		sql, cut(oneLine(s.Value), t.valueW))
}
