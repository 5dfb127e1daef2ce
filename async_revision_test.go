package oops_test

import (
	"context"
	"sync"
	"testing"

	"github.com/oops-go/oops"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// recorded is a report as a publisher saw it.
type recorded struct {
	id       string
	revision int
	pending  bool
}

// TestAsyncRevisionReplacesQueuedPending: a completed revision that arrives
// while its pending revision still waits in the queue is published in its
// place, once; a revision that arrives once the pending one is being
// published is published after it.
func TestAsyncRevisionReplacesQueuedPending(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	g := newGate()
	var mu sync.Mutex
	var got []recorded
	a := oops.NewAsync(oops.PublisherFunc(func(ctx context.Context, r *oops.Report) ([]string, error) {
		if r.ID == "block" {
			return g.Publish(ctx, r)
		}
		mu.Lock()
		defer mu.Unlock()
		got = append(got, recorded{r.ID, r.Revision, r.Pending})
		return []string{r.ID}, nil
	}), &oops.AsyncOptions{QueueSize: 3})
	ctx := context.Background()
	publish := func(r *oops.Report) {
		t.Helper()
		ids, err := a.Publish(ctx, r)
		require.NoError(t, err)
		assert.Equal(t, []string{r.ID}, ids)
	}

	// The worker is held on "block": what follows waits in the queue.
	publish(report("block"))
	require.Equal(t, "block", <-g.began)
	publish(&oops.Report{ID: "a", Pending: true})
	publish(&oops.Report{ID: "b"})
	publish(&oops.Report{ID: "c", Pending: true})
	// The queue is full, but revisions of queued pending reports take their
	// places.
	publish(&oops.Report{ID: "a", Revision: 1, Pending: true})
	publish(&oops.Report{ID: "a", Revision: 2})
	publish(&oops.Report{ID: "c", Revision: 1})
	_, err := a.Publish(ctx, report("d"))
	require.ErrorIs(t, err, oops.ErrQueueFull, "a report that revises nothing queued needs room")
	g.release <- struct{}{}
	require.NoError(t, a.Flush(ctx))

	mu.Lock()
	assert.Equal(t, []recorded{{"a", 2, false}, {"b", 0, false}, {"c", 1, false}}, got,
		"each id once, at its latest revision, in the queue order of its first")
	got = nil
	mu.Unlock()
	assert.Equal(t, oops.AsyncStats{Queued: 7, Published: 4, DroppedFull: 1, Superseded: 3}, a.Stats())

	// Nothing is queued any more: a new pending report and its revision are
	// both published, in order.
	publish(report("block"))
	require.Equal(t, "block", <-g.began)
	publish(&oops.Report{ID: "e", Pending: true})
	g.release <- struct{}{}
	require.NoError(t, a.Flush(ctx))
	publish(&oops.Report{ID: "e", Revision: 1})
	// An older revision never replaces a newer one.
	publish(report("block"))
	require.Equal(t, "block", <-g.began)
	publish(&oops.Report{ID: "f", Revision: 2, Pending: true})
	publish(&oops.Report{ID: "f", Revision: 1})
	g.release <- struct{}{}
	require.NoError(t, a.Close(ctx))
	mu.Lock()
	assert.Equal(t, []recorded{{"e", 0, true}, {"e", 1, false}, {"f", 2, true}, {"f", 1, false}}, got)
	mu.Unlock()
	assert.Equal(t, uint64(3), a.Stats().Superseded)
}
