package console

import "github.com/oops-go/oops/store"

// classify sorts groups into the summary page's sections.
func classify(gs []store.Group) []section {
	if len(gs) == 0 {
		return nil
	}
	s := section{ID: "all", Title: "All problems", Groups: gs}
	for _, g := range gs {
		s.Count += g.Count
	}
	return []section{s}
}
