package oops_test

import (
	"context"
	"maps"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/internal/revise"
	"github.com/oops-go/oops/internal/testpub"
)

// adopted publishes a report with maps in an incident's context, so that
// Config.Publish makes it the incident's report, and returns the report
// published (still held by the publisher) and its draft.
func adopted(t *testing.T, h *testpub.Holder) (*oops.Config, *oops.Report, *oops.Draft) {
	t.Helper()
	cfg := &oops.Config{Publisher: h, NoHooks: true}
	ctx := oops.WithIncident(context.Background(), new(oops.Incident))
	r := cfg.Create(ctx, oops.Event{Msg: "m"})
	r.ReqVars = map[string]string{"PATH_INFO": "/a"}
	r.Attrs = map[string]any{"order": 7}
	r.Extra = map[string]any{"x": 1}
	_, err := cfg.Publish(ctx, r)
	require.NoError(t, err)
	require.True(t, r.Pending)
	d := oops.IncidentFromContext(ctx).End()
	require.NotNil(t, d)
	return cfg, r, d
}

// TestAdoptedDraftReviseCopiesMaps: the draft Config.Publish adopts shares
// the published report's maps; Revise copies them before an amend that
// writes into them, so that what was published does not change.
func TestAdoptedDraftReviseCopiesMaps(t *testing.T) {
	h := &testpub.Holder{}
	cfg, r, d := adopted(t, h)
	_, err := d.Revise(context.Background(), cfg, func(c *oops.Report) {
		c.ReqVars["PATH_INFO"] = "/b"
		c.Attrs["order"] = 8
		c.Extra["x"] = 2
	})
	require.NoError(t, err)
	require.Len(t, h.Reports(), 2)
	assert.Equal(t, map[string]string{"PATH_INFO": "/a"}, r.ReqVars, "revision 0 unchanged")
	assert.Equal(t, map[string]any{"order": 7}, r.Attrs)
	assert.Equal(t, map[string]any{"x": 1}, r.Extra)
	last := h.Reports()[1]
	assert.Equal(t, 1, last.Revision)
	assert.False(t, last.Pending)
	assert.Equal(t, map[string]string{"PATH_INFO": "/b"}, last.ReqVars)
	assert.Equal(t, map[string]any{"order": 8}, last.Attrs)
	assert.Equal(t, map[string]any{"x": 2}, last.Extra)
}

// TestAdoptedDraftReviseReplacing: with revise.Replacing the maps the amend
// leaves alone are shared by both revisions, and those it replaces are the
// last revision's alone.
func TestAdoptedDraftReviseReplacing(t *testing.T) {
	h := &testpub.Holder{}
	cfg, r, d := adopted(t, h)
	_, err := revise.Replacing(context.Background(), d, cfg, func(c *oops.Report) {
		c.Extra = maps.Clone(c.Extra)
		c.Extra["status"] = "500"
	})
	require.NoError(t, err)
	require.Len(t, h.Reports(), 2)
	last := h.Reports()[1]
	assert.Equal(t, 1, last.Revision)
	assert.False(t, last.Pending)
	assert.Equal(t, map[string]any{"x": 1}, r.Extra, "revision 0 unchanged")
	assert.Equal(t, map[string]any{"x": 1, "status": "500"}, last.Extra)
	assert.Equal(t, r.ID, last.ID)

	// A revision after the last goes out as a copy (the last one may still
	// be read): Revise copies the maps still shared before its amend.
	_, err = d.Revise(context.Background(), cfg, func(c *oops.Report) { c.Attrs["order"] = 9 })
	require.NoError(t, err)
	require.Len(t, h.Reports(), 3)
	assert.Equal(t, map[string]any{"order": 7}, r.Attrs)
	assert.Equal(t, map[string]any{"order": 7}, last.Attrs)
	assert.Equal(t, map[string]any{"order": 9}, h.Reports()[2].Attrs)
}

// TestNewDraftCopiesMaps: NewDraft's copy owns its maps from the start, as
// documented, whichever way it is revised.
func TestNewDraftCopiesMaps(t *testing.T) {
	h := &testpub.Holder{}
	cfg := &oops.Config{Publisher: h, NoHooks: true}
	r := cfg.Create(context.Background(), oops.Event{})
	r.Attrs = map[string]any{"a": 1}
	d := oops.NewDraft(r)
	r.Attrs["a"] = 2 // the caller's report, changed after the copy
	d.Hold()
	_, err := revise.Replacing(context.Background(), d, cfg, (func(*oops.Report))(nil))
	require.NoError(t, err)
	require.Len(t, h.Reports(), 1)
	assert.Equal(t, map[string]any{"a": 1}, h.Reports()[0].Attrs)
}
