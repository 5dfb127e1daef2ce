package oops

import (
	"context"
	"errors"
	"maps"
	"time"
)

// An Event is what a report is being made about: the information Create hands
// to each create hook (python-oops calls it the report's context). Everything
// about the surroundings (the timeline, the HTTP request, the trace span)
// travels in the context.Context instead.
type Event struct {
	// Err is the error being reported, if any.
	Err error
	// Level is the level name ("ERROR", "WARN") when the event is a log record.
	Level string
	// Msg is the log message, when the event is a log record.
	Msg string
	// Time is when it happened; zero means when Create is called.
	Time time.Time
	// Stack holds the program counters of the stack where it happened (see
	// Callers). The error's own stack, when it carries one, is preferred.
	Stack []uintptr
	// ID is the id the report gets; empty means a fresh one (NewID). Makers
	// that quote the id before the report exists (a trailing window, a log
	// line) decide it once and pass it here, so that the hooks see the id
	// the report is published under.
	ID string
}

// A Hook fills in part of a report being created. Hooks run in order; a hook
// sees what earlier hooks wrote.
type Hook func(ctx context.Context, r *Report, ev *Event)

// A Filter decides whether a report is kept from publishing: true means drop.
type Filter func(ctx context.Context, r *Report) bool

// ErrFiltered is returned by Config.Publish when a filter dropped the report.
// It is distinct from a nil error with no ids, which means the report reached
// the publisher but no store took it.
var ErrFiltered = errors.New("oops: report dropped by a filter")

// Config makes and publishes reports, as python-oops' Config does: Create
// copies the template and runs the create hooks; Publish runs the filters and
// then the publisher.
//
// The zero Config is usable: with nil Hooks, Create runs DefaultHooks; with a
// nil Publisher, Publish publishes nowhere. A Config must not be changed once
// it is in use; it is then safe for concurrent use.
type Config struct {
	// Template is copied into every new report (maps are copied too).
	Template Report
	// Hooks run in order on every new report. Empty means DefaultHooks.
	Hooks []Hook
	// NoHooks turns the hooks off: Create runs none, not even the defaults.
	NoHooks bool
	// Filters run in order before publishing; the first that returns true
	// stops the report from being published.
	Filters []Filter
	// Publisher publishes the reports that pass the filters.
	Publisher Publisher
}

// defaultHooks are what DefaultHooks returns; unexported so that no package
// can change what every Config with nil Hooks runs.
var defaultHooks = []Hook{AttachTime, AttachHostname, AttachError, AttachTimeline, AttachResource}

// DefaultHooks returns the hooks a Config with nil Hooks runs: time,
// hostname, the error (type, value, stack) or log message, the timeline and
// the resource (see WithResource) in ctx. The slice is a fresh copy, with
// room for more: append(oops.DefaultHooks(), myHook) changes no one else's.
func DefaultHooks() []Hook {
	return append(make([]Hook, 0, len(defaultHooks)+4), defaultHooks...)
}

// Create makes a new report about ev: it copies the template, gives the
// report a fresh id (so a log line can quote it before it is published) and
// runs the create hooks in order.
func (c *Config) Create(ctx context.Context, ev Event) *Report {
	if ctx == nil {
		ctx = context.Background()
	}
	// The hooks get the event by pointer, which puts it on the heap anyway:
	// one allocation for both is cheaper than two.
	cr := &creation{r: c.Template, ev: ev}
	r := &cr.r
	r.ReqVars = maps.Clone(r.ReqVars)
	r.Attrs = maps.Clone(r.Attrs)
	r.Extra = maps.Clone(r.Extra)
	if r.Timeline != nil {
		r.Timeline = append([]TimelineEntry(nil), r.Timeline...)
	}
	if r.Log != nil {
		r.Log = append([]LogRecord(nil), r.Log...)
	}
	r.ID = ev.ID
	if r.ID == "" {
		r.ID = NewID()
	}
	if r.Duration == 0 {
		r.Duration = -1
	}
	hooks := c.Hooks
	switch {
	case c.NoHooks:
		hooks = nil
	case len(hooks) == 0:
		hooks = defaultHooks
	}
	for _, h := range hooks {
		h(ctx, r, &cr.ev)
	}
	return r
}

// creation holds a report being created and the event it is about.
type creation struct {
	r  Report
	ev Event
}

// Publish runs the filters and, if none drops r, the publisher. It returns
// the ids the publisher gave and writes the last of them back to r.ID. A
// dropped report gives ErrFiltered; a report that no store took gives no ids
// and a nil error.
//
// When ctx carries an Incident (see WithIncident), a report that a publisher
// stored (returned ids for) is noted on it; the first report published during
// the incident (revision 0, not Pending already) becomes its report: it goes
// out with Pending set, and the incident's owner publishes it again,
// completed, when the work ends (see Incident.End). Its draft shares r's
// maps until a revision changes them: neither the caller nor a publisher may
// change r's maps once it is published (a publisher may not change a report
// anyway).
func (c *Config) Publish(ctx context.Context, r *Report) ([]string, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	for _, f := range c.Filters {
		if f(ctx, r) {
			return nil, ErrFiltered
		}
	}
	if c.Publisher == nil {
		return nil, nil
	}
	inc := IncidentFromContext(ctx)
	var adopted *Draft
	if inc != nil && r.Revision == 0 && !r.Pending && inc.Draft() == nil {
		// The first report of an incident becomes its report: its owner
		// publishes it again, completed, when the work ends.
		d := newAdoptedDraft(r)
		if inc.Adopt(d) {
			r.Pending, adopted = true, d
		}
	}
	ids, err := c.Publisher.Publish(ctx, r)
	if len(ids) == 0 && adopted != nil {
		adopted.Abandon()
	}
	// Write only a changed id: a publisher that kept r.ID (Async does) may
	// already be reading the report from another goroutine.
	if len(ids) > 0 {
		last := ids[len(ids)-1]
		if r.ID != last {
			r.ID = last
		}
		if inc != nil {
			inc.Note(last)
		}
	}
	return ids, err
}
