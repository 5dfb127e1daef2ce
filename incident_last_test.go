package oops_test

import (
	"context"
	"testing"

	"github.com/oops-go/oops"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDraftLastRevisionStaysAsPublished: the last revision goes out without
// a copy, so a Revise after it (a party revising without a hold) must change
// a copy, never the report a publisher was given.
func TestDraftLastRevisionStaysAsPublished(t *testing.T) {
	var got []*oops.Report
	cfg := &oops.Config{Publisher: oops.PublisherFunc(func(_ context.Context, r *oops.Report) ([]string, error) {
		got = append(got, r)
		return []string{r.ID}, nil
	})}
	first := &oops.Report{ID: oops.NewID(), Value: "v0"}
	d := oops.NewDraft(first)
	require.True(t, d.Hold())
	require.True(t, d.Hold())

	_, err := d.Revise(context.Background(), cfg, func(r *oops.Report) { r.Value = "v1" })
	require.NoError(t, err)
	_, err = d.Revise(context.Background(), cfg, func(r *oops.Report) { r.Value = "v2" })
	require.NoError(t, err)
	assert.False(t, d.Hold(), "the last revision is out")
	_, err = d.Revise(context.Background(), cfg, func(r *oops.Report) { r.Value = "v3" })
	require.NoError(t, err)

	require.Len(t, got, 3)
	for i, want := range []struct {
		value    string
		revision int
		pending  bool
	}{{"v1", 1, true}, {"v2", 2, false}, {"v3", 3, false}} {
		assert.Equal(t, want.value, got[i].Value, i)
		assert.Equal(t, want.revision, got[i].Revision, i)
		assert.Equal(t, want.pending, got[i].Pending, i)
		assert.Equal(t, first.ID, got[i].ID, i)
	}
	assert.Equal(t, "v0", first.Value, "the first publication is the caller's")
	assert.Equal(t, first.ID, d.ID())
}
