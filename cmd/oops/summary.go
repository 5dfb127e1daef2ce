package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/oops-go/oops/analysis"
	"github.com/oops-go/oops/store"
)

// A summary is what the summary command prints, in every format.
type summary struct {
	From     time.Time        `json:"from"`
	To       time.Time        `json:"to"`
	Reports  int              `json:"reports"`
	Groups   int              `json:"groups"`
	Sections []summarySection `json:"sections"`
}

type summarySection struct {
	Class  analysis.Class `json:"class"`
	Title  string         `json:"title"`
	Count  int            `json:"count"`
	Groups []summaryGroup `json:"groups"`
}

type summaryGroup struct {
	store.Group
	More int `json:"more"` // reports whose topic is not among Topics
}

const defaultSummarySince = "24h"

func newSummary(e *env) *cobra.Command {
	var qf queryFlags
	var asJSON bool
	var htmlFile, rulesFile string
	var limit int
	c := &cobra.Command{
		Use:   "summary",
		Short: "Summarise a time range: reports grouped by problem, in sections by class",
		Long: `Summary groups the reports of a time range (by default the last 24 hours) by
signature, as oops-tools' daily summary did: each group with its count, type and
value, first and last seen, its most common topics and URLs with an example id,
and how many more. The groups are sorted into sections by class; the default
rules, first match wins:

  soft time-outs  type SoftRequestTimeout
  time-outs       type RequestExpired, TimeoutError or context.deadlineExceededError;
                  a value containing "context deadline exceeded", "i/o timeout"
                  or "statement timeout"; HTTP status 504
  not found       type NotFound or NotFoundError; HTTP status 404 or 410
  client errors   HTTP status 400 to 499
  exceptions      everything else

--rules FILE replaces them with a JSON array of rules, tried in order:
  [{"class": "time-out", "types": ["*app.Timeout"], "values": ["took too long"],
    "statuses": [504], "status_from": 0, "status_to": 0}, ...]
with the classes "time-out", "soft time-out", "not found", "client error" and
"exception".`,
		Example: `  oops summary
  oops summary --from 2026-12-01 --to 2026-12-02 --html 2026-12-01.html
  oops summary --since 7d --reporter shop-web --json | jq '.sections[].title'`,
		Args: args(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			now := time.Now().UTC()
			q, err := qf.query(now, defaultSummarySince)
			if err != nil {
				return err
			}
			if limit < 1 || limit > store.MaxLimit {
				return usageErr("--limit %d: want 1 to %d", limit, store.MaxLimit)
			}
			q.Limit = limit
			rules := analysis.DefaultRules
			if rulesFile != "" {
				data, err := os.ReadFile(rulesFile)
				if err != nil {
					return usageErr("--rules: %v", err)
				}
				if rules, err = analysis.ParseRules(data); err != nil {
					return usageErr("--rules %s: %v", rulesFile, err)
				}
			}
			ctx := c.Context()
			h, err := e.open(ctx)
			if err != nil {
				return err
			}
			defer h.close()
			groups, err := h.reader.Groups(ctx, q)
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return storeErr(err)
			}
			to := q.To
			if to.IsZero() {
				to = now
			}
			s := summarize(q.From, to, groups, rules)
			switch {
			case asJSON:
				b, err := json.MarshalIndent(s, "", "  ")
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "%s\n", b)
			case htmlFile != "":
				if err := writeHTMLFile(htmlFile, s); err != nil {
					return storeErr(fmt.Errorf("--html: %w", err))
				}
				fmt.Fprintf(e.stdout, "wrote %s: %s in %s\n", htmlFile, count(s.Reports, "report"), count(s.Groups, "group"))
			default:
				writeSummary(e.stdout, palette(e.color(e.stdout)), s, e.width(e.stdout))
			}
			return nil
		},
	}
	qf.add(c, defaultSummarySince)
	c.Flags().BoolVar(&asJSON, "json", false, "print the summary as JSON")
	c.Flags().StringVar(&htmlFile, "html", "", "write the summary as an HTML page to this file")
	c.Flags().StringVar(&rulesFile, "rules", "", "classification rules: a JSON file (see above)")
	c.Flags().IntVarP(&limit, "limit", "n", store.MaxLimit, "the most groups shown, the most frequent first")
	return c
}

func summarize(from, to time.Time, groups []store.Group, rules analysis.Rules) summary {
	s := summary{From: from, To: to, Groups: len(groups), Sections: []summarySection{}}
	problems := make([]analysis.Problem, len(groups))
	for i, g := range groups {
		problems[i] = analysis.Problem{Facts: analysis.Facts{Type: g.Type, Value: g.Value, Status: g.Status}, Count: g.Count}
		s.Reports += g.Count
	}
	for _, sec := range rules.Sections(problems) {
		out := summarySection{Class: sec.Class, Title: sec.Class.Title(), Count: sec.Count}
		for _, i := range sec.Groups {
			g := groups[i]
			more := g.Count
			for _, t := range g.Topics {
				more -= t.N
			}
			if len(g.Topics) == 0 {
				more = 0
			}
			out.Groups = append(out.Groups, summaryGroup{Group: g, More: more})
		}
		s.Sections = append(s.Sections, out)
	}
	return s
}

