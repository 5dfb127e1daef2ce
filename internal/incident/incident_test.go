package incident

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/internal/testpub"
	"github.com/oops-go/oops/timeline"
)

// TestUnitCompletesItsReport: the first report stored with the unit's
// context is its report; Revise republishes it under the same id with the
// related ids and the whole timeline.
func TestUnitCompletesItsReport(t *testing.T) {
	var col testpub.Collector
	u := &Unit{Cfg: &oops.Config{Publisher: &col}, TL: timeline.New()}
	ctx := oops.WithIncident(timeline.NewContext(context.Background(), u.TL), &u.Inc)

	first := u.Cfg.Create(ctx, oops.Event{Level: "ERROR", Msg: "first"})
	id := u.Publish(ctx, first)
	require.Equal(t, first.ID, id)
	second := u.Cfg.Create(ctx, oops.Event{Level: "ERROR", Msg: "second"})
	require.Equal(t, second.ID, u.Publish(ctx, second))
	u.TL.Start("SQL-x", "after the reports").Finish()

	d := u.Inc.End()
	require.NotNil(t, d)
	got := u.Revise(ctx, d, func(r *oops.Report) { r.Extra["status"] = "500" })
	assert.Equal(t, id, got)

	raw := col.Raw()
	require.Len(t, raw, 3)
	last := raw[2]
	assert.Equal(t, id, last.ID)
	assert.Equal(t, 1, last.Revision)
	assert.False(t, last.Pending)
	assert.Equal(t, []string{second.ID}, last.Extra[RelatedKey])
	assert.Equal(t, "500", last.Extra["status"])
	require.Len(t, last.Timeline, 1)
	assert.Equal(t, "after the reports", last.Timeline[0].Detail)

	// A report the owner makes after the end lists the others.
	own := u.Cfg.Create(ctx, oops.Event{Level: "ERROR", Msg: "own"})
	u.AddRelated(own)
	assert.Equal(t, []string{second.ID}, own.Extra[RelatedKey])
}

// TestUnitPublishErrors: a failure is told, a filtered report is not, and
// neither has an id.
func TestUnitPublishErrors(t *testing.T) {
	var told []error
	fail := errors.New("store down")
	u := &Unit{
		Cfg: &oops.Config{
			Publisher: oops.PublisherFunc(func(context.Context, *oops.Report) ([]string, error) { return nil, fail }),
			Filters:   []oops.Filter{func(_ context.Context, r *oops.Report) bool { return r.Msg == "filtered" }},
		},
		TL:           timeline.New(),
		PublishError: func(_ context.Context, _ *oops.Report, err error) { told = append(told, err) },
	}
	ctx := oops.WithIncident(context.Background(), &u.Inc)
	assert.Empty(t, u.Publish(ctx, u.Cfg.Create(ctx, oops.Event{Msg: "filtered"})))
	assert.Empty(t, u.Publish(ctx, u.Cfg.Create(ctx, oops.Event{Msg: "lost"})))
	assert.Equal(t, []error{fail}, told)
	assert.Nil(t, u.Inc.End(), "a report no store took is not the unit's")
}

// TestUnitReviseReplacing: the completion writes into an Extra of its own,
// made when the report had none and copied when it had one, so that the
// revision published before (which a publisher may still be reading) keeps
// its maps as they were.
func TestUnitReviseReplacing(t *testing.T) {
	for _, extra := range []map[string]any{nil, {"made": "at the error"}} {
		var col testpub.Collector
		u := &Unit{Cfg: &oops.Config{Publisher: &col, NoHooks: true}, TL: timeline.New()}
		ctx := oops.WithIncident(timeline.NewContext(context.Background(), u.TL), &u.Inc)
		first := u.Cfg.Create(ctx, oops.Event{Level: "ERROR", Msg: "first"})
		first.Extra = extra
		first.ReqVars = map[string]string{"PATH_INFO": "/a"}
		id := u.Publish(ctx, first)
		require.Equal(t, first.ID, id)
		second := u.Cfg.Create(ctx, oops.Event{Level: "ERROR", Msg: "second"})
		require.Equal(t, second.ID, u.Publish(ctx, second))

		d := u.Inc.End()
		require.NotNil(t, d)
		got := u.ReviseReplacing(ctx, d, func(r *oops.Report) { r.Extra["status"] = "500" })
		assert.Equal(t, id, got)

		raw := col.Raw()
		require.Len(t, raw, 3)
		last := raw[2]
		assert.Equal(t, 1, last.Revision)
		assert.False(t, last.Pending)
		assert.Equal(t, "500", last.Extra["status"])
		assert.Equal(t, []string{second.ID}, last.Extra[RelatedKey])
		assert.Equal(t, map[string]string{"PATH_INFO": "/a"}, last.ReqVars)
		if extra == nil {
			assert.Nil(t, first.Extra, "revision 0 unchanged")
		} else {
			assert.Equal(t, map[string]any{"made": "at the error"}, first.Extra, "revision 0 unchanged")
			assert.Equal(t, "at the error", last.Extra["made"])
		}
	}
}
