package oops

import (
	"context"
	"os"
	"sync"
	"time"

	"github.com/oops-go/oops/internal/errchain"
	"github.com/oops-go/oops/internal/stack"
	"github.com/oops-go/oops/timeline"
)

// AttachTime sets r.Time to the event's time, or now, in UTC.
func AttachTime(_ context.Context, r *Report, ev *Event) {
	t := ev.Time
	if t.IsZero() {
		t = time.Now()
	}
	r.Time = t.UTC()
}

var hostname = sync.OnceValue(func() string {
	h, err := os.Hostname()
	if err != nil {
		return ""
	}
	return h
})

// AttachHostname sets r.Hostname to this machine's name unless the template
// gave one.
func AttachHostname(_ context.Context, r *Report, _ *Event) {
	if r.Hostname == "" {
		r.Hostname = hostname()
	}
}

// AttachError fills r.Type, r.Value and r.TBText from the event. With an
// error: its most specific type (see ErrorType), its text and the stack it
// carries (see errchain.StackOf), else the event's stack. Without one, the type is the
// level name and the value the message. Fields already set are kept.
func AttachError(_ context.Context, r *Report, ev *Event) {
	if ev.Err != nil {
		if r.Type == "" {
			r.Type = ErrorType(ev.Err)
		}
		if r.Value == "" {
			r.Value = ErrorText(ev.Err)
		}
	} else {
		if r.Type == "" {
			r.Type = ev.Level
		}
		if r.Value == "" {
			r.Value = ev.Msg
		}
	}
	if r.Level == "" {
		r.Level = ev.Level
	}
	if r.Msg == "" {
		r.Msg = ev.Msg
	}
	if r.TBText == "" {
		pcs := errchain.StackOf(ev.Err)
		if len(pcs) == 0 {
			pcs = ev.Stack
		}
		r.TBText = stack.Format(pcs)
	}
}

// Callers returns the program counters of the calling goroutine's stack for
// Event.Stack, skipping skip frames above the caller of Callers.
func Callers(skip int) []uintptr { return stack.Callers(skip + 1) }

// AttachTimeline flattens the timeline in ctx, if any, into r.Timeline and
// sets r.TimelineDropped. Entries already in r.Timeline are kept before it.
// When ctx carries an Incident, the incident remembers what was flattened,
// so that the completion of its report need not flatten it again (see
// Incident.FlattenTimeline).
func AttachTimeline(ctx context.Context, r *Report, _ *Event) {
	tl := timeline.FromContext(ctx)
	if tl == nil {
		return
	}
	flattenInto(r, tl, IncidentFromContext(ctx))
}

// FlattenTimeline turns tl's entries into report timeline entries, with
// offsets from the timeline's start.
func FlattenTimeline(tl *timeline.Timeline) []TimelineEntry {
	return flattenEntries(tl.Entries())
}

// flattenEntries turns entries, as Timeline.Entries returns them, into
// report timeline entries.
func flattenEntries(entries []timeline.Entry) []TimelineEntry {
	if len(entries) == 0 {
		return nil
	}
	out := make([]TimelineEntry, len(entries))
	for i := range entries {
		// Field by field into the new slice: copying whole entries in
		// would take the bulk write barrier for every entry while the GC
		// runs, as a request's allocations often make it.
		e, te := &entries[i], &out[i]
		te.Start, te.End = e.Start, e.End
		te.Category, te.Detail = e.Category, e.Detail
		if e.Stack != "" {
			s := e.Stack
			te.Backtrace = &s
		}
		if e.Err != nil {
			te.Error = ErrorText(e.Err)
		}
	}
	return out
}