func span(from, to time.Time) string {
	f := "the beginning"
	if !from.IsZero() {
		f = from.UTC().Format("2006-01-02 15:04")
	}
	return f + " to " + to.UTC().Format("2006-01-02 15:04") + " UTC"
}

func writeSummary(w io.Writer, p palette, s summary, width int) {
	fmt.Fprintf(w, "%s\n", p.c(bold, fmt.Sprintf("OOPS summary, %s: %s in %s", span(s.From, s.To), count(s.Reports, "report"), count(s.Groups, "group"))))
	textW := max(width-12, 30)
	for _, sec := range s.Sections {
		fmt.Fprintf(w, "\n%s\n", p.c(bold, fmt.Sprintf("== %s: %s in %s ==", sec.Title, count(sec.Count, "report"), count(len(sec.Groups), "group"))))
		for _, g := range sec.Groups {
			typ := cut(oneLine(g.Type), textW/2)
			fmt.Fprintf(w, "\n%6d  %s: %s\n", g.Count, p.c(red, typ), cut(oneLine(g.Value), max(textW-len(typ)-2, 20)))
			fmt.Fprintf(w, "        first %s, last %s, e.g. %s", g.First.UTC().Format("2006-01-02 15:04:05"),
				g.Last.UTC().Format("2006-01-02 15:04:05"), oneLine(g.ExampleID))
			if g.Status != 0 {
				fmt.Fprintf(w, ", HTTP %d", g.Status)
			}
			if g.Signature != "" {
				fmt.Fprintf(w, ", signature %s", oneLine(g.Signature))
			}
			fmt.Fprintln(w)
			for _, t := range g.Topics {
				fmt.Fprintf(w, "        %5d  %s  (%s)\n", t.N, cut(oneLine(t.Value), textW-50), oneLine(t.ExampleID))
			}
			if g.More > 0 {
				fmt.Fprintf(w, "        %5d  more in other topics\n", g.More)
			}
			for _, u := range g.URLs {
				fmt.Fprintf(w, "        %5d  %s  (%s)\n", u.N, cut(oneLine(u.Value), textW-50), oneLine(u.ExampleID))
			}
		}
	}
	if len(s.Sections) == 0 {
		fmt.Fprintln(w, "no reports")
	}
}

// writeHTMLFile writes s as a page: html/template escapes every field, and
// the page has no script.
func writeHTMLFile(name string, s summary) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	page := struct {
		summary
		Style     template.CSS
		StyleHash string
	}{s, template.CSS(summaryStyle), summaryStyleHash}
	if err := summaryPage.Execute(f, page); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// summaryStyle is the page's only style; the page's Content-Security-Policy
// allows it by its hash, and nothing else: no script, no other style, no
// image, no request at all.
const summaryStyle = `body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
h2 { border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; width: 100%; }
td, th { text-align: left; vertical-align: top; padding: .3em .6em; border-bottom: 1px solid #eee; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.type { color: #a00; font-weight: bold; }
.value, code { font-family: ui-monospace, monospace; overflow-wrap: anywhere; }
small { color: #666; }
`

var summaryStyleHash = func() string {
	sum := sha256.Sum256([]byte(summaryStyle))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}()

var summaryPage = template.Must(template.New("summary").Funcs(template.FuncMap{
	"span":  span,
	"count": count,
	"when":  func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") },
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src '{{.StyleHash}}'">
<title>OOPS summary, {{span .From .To}}</title>
<style>
{{.Style}}</style>
</head>
<body>
<h1>OOPS summary</h1>
<p>{{span .From .To}}: {{count .Reports "report"}} in {{count .Groups "group"}}.</p>
{{range .Sections}}
<h2>{{.Title}}: {{count .Count "report"}}</h2>
<table>
<tr><th>count</th><th>problem</th><th>topics</th><th>URLs</th></tr>
{{range .Groups}}
<tr>
<td class="n">{{.Count}}</td>
<td><span class="type">{{.Type}}</span>: <span class="value">{{.Value}}</span><br>
<small>first {{when .First}}, last {{when .Last}}{{if .Status}}, HTTP {{.Status}}{{end}}, e.g. <code>{{.ExampleID}}</code>{{if .Signature}}, signature <code>{{.Signature}}</code>{{end}}</small></td>
<td>{{range .Topics}}{{.N}} × {{.Value}} <small>(<code>{{.ExampleID}}</code>)</small><br>{{end}}{{if .More}}{{.More}} more{{end}}</td>
<td>{{range .URLs}}{{.N}} × <span class="value">{{.Value}}</span> <small>(<code>{{.ExampleID}}</code>)</small><br>{{end}}</td>
</tr>
{{end}}
</table>
{{else}}
<p>No reports.</p>
{{end}}
</body>
</html>
`))
