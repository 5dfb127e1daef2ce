package oops_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/internal/testpub"
)

// keeper is a publisher that stores copies and returns the id, or nothing
// while refuse is set.
type keeper struct {
	mu     sync.Mutex
	reps   []*oops.Report
	refuse bool
}

func (k *keeper) Publish(_ context.Context, r *oops.Report) ([]string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.refuse {
		return nil, nil
	}
	k.reps = append(k.reps, r.Clone())
	return []string{r.ID}, nil
}

func TestCreateUsesTheEventsID(t *testing.T) {
	var seen string
	cfg := &oops.Config{Hooks: []oops.Hook{func(_ context.Context, r *oops.Report, _ *oops.Event) { seen = r.ID }}}
	id := oops.NewID()
	r := cfg.Create(context.Background(), oops.Event{ID: id})
	assert.Equal(t, id, r.ID)
	assert.Equal(t, id, seen, "hooks see the id the report is published under")
	assert.NotEqual(t, id, cfg.Create(context.Background(), oops.Event{}).ID)
}

func TestDraftRevisions(t *testing.T) {
	k := &keeper{}
	cfg := &oops.Config{Publisher: k}
	ctx := context.Background()
	r := cfg.Create(ctx, oops.Event{Msg: "m"})
	d := oops.NewDraft(r)
	require.True(t, d.Hold())
	require.True(t, d.Hold())
	r.Pending = d.Held()
	_, err := cfg.Publish(ctx, r)
	require.NoError(t, err)
	_, err = d.Revise(ctx, cfg, func(r *oops.Report) { r.Extra = map[string]any{"a": 1} })
	require.NoError(t, err)
	_, err = d.Revise(ctx, cfg, func(r *oops.Report) { r.Extra["b"] = 2 })
	require.NoError(t, err)
	assert.False(t, d.Hold(), "the last revision is out")
	require.Len(t, k.reps, 3)
	for i, rep := range k.reps {
		assert.Equal(t, r.ID, rep.ID)
		assert.Equal(t, i, rep.Revision)
		assert.Equal(t, i < 2, rep.Pending)
	}
	assert.Equal(t, map[string]any{"a": 1, "b": 2}, k.reps[2].Extra, "amendments stay")

	// Abandoned: nothing more is published.
	d2 := oops.NewDraft(cfg.Create(ctx, oops.Event{}))
	d2.Hold()
	d2.Abandon()
	ids, err := d2.Revise(ctx, cfg, nil)
	assert.NoError(t, err)
	assert.Empty(t, ids)
	assert.Len(t, k.reps, 3)

	// Reserved: the first Revise is revision 0.
	d3 := oops.NewReservedDraft(cfg.Create(ctx, oops.Event{}))
	d3.Hold()
	_, err = d3.Revise(ctx, cfg, nil)
	require.NoError(t, err)
	assert.Equal(t, 0, k.reps[3].Revision)
	assert.False(t, k.reps[3].Pending)
}

