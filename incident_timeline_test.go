package oops_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/timeline"
)

// incidentTimeline returns a context carrying a new incident and a new
// timeline (with stacks, so that backtraces are compared too) holding two
// finished statements, one of which failed.
func incidentTimeline(t *testing.T) (context.Context, *oops.Incident, *timeline.Timeline) {
	t.Helper()
	inc := new(oops.Incident)
	tl := timeline.NewWithOptions(&timeline.Options{Stacks: true})
	tl.Start("SQL-main", "SELECT 1").Finish()
	tl.Start("SQL-main", "UPDATE t").FinishErr(errors.New("deadlock"))
	ctx := timeline.NewContext(oops.WithIncident(context.Background(), inc), tl)
	return ctx, inc, tl
}

// TestIncidentFlattenTimelineUnchanged: a report's timeline, flattened when
// the report was made, is the completion's timeline itself while nothing
// was recorded since.
func TestIncidentFlattenTimelineUnchanged(t *testing.T) {
	ctx, inc, tl := incidentTimeline(t)
	r := &oops.Report{}
	oops.AttachTimeline(ctx, r, &oops.Event{})
	require.Len(t, r.Timeline, 2)
	require.NotNil(t, r.Timeline[0].Backtrace)
	assert.Equal(t, "deadlock", r.Timeline[1].Error)

	got := inc.FlattenTimeline(tl, r.Timeline)
	assert.Same(t, &r.Timeline[0], &got[0], "not flattened again")
	assert.Equal(t, oops.FlattenTimeline(tl), got)

	// A copy of it (a draft's) is as good.
	c := r.Clone()
	got = inc.FlattenTimeline(tl, c.Timeline)
	assert.Same(t, &c.Timeline[0], &got[0])
}

// TestIncidentFlattenTimelineChanged: whatever changed since the report was
// made gets the timeline flattened anew, as it is now.
func TestIncidentFlattenTimelineChanged(t *testing.T) {
	fresh := func(t *testing.T, inc *oops.Incident, tl *timeline.Timeline, have []oops.TimelineEntry) []oops.TimelineEntry {
		t.Helper()
		got := inc.FlattenTimeline(tl, have)
		if len(got) > 0 && len(have) > 0 {
			assert.NotSame(t, &have[0], &got[0], "flattened anew")
		}
		assert.Equal(t, oops.FlattenTimeline(tl), got)
		return got
	}
	t.Run("entry added", func(t *testing.T) {
		ctx, inc, tl := incidentTimeline(t)
		r := &oops.Report{}
		oops.AttachTimeline(ctx, r, &oops.Event{})
		tl.Start("SQL-main", "SELECT 2").Finish()
		assert.Len(t, fresh(t, inc, tl, r.Timeline), 3)
	})
	t.Run("entry added with an earlier start", func(t *testing.T) {
		ctx, inc, tl := incidentTimeline(t)
		r := &oops.Report{}
		oops.AttachTimeline(ctx, r, &oops.Event{})
		tl.Add("log-INFO", tl.Started(), tl.Started(), "early")
		got := fresh(t, inc, tl, r.Timeline)
		assert.Equal(t, "early", got[0].Detail)
	})
	t.Run("unfinished then", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			ctx, inc, tl := incidentTimeline(t)
			a := tl.Start("SQL-main", "SELECT slow")
			r := &oops.Report{}
			oops.AttachTimeline(ctx, r, &oops.Event{})
			time.Sleep(time.Millisecond) // the bubble's clock: the end moves past what the report said
			a.Finish()
			got := fresh(t, inc, tl, r.Timeline)
			assert.Equal(t, r.Timeline[2].End+time.Millisecond, got[2].End)
		})
	})
	t.Run("entry changed by a hook", func(t *testing.T) {
		ctx, inc, tl := incidentTimeline(t)
		r := &oops.Report{}
		oops.AttachTimeline(ctx, r, &oops.Event{})
		r.Timeline[0].Detail = "<redacted>"
		got := fresh(t, inc, tl, r.Timeline)
		assert.Equal(t, "SELECT 1", got[0].Detail)
	})
	t.Run("error or backtrace changed by a hook", func(t *testing.T) {
		ctx, inc, tl := incidentTimeline(t)
		r := &oops.Report{}
		oops.AttachTimeline(ctx, r, &oops.Event{})
		r.Timeline[1].Error = ""
		fresh(t, inc, tl, r.Timeline)
		r.Timeline[1].Error = "deadlock"
		r.Timeline[0].Backtrace = nil
		fresh(t, inc, tl, r.Timeline)
	})
	t.Run("template entries before", func(t *testing.T) {
		ctx, inc, tl := incidentTimeline(t)
		r := &oops.Report{Timeline: []oops.TimelineEntry{{Category: "template"}}}
		oops.AttachTimeline(ctx, r, &oops.Event{})
		require.Len(t, r.Timeline, 3)
		fresh(t, inc, tl, r.Timeline)
	})
	t.Run("another timeline", func(t *testing.T) {
		ctx, inc, _ := incidentTimeline(t)
		r := &oops.Report{}
		oops.AttachTimeline(ctx, r, &oops.Event{})
		other := timeline.New()
		other.Start("SQL-main", "SELECT 1").Finish()
		fresh(t, inc, other, r.Timeline)
	})
	t.Run("entries dropped by the cap", func(t *testing.T) {
		inc := new(oops.Incident)
		tl := timeline.NewWithOptions(&timeline.Options{MaxEntries: 2})
		for range 3 {
			tl.Start("SQL-main", "SELECT 1").Finish()
		}
		ctx := timeline.NewContext(oops.WithIncident(context.Background(), inc), tl)
		r := &oops.Report{}
		oops.AttachTimeline(ctx, r, &oops.Event{})
		assert.Equal(t, 1, r.TimelineDropped)
		fresh(t, inc, tl, r.Timeline)
	})
	t.Run("no incident in the context", func(t *testing.T) {
		tl := timeline.New()
		tl.Start("SQL-main", "SELECT 1").Finish()
		r := &oops.Report{}
		oops.AttachTimeline(timeline.NewContext(context.Background(), tl), r, &oops.Event{})
		fresh(t, new(oops.Incident), tl, r.Timeline)
	})
	t.Run("nil timeline", func(t *testing.T) {
		assert.Nil(t, new(oops.Incident).FlattenTimeline(nil, nil))
	})
}
