package analysis

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/oops-go/oops"
)

// Options tune Of. The zero value of every field means its default, and a
// nil *Options means them all.
type Options struct {
	// Longest is how many of the longest statements to report; zero (or
	// less) means DefaultLongest.
	Longest int
	// NoLongest turns the list of longest statements off.
	NoLongest bool
	// NPlusOne sets the thresholds of N+1 detection.
	NPlusOne NPlusOneRule
}

// DefaultLongest is how many of the longest statements Of reports by
// default.
const DefaultLongest = 5

// An NPlusOneRule sets when a run of repeated statements is reported as N+1.
// See the package doc.
type NPlusOneRule struct {
	// MinRepeats is the fewest repeats reported; 0 means
	// DefaultMinRepeats. Values below 2 are taken as 2.
	MinRepeats int
	// MinTotal is the least time the repeats must take together.
	MinTotal time.Duration
}

// DefaultMinRepeats is NPlusOneRule.MinRepeats by default, as Sentry's.
const DefaultMinRepeats = 5

// A Report is the analysis of one report's timeline. Indexes are into the
// report's Timeline.
type Report struct {
	Total      time.Duration `json:"total"`      // the report's duration, or its timeline's end
	SQL        time.Duration `json:"sql"`        // the statements' durations added up
	Other      time.Duration `json:"other"`      // Total less the wall time statements ran
	Statements int           `json:"statements"` // how many entries are SQL statements
	Longest    []Statement   `json:"longest,omitempty"`
	Repeated   []Repeat      `json:"repeated,omitempty"`
	NPlusOne   []NPlusOne    `json:"n_plus_one,omitempty"`
	// Entries has one element per timeline entry, saying what the analysis
	// found about it.
	Entries []Entry `json:"-"`
}

// A Statement is one SQL statement of a timeline.
type Statement struct {
	Index    int           `json:"index"`
	Duration time.Duration `json:"duration"`
}

// A Repeat is a statement text run more than once in a timeline.
type Repeat struct {
	Category   string        `json:"category"`
	Normalized string        `json:"normalized"`
	Count      int           `json:"count"`
	Total      time.Duration `json:"total"`
	Mean       time.Duration `json:"mean"`
	// Saved is the time one query instead of Count would have saved,
	// taking the one query to cost as much as an average one:
	// Total - Mean.
	Saved   time.Duration `json:"saved"`
	Indexes []int         `json:"indexes"`
}

// An NPlusOne is a run of one statement repeated after a source statement.
type NPlusOne struct {
	Source     int           `json:"source"` // the source statement
	Category   string        `json:"category"`
	Normalized string        `json:"normalized"` // of the repeated statement
	First      int           `json:"first"`      // the first repeat
	Last       int           `json:"last"`       // the last repeat
	Count      int           `json:"count"`      // of repeats
	Total      time.Duration `json:"total"`      // the repeats' durations added up
	Indexes    []int         `json:"indexes"`
}

// An Entry is what the analysis found about one timeline entry.
type Entry struct {
	SQL        bool   // it is a SQL statement
	Normalized string // its normalised text, for a statement
	Longest    bool   // it is among Report.Longest
	Repeat     int    // its index in Report.Repeated, or -1
	NPlusOne   int    // the index in Report.NPlusOne of the run it repeats in, or -1
	Source     int    // the index in Report.NPlusOne of the run it is the source of, or -1
}

// IsSQL reports whether a timeline category is a SQL statement's: "SQL" or
// "SQL-<name>".
func IsSQL(category string) bool {
	return category == "SQL" || strings.HasPrefix(category, "SQL-")
}

