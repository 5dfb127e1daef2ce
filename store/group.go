package store

import (
	"cmp"
	"slices"
	"time"
)

// A Grouper groups summaries by signature, as Reader.Groups answers: a store
// that scans (a date directory) adds every summary its query matches and
// asks for the groups at the end, so that every scanning store groups the
// same way. Summaries without a signature (reports python made) are grouped
// by type and value, and their group's Signature is "".
//
// The zero Grouper is ready to use. A Grouper is not safe for concurrent
// use.
type Grouper struct {
	groups map[string]*grouping
}

type grouping struct {
	Group
	latest       Summary // the report whose type, value and status the group shows
	topics, urls map[string]*tally
}

// A tally is a Count whose example is the latest report counted: of that
// report it keeps what Before compares (a group's URLs can be as many as its
// reports, so a tally stays small).
type tally struct {
	Count
	time time.Time // the latest report's
}

// later reports whether the report s is listed before the one t counted
// last, as Before(s, t's) would.
func (t *tally) later(s time.Time, id string) bool {
	if !s.Equal(t.time) {
		return s.After(t.time)
	}
	return id > t.ExampleID
}

// Add counts s in its group.
func (g *Grouper) Add(s Summary) {
	if g.groups == nil {
		g.groups = make(map[string]*grouping)
	}
	key := s.Signature
	if key == "" {
		key = "\x00" + s.Type + "\x00" + s.Value
	}
	gr := g.groups[key]
	if gr == nil {
		gr = &grouping{Group: Group{Signature: s.Signature, First: s.Time}, latest: s}
		g.groups[key] = gr
	}
	gr.Count++
	if s.Time.Before(gr.First) {
		gr.First = s.Time
	}
	if Before(s, gr.latest) {
		gr.latest = s
	}
	gr.topics = count(gr.topics, s.Topic, s)
	gr.urls = count(gr.urls, s.URL, s)
}

func count(m map[string]*tally, v string, s Summary) map[string]*tally {
	if v == "" {
		return m
	}
	if m == nil {
		m = make(map[string]*tally)
	}
	t := m[v]
	if t == nil {
		t = &tally{Count: Count{Value: v, ExampleID: s.ID}, time: s.Time}
		m[v] = t
	}
	t.N++
	if t.later(s.Time, s.ID) {
		t.ExampleID, t.time = s.ID, s.Time
	}
	return m
}

// Merge adds to g every summary o counted, as if each had been added to g:
// scanning stores group in parallel, one Grouper per worker, and merge them
// at the end. Summaries that Before does not order (the same time and id)
// may then be taken in another order than one Grouper would have taken them.
// o must not be used afterwards.
func (g *Grouper) Merge(o *Grouper) {
	if len(g.groups) == 0 {
		g.groups, o.groups = o.groups, nil
		return
	}
	for key, og := range o.groups {
		gr := g.groups[key]
		if gr == nil {
			g.groups[key] = og
			continue
		}
		gr.Count += og.Count
		if og.First.Before(gr.First) {
			gr.First = og.First
		}
		if Before(og.latest, gr.latest) {
			gr.latest = og.latest
		}
		gr.topics = mergeTallies(gr.topics, og.topics)
		gr.urls = mergeTallies(gr.urls, og.urls)
	}
	o.groups = nil
}

func mergeTallies(m, o map[string]*tally) map[string]*tally {
	if len(m) < len(o) {
		m, o = o, m
	}
	for v, ot := range o {
		t := m[v]
		if t == nil {
			m[v] = ot
			continue
		}
		t.N += ot.N
		if t.later(ot.time, ot.ExampleID) {
			t.ExampleID, t.time = ot.ExampleID, ot.time
		}
	}
	return m
}

// Len returns the number of groups so far.
func (g *Grouper) Len() int { return len(g.groups) }

// Groups returns the groups, the most frequent first (then the most recently
// seen, then by signature), at most limit of them (0 means DefaultLimit; at
// most MaxLimit, as Query.PageSize bounds it).
func (g *Grouper) Groups(limit int) []Group {
	out := make([]Group, 0, len(g.groups))
	for _, gr := range g.groups {
		grp := gr.Group
		grp.Last = gr.latest.Time
		grp.Type, grp.Value, grp.Status, grp.ExampleID = gr.latest.Type, gr.latest.Value, gr.latest.Status, gr.latest.ID
		grp.Topics = top(gr.topics)
		grp.URLs = top(gr.urls)
		out = append(out, grp)
	}
	slices.SortFunc(out, func(a, b Group) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		if c := b.Last.Compare(a.Last); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Signature, b.Signature); c != 0 {
			return c
		}
		return cmp.Compare(a.ExampleID, b.ExampleID)
	})
	n := Query{Limit: limit}.PageSize()
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// top returns the MaxTop most common of m, then by value. It keeps the
// best MaxTop as it goes rather than sorting them all: a group's URLs can
// be as many as its reports.
func top(m map[string]*tally) []Count {
	if len(m) == 0 {
		return nil
	}
	better := func(a, b Count) bool { return a.N > b.N || a.N == b.N && a.Value < b.Value }
	out := make([]Count, 0, min(len(m), MaxTop))
	for _, t := range m {
		c := t.Count
		if len(out) == MaxTop && !better(c, out[MaxTop-1]) {
			continue
		}
		if len(out) < MaxTop {
			out = append(out, c)
		} else {
			out[MaxTop-1] = c
		}
		for i := len(out) - 1; i > 0 && better(out[i], out[i-1]); i-- {
			out[i], out[i-1] = out[i-1], out[i]
		}
	}
	return out
}
