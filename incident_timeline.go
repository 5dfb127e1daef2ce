package oops

import "github.com/oops-go/oops/timeline"

// flatMemo is what AttachTimeline last flattened of a timeline in an
// incident's context: the entries, when the timeline had no entry dropped
// and none unfinished, so that nothing but a new entry can change what it
// flattens to.
type flatMemo struct {
	tl      *timeline.Timeline
	entries []timeline.Entry
}

// rememberFlat keeps entries, tl's entries as Entries returned them, for
// FlattenTimeline.
func (inc *Incident) rememberFlat(tl *timeline.Timeline, entries []timeline.Entry) {
	inc.mu.Lock()
	if !inc.ended {
		inc.flat = flatMemo{tl: tl, entries: entries}
	}
	inc.mu.Unlock()
}

// FlattenTimeline returns FlattenTimeline(tl) for the completion of one of
// the incident's reports whose timeline is have: have itself when it holds
// what AttachTimeline flattened of tl during the incident and tl has not
// changed since (no entry was added or dropped, and every entry had
// finished then), else tl flattened anew. A failing request's report is
// made at its error and completed when it ends, a moment later and usually
// with nothing more recorded: its timeline is then not rendered and copied
// a second time. have is compared entry by entry, so a report whose
// entries were changed since (by a hook) gets the timeline flattened anew,
// as it always would.
func (inc *Incident) FlattenTimeline(tl *timeline.Timeline, have []TimelineEntry) []TimelineEntry {
	if tl == nil {
		return nil
	}
	inc.mu.Lock()
	m := inc.flat
	inc.mu.Unlock()
	if m.tl == tl && len(have) == len(m.entries) && len(have) > 0 &&
		tl.Dropped() == 0 && tl.Len() == len(m.entries) && sameEntries(have, m.entries) {
		return have
	}
	return FlattenTimeline(tl)
}

// flattenInto flattens tl into r as AttachTimeline does, and remembers the
// entries for inc.FlattenTimeline when inc is not nil and they cannot
// change but by new entries.
func flattenInto(r *Report, tl *timeline.Timeline, inc *Incident) {
	n := -1
	if inc != nil {
		// Read before the entries: with none dropped, the timeline only
		// grows, so as many entries as this are all there was.
		n = tl.Len()
	}
	entries := tl.Entries()
	flat := flattenEntries(entries)
	dropped := tl.Dropped()
	if inc != nil && dropped == 0 && len(entries) == n && n > 0 && allFinished(entries) {
		inc.rememberFlat(tl, entries)
	}
	switch {
	case len(flat) == 0:
	case len(r.Timeline) == 0:
		// The usual case (no entries from the template): the new slice
		// itself, not a copy of it.
		r.Timeline = flat
	default:
		r.Timeline = append(r.Timeline, flat...)
	}
	r.TimelineDropped += dropped
}

func allFinished(entries []timeline.Entry) bool {
	for i := range entries {
		if entries[i].Unfinished {
			return false
		}
	}
	return true
}

// sameEntries reports whether have is what flattenEntries makes of entries.
func sameEntries(have []TimelineEntry, entries []timeline.Entry) bool {
	for i := range have {
		h, e := &have[i], &entries[i]
		if h.Start != e.Start || h.End != e.End || h.Category != e.Category || h.Detail != e.Detail {
			return false
		}
		if h.Backtrace == nil {
			if e.Stack != "" {
				return false
			}
		} else if e.Stack == "" || *h.Backtrace != e.Stack {
			return false
		}
		if e.Err == nil {
			if h.Error != "" {
				return false
			}
		} else if h.Error != ErrorText(e.Err) {
			return false
		}
	}
	return true
}