func TestIncidentThroughConfigPublish(t *testing.T) {
	k := &keeper{}
	drop := false
	cfg := &oops.Config{Publisher: k, Filters: []oops.Filter{func(context.Context, *oops.Report) bool { return drop }}}
	inc := &oops.Incident{}
	ctx := oops.WithIncident(context.Background(), inc)
	require.Same(t, inc, oops.IncidentFromContext(ctx))
	assert.Nil(t, oops.IncidentFromContext(context.Background()))

	// Filtered: neither adopted nor noted.
	drop = true
	_, err := cfg.Publish(ctx, cfg.Create(ctx, oops.Event{Msg: "filtered"}))
	require.ErrorIs(t, err, oops.ErrFiltered)
	drop = false
	// Not stored: adopted, then abandoned.
	k.refuse = true
	_, err = cfg.Publish(ctx, cfg.Create(ctx, oops.Event{Msg: "refused"}))
	require.NoError(t, err)
	assert.Nil(t, inc.Draft())
	k.refuse = false

	first := cfg.Create(ctx, oops.Event{Msg: "first"})
	_, err = cfg.Publish(ctx, first)
	require.NoError(t, err)
	require.NotNil(t, inc.Draft())
	assert.Equal(t, first.ID, inc.Draft().ID())
	assert.True(t, k.reps[0].Pending, "the incident's report goes out Pending")

	second := cfg.Create(ctx, oops.Event{Msg: "second"})
	_, err = cfg.Publish(ctx, second)
	require.NoError(t, err)
	assert.False(t, k.reps[1].Pending)
	inc.Note(second.ID)
	inc.Note("")

	d := inc.End()
	require.NotNil(t, d)
	related, dropped := inc.Related("")
	assert.Equal(t, []string{second.ID}, related, "only stored reports, not the incident's own")
	assert.Zero(t, dropped)
	_, err = d.Revise(ctx, cfg, nil)
	require.NoError(t, err)
	assert.False(t, k.reps[2].Pending)
	assert.Equal(t, 1, k.reps[2].Revision)

	// After the end: nothing adopted, nothing noted.
	late := cfg.Create(ctx, oops.Event{Msg: "late"})
	_, err = cfg.Publish(ctx, late)
	require.NoError(t, err)
	assert.False(t, k.reps[3].Pending)
	related, _ = inc.Related("")
	assert.NotContains(t, related, late.ID)
}

func TestIncidentBoundsNotes(t *testing.T) {
	inc := &oops.Incident{}
	for range 150 {
		inc.Note(oops.NewID())
	}
	ids, dropped := inc.Related("")
	assert.Len(t, ids, 100)
	assert.Equal(t, 50, dropped)
}

// TestDraftRevisionsKeepEarlierOnes: a revision that appends to the
// timeline and the log, or changes a map, leaves every revision published
// before as it was, spare capacity of their slices included.
func TestDraftRevisionsKeepEarlierOnes(t *testing.T) {
	k := new(testpub.Holder)
	cfg := &oops.Config{Publisher: k}
	r := &oops.Report{
		ID:       oops.NewID(),
		Timeline: append(make([]oops.TimelineEntry, 0, 4), oops.TimelineEntry{Category: "first"}),
		Log:      append(make([]oops.LogRecord, 0, 4), oops.LogRecord{Msg: "first"}),
		ReqVars:  map[string]string{"a": "1"},
		Attrs:    map[string]any{"n": 1},
	}
	d := oops.NewDraft(r)
	require.True(t, d.Hold())
	require.True(t, d.Hold())
	_, err := cfg.Publish(context.Background(), r)
	require.NoError(t, err)
	amend := func(msg string) func(*oops.Report) {
		return func(r *oops.Report) {
			r.Timeline = append(r.Timeline, oops.TimelineEntry{Category: msg})
			r.Log = append(r.Log, oops.LogRecord{Msg: msg})
			r.ReqVars["a"] = msg
			r.Attrs["n"] = msg
		}
	}
	_, err = d.Revise(context.Background(), cfg, amend("second"))
	require.NoError(t, err)
	_, err = d.Revise(context.Background(), cfg, amend("third"))
	require.NoError(t, err)

	require.Len(t, k.Reports(), 3)
	for i, want := range [][]string{{"first"}, {"first", "second"}, {"first", "second", "third"}} {
		rev := k.Reports()[i]
		var cats, msgs []string
		for _, e := range rev.Timeline {
			cats = append(cats, e.Category)
		}
		for _, l := range rev.Log {
			msgs = append(msgs, l.Msg)
		}
		assert.Equal(t, want, cats, "revision %d's timeline", i)
		assert.Equal(t, want, msgs, "revision %d's log", i)
		wantVar := map[int]string{0: "1", 1: "second", 2: "third"}[i]
		assert.Equal(t, wantVar, rev.ReqVars["a"], "revision %d's req_vars", i)
	}
	assert.Equal(t, "1", r.ReqVars["a"])
	assert.Equal(t, 1, r.Attrs["n"])
	assert.Empty(t, r.Timeline[:cap(r.Timeline)][1].Category, "the first revision's spare capacity is not written")
	assert.Empty(t, r.Log[:cap(r.Log)][1].Msg)
}
