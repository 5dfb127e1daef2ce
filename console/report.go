package console

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/analysis"
	"github.com/oops-go/oops/store"
)

// relatedKey is the Extra key under which the HTTP middleware lists the
// other reports of the same request.
const relatedKey = "related_ids"

type reportData struct {
	R         *oops.Report // as the reader's role may see it
	Where     string
	Status    int
	Waterfall waterfall
	A         analysis.Report
	SQLBar    sqlBar
	Texts     bool // the statements' texts are there, so repeats can be told
	Longest   []statementRow
	Repeated  []repeatRow
	NPlusOne  []nPlusOneRow
	Extra     []keyValue
	Related   []string
}

// sqlBar draws SQL against other time as two bars of a 1000-unit width.
type sqlBar struct{ SQLW, OtherX, OtherW string }

type statementRow struct {
	N        int // the entry's number, from 1
	Duration time.Duration
	Detail   string
}

type repeatRow struct {
	analysis.Repeat
	Entries []int // numbers, from 1, of the first few
	More    int
}

type nPlusOneRow struct {
	analysis.NPlusOne
	SourceN, FirstN, LastN int
	SourceDetail           string
}

// maxRepeatLinks bounds the entry links a repeated statement lists.
const maxRepeatLinks = 12

type keyValue struct{ Key, Value string }

func (h *Handler) report(w http.ResponseWriter, r *http.Request) {
	id, err := oops.ParseID(r.PathValue("id"))
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, "That is not an OOPS id.")
		return
	}
	rep, err := h.opts.Store.Get(r.Context(), id)
	if err != nil {
		h.storeFailed(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "report", "", newReportData(rep, principal(r).Role, h.opts.Analysis))
}

// newReportData prepares rep for the report page. Everything the page shows
// comes from store.ForRole's copy, so that a viewer's page cannot show a
// detail by mistake.
func newReportData(full *oops.Report, role store.Role, opts analysis.Options) *reportData {
	rep := store.ForRole(full, role)
	d := &reportData{R: rep, Status: store.Status(rep), Where: where(rep)}
	d.A = analysis.Of(rep, &opts)
	d.analyse()
	m := marks{nPlusOne: map[int]bool{}, longest: map[int]bool{}}
	if len(d.A.Longest) > 0 {
		m.longest[d.A.Longest[0].Index] = true
	}
	if d.Texts {
		for _, run := range d.A.NPlusOne {
			for _, i := range run.Indexes {
				m.nPlusOne[i] = true
			}
		}
	}
	d.Waterfall = newWaterfall(rep.Timeline, seconds(rep.Duration), m)
	for k, v := range rep.Extra {
		switch k {
		case store.StatusKey:
			continue
		case relatedKey:
			d.Related = relatedIDs(v)
			continue
		}
		d.Extra = append(d.Extra, keyValue{k, store.Cut(formatValue(v), 4096)})
	}
	slices.SortFunc(d.Extra, func(a, b keyValue) int { return strings.Compare(a.Key, b.Key) })
	return d
}

// analyse prepares the analysis for the page. Repeated statements and N+1
// runs are told apart by the statements' texts; a viewer's copy has none,
// so for a viewer they are not shown rather than shown wrong (every
// statement would look like a repeat of every other).
func (d *reportData) analyse() {
	tl := d.R.Timeline
	for _, e := range tl {
		if analysis.IsSQL(e.Category) && e.Detail != "" {
			d.Texts = true
			break
		}
	}
	if d.A.Total > 0 {
		wall := d.A.Total - d.A.Other
		sw := float64(wall) / float64(d.A.Total) * 1000
		d.SQLBar = sqlBar{SQLW: num(sw), OtherX: num(sw), OtherW: num(1000 - sw)}
	}
	for _, s := range d.A.Longest {
		d.Longest = append(d.Longest, statementRow{N: s.Index + 1, Duration: s.Duration, Detail: tl[s.Index].Detail})
	}
	if !d.Texts {
		return
	}
	for _, rp := range d.A.Repeated {
		row := repeatRow{Repeat: rp}
		for k, i := range rp.Indexes {
			if k == maxRepeatLinks {
				row.More = len(rp.Indexes) - k
				break
			}
			row.Entries = append(row.Entries, i+1)
		}
		d.Repeated = append(d.Repeated, row)
	}
	for _, run := range d.A.NPlusOne {
		d.NPlusOne = append(d.NPlusOne, nPlusOneRow{
			NPlusOne: run, SourceN: run.Source + 1, FirstN: run.First + 1, LastN: run.Last + 1,
			SourceDetail: tl[run.Source].Detail,
		})
	}
}

// where names the place the report was made: the traceback's first frame
// when the reader may see it, else the topic.
func where(r *oops.Report) string {
	if r.TBText != "" {
		lines := strings.SplitN(r.TBText, "\n", 3)
		fn := strings.TrimSpace(lines[0])
		if len(lines) > 1 && strings.HasPrefix(lines[1], "\t") {
			return fn + " " + strings.TrimSpace(lines[1])
		}
		return fn
	}
	return r.Topic
}

func seconds(s float64) time.Duration {
	if s <= 0 || s > 1e9 {
		return 0
	}
	return time.Duration(s * float64(time.Second))
}

// relatedIDs reads the ids of related reports, which a store may hand back
// as []string or []any; anything that is no id is dropped.
func relatedIDs(v any) []string {
	var raw []string
	switch v := v.(type) {
	case []string:
		raw = v
	case []any:
		for _, x := range v {
			raw = append(raw, fmt.Sprint(x))
		}
	}
	var ids []string
	for _, s := range raw {
		if id, err := oops.ParseID(s); err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}