// Of analyses r's timeline with opts (nil means the defaults). A nil report
// has an empty analysis.
func Of(r *oops.Report, o *Options) Report {
	var opts Options
	if o != nil {
		opts = *o
	}
	var a Report
	if r == nil {
		return a
	}
	tl := r.Timeline
	a.Entries = make([]Entry, len(tl))
	var end time.Duration
	norm := make(map[string]string) // a request repeats texts: normalise each once
	type key struct{ cat, text string }
	repeats := make(map[key]int) // index in a.Repeated, or -(count) before the second
	var sqlIdx []int
	for i, e := range tl {
		end = max(end, e.End, e.Start)
		en := &a.Entries[i]
		en.Repeat, en.NPlusOne, en.Source = -1, -1, -1
		if !IsSQL(e.Category) {
			continue
		}
		en.SQL = true
		n, ok := norm[e.Detail]
		if !ok {
			n = Normalize(e.Detail)
			norm[e.Detail] = n
		}
		en.Normalized = n
		a.Statements++
		a.SQL += dur(e)
		sqlIdx = append(sqlIdx, i)
		if n != "" { // a text withheld (a viewer's copy) is no repeat of another
			repeats[key{e.Category, n}]++
		}
	}
	a.Total = end
	if r.Duration >= 0 {
		a.Total = max(a.Total, time.Duration(r.Duration*float64(time.Second)))
	}
	a.Other = max(a.Total-sqlWall(tl, sqlIdx), 0)

	// Repeated statements, in order of first appearance until sorted.
	slot := make(map[key]int)
	for _, i := range sqlIdx {
		e := tl[i]
		k := key{e.Category, a.Entries[i].Normalized}
		if k.text == "" || repeats[k] < 2 {
			continue
		}
		j, ok := slot[k]
		if !ok {
			j = len(a.Repeated)
			slot[k] = j
			a.Repeated = append(a.Repeated, Repeat{Category: k.cat, Normalized: k.text, Indexes: make([]int, 0, repeats[k])})
		}
		rp := &a.Repeated[j]
		rp.Count++
		rp.Total += dur(e)
		rp.Indexes = append(rp.Indexes, i)
	}
	for j := range a.Repeated {
		rp := &a.Repeated[j]
		rp.Mean = rp.Total / time.Duration(rp.Count)
		rp.Saved = rp.Total - rp.Mean
	}
	slices.SortStableFunc(a.Repeated, func(x, y Repeat) int {
		if c := cmp.Compare(y.Saved, x.Saved); c != 0 {
			return c
		}
		return cmp.Compare(y.Count, x.Count)
	})
	for j, rp := range a.Repeated {
		for _, i := range rp.Indexes {
			a.Entries[i].Repeat = j
		}
	}

	a.NPlusOne = nPlusOne(tl, a.Entries, sqlIdx, opts.NPlusOne)
	for j, run := range a.NPlusOne {
		a.Entries[run.Source].Source = j
		for _, i := range run.Indexes {
			a.Entries[i].NPlusOne = j
		}
	}

	n := opts.Longest
	if n <= 0 {
		n = DefaultLongest
	}
	if !opts.NoLongest && len(sqlIdx) > 0 {
		a.Longest = longest(tl, sqlIdx, n)
		for _, s := range a.Longest {
			a.Entries[s.Index].Longest = true
		}
	}
	return a
}

// longest returns the n longest of the statements idx, longest first, the
// earlier first among equals. n is small: insertion into the few kept beats
// sorting them all.
func longest(tl []oops.TimelineEntry, idx []int, n int) []Statement {
	top := make([]Statement, 0, min(n, len(idx)))
	for _, i := range idx {
		d := dur(tl[i])
		if len(top) == n && d <= top[n-1].Duration {
			continue
		}
		k := len(top)
		for k > 0 && top[k-1].Duration < d {
			k--
		}
		if len(top) < n {
			top = append(top, Statement{})
		}
		copy(top[k+1:], top[k:len(top)-1])
		top[k] = Statement{Index: i, Duration: d}
	}
	return top
}

// dur is an entry's duration; a malformed entry ending before it starts
// counts as none.
func dur(e oops.TimelineEntry) time.Duration {
	return max(e.End-e.Start, 0)
}

// sqlWall returns the wall time during which at least one of the statements
// idx ran.
func sqlWall(tl []oops.TimelineEntry, idx []int) time.Duration {
	if len(idx) == 0 {
		return 0
	}
	type span struct{ s, e time.Duration }
	spans := make([]span, 0, len(idx))
	sorted := true
	for _, i := range idx {
		sp := span{tl[i].Start, max(tl[i].End, tl[i].Start)}
		if n := len(spans); n > 0 && sp.s < spans[n-1].s {
			sorted = false
		}
		spans = append(spans, sp)
	}
	if !sorted {
		slices.SortFunc(spans, func(x, y span) int { return cmp.Compare(x.s, y.s) })
	}
	var total time.Duration
	cur := spans[0]
	for _, sp := range spans[1:] {
		if sp.s > cur.e {
			total += cur.e - cur.s
			cur = sp
			continue
		}
		cur.e = max(cur.e, sp.e)
	}
	return total + cur.e - cur.s
}
