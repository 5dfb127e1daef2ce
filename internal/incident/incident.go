// Package incident holds what the integrations that serve a unit of work
// (oopshttp's requests, oopsgrpc's calls) do alike with the unit's
// oops.Incident: list the other reports stored during it, publish their own
// reports, and complete the unit's report when it ends, under the same id.
package incident

import (
	"context"
	"errors"
	"maps"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/internal/revise"
	"github.com/oops-go/oops/timeline"
)

// Keys of Report.Extra that a unit's report carries.
const (
	// RelatedKey holds the ids ([]string) of the other reports stored
	// during the unit, oldest first.
	RelatedKey = "related_ids"
	// RelatedDroppedKey holds how many (int) further related ids were not
	// listed.
	RelatedDroppedKey = "related_ids_dropped"
)

// A Unit is one unit of work: its incident, which its context carries (see
// oops.WithIncident), its timeline and the Config its reports are made with.
// Its owner sets the fields before the work starts and does not change
// them.
type Unit struct {
	Inc oops.Incident
	Cfg *oops.Config
	TL  *timeline.Timeline
	// PublishError is told when one of the unit's reports could not be
	// published (not when a filter dropped it).
	PublishError func(ctx context.Context, r *oops.Report, err error)
}

// AddRelated lists on r, a report the owner made, the other reports stored
// during the unit so far.
func (u *Unit) AddRelated(r *oops.Report) {
	ids, dropped := u.Inc.Related(r.ID)
	setRelated(r, ids, dropped)
}

func setRelated(r *oops.Report, ids []string, dropped int) {
	if len(ids) == 0 && dropped == 0 {
		return
	}
	if r.Extra == nil {
		r.Extra = make(map[string]any, 2)
	}
	if len(ids) > 0 {
		r.Extra[RelatedKey] = ids
	}
	if dropped > 0 {
		r.Extra[RelatedDroppedKey] = dropped
	}
}

// Publish publishes r, one of the owner's reports, with ctx (which should
// outlive the client: see Detached), and returns its id, or ""
// when no store took it.
func (u *Unit) Publish(ctx context.Context, r *oops.Report) string {
	id := r.ID
	ids, err := u.Cfg.Publish(ctx, r)
	if err != nil && !errors.Is(err, oops.ErrFiltered) && u.PublishError != nil {
		u.PublishError(ctx, r, err)
	}
	if len(ids) == 0 {
		return ""
	}
	if last := ids[len(ids)-1]; last != "" {
		return last
	}
	return id
}

// Revise publishes d, the unit's report (returned by Inc.End), again with
// ctx, completed: the related ids, the whole timeline (also what ran after
// the report was made), then what amend adds (the owner's request
// variables, status, how the work ended). It returns the report's id, or ""
// when it was never stored.
func (u *Unit) Revise(ctx context.Context, d *oops.Draft, amend func(*oops.Report)) string {
	return u.revise(ctx, d, amend, false)
}

// ReviseReplacing is Revise for an amend that changes the report's ReqVars
// and Attrs only by replacing them (see revise.Replacing): they may be
// the maps of the revision published before, which its publisher may still
// be reading. Extra is the revision's own when amend runs (made, or copied,
// first), so amend may write into it.
func (u *Unit) ReviseReplacing(ctx context.Context, d *oops.Draft, amend func(*oops.Report)) string {
	return u.revise(ctx, d, amend, true)
}

func (u *Unit) revise(ctx context.Context, d *oops.Draft, amend func(*oops.Report), replacing bool) string {
	// Read before Revise locks the draft: the incident locks itself before
	// the draft.
	related, dropped := u.Inc.Related("")
	var last *oops.Report
	complete := func(r *oops.Report) {
		if replacing {
			// The owner's completion sets Extra keys (its status): the
			// map is copied once here, the others only if changed.
			if r.Extra == nil {
				r.Extra = make(map[string]any, 2)
			} else {
				r.Extra = maps.Clone(r.Extra)
			}
		}
		setRelated(r, related, dropped)
		r.Timeline = u.Inc.FlattenTimeline(u.TL, r.Timeline)
		r.TimelineDropped = u.TL.Dropped()
		if amend != nil {
			amend(r)
		}
		last = r
	}
	var ids []string
	var err error
	if replacing {
		ids, err = revise.Replacing(ctx, d, u.Cfg, complete)
	} else {
		ids, err = d.Revise(ctx, u.Cfg, complete)
	}
	if d.Abandoned() {
		return ""
	}
	if err != nil && !errors.Is(err, oops.ErrFiltered) && last != nil && u.PublishError != nil {
		u.PublishError(ctx, last, err)
	}
	if len(ids) > 0 && ids[len(ids)-1] != "" {
		return ids[len(ids)-1]
	}
	// The first revision was stored: the id stays good even if this one
	// was not.
	return d.ID()
}
