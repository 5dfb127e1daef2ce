package oops_test

import (
	"context"
	"errors"
	"testing"

	"github.com/oops-go/oops"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// step is a publisher that records the id it saw and answers as told.
type step struct {
	name  string
	trace *[]string
	ids   []string
	err   error
}

func (s step) Publish(_ context.Context, r *oops.Report) ([]string, error) {
	*s.trace = append(*s.trace, s.name+" saw "+r.ID)
	return s.ids, s.err
}

func TestToMany(t *testing.T) {
	var trace []string
	e1, e3 := errors.New("store 1 down"), errors.New("store 3 down")
	p := oops.ToMany(
		step{name: "a", trace: &trace, ids: []string{"id-a"}},
		step{name: "b", trace: &trace, err: e1},
		step{name: "c", trace: &trace, ids: []string{"id-c1", "id-c2"}},
		step{name: "d", trace: &trace},
		step{name: "e", trace: &trace, ids: []string{"id-e"}, err: e3},
		step{name: "f", trace: &trace},
	)
	r := &oops.Report{ID: "OOPS-orig"}
	ids, err := p.Publish(context.Background(), r)
	assert.Equal(t, []string{"id-a", "id-c1", "id-c2", "id-e"}, ids, "all ids, in order")
	assert.Equal(t, []string{
		"a saw OOPS-orig", "b saw id-a", "c saw id-a", "d saw id-c2", "e saw id-c2", "f saw id-e",
	}, trace, "every publisher runs and sees the last id so far")
	assert.ErrorIs(t, err, e1)
	assert.ErrorIs(t, err, e3)
	assert.ErrorContains(t, err, "publisher 1")
	assert.ErrorContains(t, err, "publisher 4")
	assert.Equal(t, "id-e", r.ID)

	trace = nil
	ids, err = oops.ToMany(step{name: "a", trace: &trace, ids: []string{"x"}}).Publish(context.Background(), r)
	assert.NoError(t, err)
	assert.Equal(t, []string{"x"}, ids)
}

func TestWithFallback(t *testing.T) {
	var trace []string
	e1, e2 := errors.New("primary down"), errors.New("secondary down")
	p := oops.WithFallback(
		step{name: "a", trace: &trace, err: e1},
		step{name: "b", trace: &trace},
		step{name: "c", trace: &trace, ids: []string{"id-c"}},
		step{name: "d", trace: &trace, ids: []string{"id-d"}},
	)
	ids, err := p.Publish(context.Background(), &oops.Report{ID: "OOPS-orig"})
	assert.NoError(t, err, "errors of earlier publishers are not returned once one takes it")
	assert.Equal(t, []string{"id-c"}, ids)
	assert.Equal(t, []string{"a saw OOPS-orig", "b saw OOPS-orig", "c saw OOPS-orig"}, trace, "stops at the first with ids")

	trace = nil
	ids, err = oops.WithFallback(
		step{name: "a", trace: &trace, err: e1},
		step{name: "b", trace: &trace, err: e2},
	).Publish(context.Background(), &oops.Report{ID: "OOPS-orig"})
	assert.Empty(t, ids)
	require.Error(t, err, "all failed")
	assert.ErrorIs(t, err, e1)
	assert.ErrorIs(t, err, e2)
	assert.Len(t, trace, 2)

	// None failed and none took it: published nowhere, no error.
	ids, err = oops.WithFallback(step{name: "a", trace: &trace}).Publish(context.Background(), &oops.Report{})
	assert.NoError(t, err)
	assert.Empty(t, ids)

	ids, err = oops.WithFallback().Publish(context.Background(), &oops.Report{})
	assert.NoError(t, err)
	assert.Empty(t, ids)
}

func TestComposedInConfig(t *testing.T) {
	primary := &collector{err: errors.New("down")}
	backup := &collector{}
	audit := &collector{ids: []string{"OOPS-audit"}}
	cfg := &oops.Config{Publisher: oops.ToMany(oops.WithFallback(primary, backup), audit)}
	r := cfg.Create(context.Background(), oops.Event{})
	orig := r.ID
	ids, err := cfg.Publish(context.Background(), r)
	require.NoError(t, err)
	assert.Equal(t, []string{orig, "OOPS-audit"}, ids)
	assert.Equal(t, "OOPS-audit", r.ID)
	assert.Len(t, primary.got, 1)
	assert.Len(t, backup.got, 1)
}

func TestPublisherFuncAndDiscard(t *testing.T) {
	called := false
	ids, err := oops.PublisherFunc(func(_ context.Context, r *oops.Report) ([]string, error) {
		called = true
		return []string{r.ID}, nil
	}).Publish(context.Background(), &oops.Report{ID: "x"})
	assert.True(t, called)
	assert.NoError(t, err)
	assert.Equal(t, []string{"x"}, ids)

	ids, err = oops.Discard.Publish(context.Background(), &oops.Report{ID: "x"})
	assert.NoError(t, err)
	assert.Nil(t, ids)
}
