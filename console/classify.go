package console

import (
	"strings"

	"github.com/oops-go/oops/analysis"
	"github.com/oops-go/oops/store"
)

// classify sorts groups into the summary page's sections by the analysis
// package's rules, as the oops command's summary does.
func classify(rules analysis.Rules, gs []store.Group) []section {
	problems := make([]analysis.Problem, len(gs))
	for i, g := range gs {
		problems[i] = analysis.Problem{Facts: analysis.Facts{Type: g.Type, Value: g.Value, Status: g.Status}, Count: g.Count}
	}
	var out []section
	for _, s := range rules.Sections(problems) {
		sec := section{ID: strings.ReplaceAll(s.Class.String(), " ", "-"), Title: s.Class.Title(), Count: s.Count}
		for _, i := range s.Groups {
			sec.Groups = append(sec.Groups, gs[i])
		}
		out = append(out, sec)
	}
	return out
}
