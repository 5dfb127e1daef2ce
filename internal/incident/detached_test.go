package incident

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type valueKey struct{}

// TestDetachedIsWithoutCancel: a Detached answers as context.WithoutCancel
// of the same parent does, before and after the parent is canceled.
func TestDetachedIsWithoutCancel(t *testing.T) {
	cause := errors.New("client went away")
	parent, cancel := context.WithCancelCause(context.WithValue(context.Background(), valueKey{}, "v"))
	parent, stop := context.WithDeadline(parent, time.Now().Add(time.Hour))
	defer stop()
	d := &Detached{Parent: parent}
	want := context.WithoutCancel(parent)

	check := func() {
		t.Helper()
		dl, ok := d.Deadline()
		wdl, wok := want.Deadline()
		assert.Equal(t, wok, ok)
		assert.Equal(t, wdl, dl)
		assert.Nil(t, d.Done())
		assert.Equal(t, want.Err(), d.Err())
		assert.Equal(t, context.Cause(want), context.Cause(d))
		assert.Equal(t, "v", d.Value(valueKey{}))
		assert.Nil(t, d.Value("missing"))
	}
	check()
	cancel(cause)
	require.ErrorIs(t, context.Cause(parent), cause)
	check()
	assert.NoError(t, context.Cause(d), "the parent's cause is not the detached context's")

	// A context made from it lives on its own.
	child, cancelChild := context.WithCancel(d)
	assert.NoError(t, child.Err())
	cancelChild()
	assert.ErrorIs(t, context.Cause(child), context.Canceled)
	assert.Contains(t, d.String(), "WithoutCancel")
}

// TestDetachedValueAllocatesNothing: unlike context.WithoutCancel's, its
// Value makes no allocation.
func TestDetachedValueAllocatesNothing(t *testing.T) {
	d := &Detached{Parent: context.WithValue(context.Background(), valueKey{}, "v")}
	var got any
	allocs := testing.AllocsPerRun(100, func() { got = d.Value(valueKey{}) })
	assert.Equal(t, "v", got)
	assert.Zero(t, allocs)
}
