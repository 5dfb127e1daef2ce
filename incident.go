package oops

import (
	"context"
	"maps"
	"slices"
	"sync"

	"github.com/oops-go/oops/internal/revise"
)

// A Draft is a report that was published before it was complete: the parties
// that hold it (a trailing window that keeps recording, a request that has
// not ended) will each publish the same id again with what they learned
// since. Each revision goes out with Report.Revision one higher than the last
// and Report.Pending set while another holder remains, so that the last
// revision is the only one with Pending false.
//
// Make a Draft with NewDraft before the first publication, take a hold for
// each party that will revise it (Hold), set Pending on the first
// publication from Held, and call Abandon when no store took it. A Draft is
// safe for concurrent use.
type Draft struct {
	mu   sync.Mutex
	id   string  // base's id
	base *Report // the report as last revised; handed to a publisher only as the last revision (shared)
	// shared is set once base itself went out as the last revision: a
	// publisher may still read it, so a later Revise changes a copy.
	shared    bool
	next      int // the revision number Revise publishes
	holds     int
	final     bool // a revision with Pending false is out
	abandoned bool
	// sharedMaps is set while base's maps (ReqVars, Attrs, Extra) may be
	// those of a revision already published (see newAdoptedDraft): Revise
	// copies them before its amend may change them.
	sharedMaps bool
	// own holds NewDraft's copy, so that a draft and its copy are one
	// allocation; base points at it until a revision needs another copy.
	own Report
}

// NewDraft returns a Draft of r, which is about to be published as revision
// 0. It keeps a copy of r: r itself may be handed to a publisher. The copy's
// maps are its own, as Report.Clone's; its Timeline and Log share r's
// entries (see Revise), which no one changes.
func NewDraft(r *Report) *Draft {
	d := &Draft{id: r.ID, next: 1}
	copyForDraft(&d.own, r)
	d.base = &d.own
	return d
}

// newAdoptedDraft returns a Draft of r for Config.Publish, which is about to
// publish r as revision 0 of an incident's report: as NewDraft's, but the
// copy shares r's maps until a revision changes them (Revise copies them
// first; a revision through internal/revise leaves that to its amend). A request's report is
// completed a moment after it is published, usually before any publisher
// read it, and its completion changes none of the maps but Extra: copying
// them for the draft was a third of what a completion allocated. r's maps
// are only read from then on: r's publisher may not change them, nor may
// Config.Publish's caller once r is published.
func newAdoptedDraft(r *Report) *Draft {
	d := &Draft{id: r.ID, next: 1, sharedMaps: true}
	c := &d.own
	*c = *r
	c.Timeline = r.Timeline[:len(r.Timeline):len(r.Timeline)]
	c.Log = r.Log[:len(r.Log):len(r.Log)]
	d.base = c
	return d
}

// draftCopy returns a copy of r whose maps are its own and whose Timeline
// and Log are r's, capped so that appending to them copies: a revision
// replaces or extends them, and a publisher never changes them, so that
// what is shared stays as each revision had it. A request's report is
// copied once for its draft, and its timeline is most of it.
func draftCopy(r *Report) *Report {
	c := new(Report)
	copyForDraft(c, r)
	return c
}

// copyForDraft sets *c to the copy draftCopy makes of r.
func copyForDraft(c, r *Report) {
	*c = *r
	ownMaps(c)
	c.Timeline = r.Timeline[:len(r.Timeline):len(r.Timeline)]
	c.Log = r.Log[:len(r.Log):len(r.Log)]
}

// ownMaps replaces r's maps with copies of them.
func ownMaps(r *Report) {
	r.ReqVars = maps.Clone(r.ReqVars)
	r.Attrs = maps.Clone(r.Attrs)
	r.Extra = maps.Clone(r.Extra)
}

// NewReservedDraft returns a Draft of r whose revision 0 is not published
// yet: the first Revise publishes it. A maker uses it to claim an Incident
// with a report it publishes only when the work ends (see Incident.Adopt).
// It keeps r itself.
func NewReservedDraft(r *Report) *Draft {
	return &Draft{id: r.ID, base: r}
}

// ID returns the id of the draft's report.
func (d *Draft) ID() string { return d.id }

// Hold takes a hold on d for a party that will call Revise (or Release)
// later. It returns false, and takes nothing, once d was abandoned or its
// last revision is out.
func (d *Draft) Hold() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.abandoned || d.final {
		return false
	}
	d.holds++
	return true
}

// Held reports whether any party holds d: the value of Pending for the
// revision about to be published.
func (d *Draft) Held() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.holds > 0
}

// Abandon marks d as never stored (its first publication was filtered,
// refused or failed): Revise and Hold do nothing from then on, and an
// Incident no longer counts it as its report.
func (d *Draft) Abandon() {
	d.mu.Lock()
	d.abandoned = true
	d.mu.Unlock()
}

// Abandoned reports whether Abandon was called.
func (d *Draft) Abandoned() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.abandoned
}

// Release gives up a hold without publishing. When it was the last hold and
// d was revised before, nothing more is published: the previous revision
// stays Pending, so release only holds that were never needed.
func (d *Draft) Release() {
	d.mu.Lock()
	if d.holds > 0 {
		d.holds--
	}
	d.mu.Unlock()
}

// Revise gives up the caller's hold and publishes d's next revision through
// cfg: amend, when not nil, changes the draft (its changes stay for the
// revisions that follow), then it goes out with the next Revision and
// Pending set while other holds remain: a copy while they remain, the draft's
// own report for the last revision (the publisher must not change it, as
// always). It returns what cfg.Publish returned, or nothing when d was
// abandoned.
//
// amend may set any field and change the report's maps, but must not change
// the entries of its Timeline or Log in place: the revisions published
// before share them. It replaces the slices, or appends to them (which
// copies them), as the integrations do.
func (d *Draft) Revise(ctx context.Context, cfg *Config, amend func(*Report)) ([]string, error) {
	return d.revise(ctx, cfg, amend, false)
}

func init() {
	revise.Replacing = func(ctx context.Context, d, cfg, amend any) ([]string, error) {
		return d.(*Draft).revise(ctx, cfg.(*Config), amend.(func(*Report)), true)
	}
}

func (d *Draft) revise(ctx context.Context, cfg *Config, amend func(*Report), replacing bool) ([]string, error) {
	d.mu.Lock()
	if d.holds > 0 {
		d.holds--
	}
	if d.abandoned {
		d.mu.Unlock()
		return nil, nil
	}
	if d.shared {
		// A revision after the last (a party revising without a hold):
		// the last one may still be read.
		d.base, d.shared, d.sharedMaps = draftCopy(d.base), false, false
	}
	if amend != nil {
		if d.sharedMaps && !replacing {
			ownMaps(d.base)
			d.sharedMaps = false
		}
		amend(d.base)
	}
	r := d.base
	if d.holds > 0 {
		r = draftCopy(d.base)
	} else {
		// The last revision: nothing changes base any more, so it goes out
		// itself rather than a copy.
		d.shared = true
	}
	r.Revision = d.next
	r.Pending = d.holds > 0
	d.final = !r.Pending
	d.next++
	d.mu.Unlock()
	return cfg.Publish(ctx, r)
}

// maxNoted bounds how many ids an Incident lists; past it they are counted.
const maxNoted = 100

// An Incident is one unit of work (an HTTP request, a job) seen as one
// failure story: the first report made during it becomes its report, which
// the work's owner completes when the work ends, and every other report
// stored during it is noted so that its report can list them.
//
// Integrations that make reports from log records adopt their report into
// the Incident of the record's context (see Adopt); Config.Publish notes
// every report a publisher stored with a context that carries an Incident.
// The zero Incident is ready to use; an Incident is safe for concurrent use.
type Incident struct {
	mu      sync.Mutex
	draft   *Draft
	noted   []string
	dropped int
	ended   bool
	flat    flatMemo // see FlattenTimeline
}

type incidentKey struct{}

// WithIncident returns a context that carries inc.
func WithIncident(ctx context.Context, inc *Incident) context.Context {
	return context.WithValue(ctx, incidentKey{}, inc)
}

// IncidentFromContext returns the Incident ctx carries, or nil.
func IncidentFromContext(ctx context.Context) *Incident {
	if ctx == nil {
		return nil
	}
	inc, _ := ctx.Value(incidentKey{}).(*Incident)
	return inc
}

// Adopt makes d the incident's report, and takes a hold on d for the owner,
// who revises it when the work ends (see End). It returns false, and
// changes nothing, when the incident has a report already (one that was not
// abandoned) or has ended.
func (inc *Incident) Adopt(d *Draft) bool {
	inc.mu.Lock()
	defer inc.mu.Unlock()
	if inc.ended || (inc.draft != nil && !inc.draft.Abandoned()) {
		return false
	}
	if !d.Hold() {
		return false
	}
	inc.draft = d
	return true
}

// Draft returns the incident's report, or nil when it has none (or the one
// it adopted was abandoned).
func (inc *Incident) Draft() *Draft {
	inc.mu.Lock()
	defer inc.mu.Unlock()
	if inc.draft == nil || inc.draft.Abandoned() {
		return nil
	}
	return inc.draft
}

// Note records id as a report stored during the incident. Empty and repeated
// ids, and the incident's own report's, are ignored; past 100 ids, they are only counted. Notes after End are
// ignored.
func (inc *Incident) Note(id string) {
	inc.mu.Lock()
	defer inc.mu.Unlock()
	if id == "" || inc.ended || slices.Contains(inc.noted, id) || (inc.draft != nil && inc.draft.ID() == id) {
		return
	}
	if len(inc.noted) >= maxNoted {
		inc.dropped++
		return
	}
	inc.noted = append(inc.noted, id)
}

// Related returns the ids noted so far other than the incident's own
// report's and except, oldest first, and how many more did not fit.
func (inc *Incident) Related(except string) ([]string, int) {
	inc.mu.Lock()
	defer inc.mu.Unlock()
	own := ""
	if inc.draft != nil {
		own = inc.draft.ID()
	}
	var out []string
	for _, id := range inc.noted {
		if id != own && id != except {
			out = append(out, id)
		}
	}
	return out, inc.dropped
}

// End closes the incident: it adopts nothing and notes nothing more. It
// returns the incident's report, which the owner must now Revise (or
// Release), or nil.
func (inc *Incident) End() *Draft {
	inc.mu.Lock()
	defer inc.mu.Unlock()
	inc.ended = true
	if inc.draft == nil || inc.draft.Abandoned() {
		return nil
	}
	return inc.draft
}
