package oopsamqp_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/datedir"
	"github.com/oops-go/oops/oopsamqp"
)

// spoolOf returns a spool holding n reports.
func spoolOf(t *testing.T, n int) (*datedir.Repo, []*oops.Report) {
	t.Helper()
	spool := datedir.New(t.TempDir())
	var rs []*oops.Report
	for i := range n {
		r := report(i)
		_, err := spool.Publish(t.Context(), r)
		require.NoError(t, err)
		rs = append(rs, r)
	}
	return spool, rs
}

func TestForwardDrainsTheSpoolIntoTheBroker(t *testing.T) {
	url := brokerURL(t)
	top := topology(t)
	spool, rs := spoolOf(t, 30)
	// A file that holds no report stays, and does not stop the others.
	day := filepath.Join(spool.Root(), time.Now().UTC().Format("2006-01-02"))
	require.NoError(t, os.WriteFile(filepath.Join(day, "OOPS-garbage"), []byte("not bson"), 0o644))

	pub := newPublisher(t, url, oopsamqp.PublisherOptions{Topology: top})
	<-pub.Ready()
	fwd := oopsamqp.NewForwarder(spool, pub, &oopsamqp.ForwarderOptions{Logger: quiet})
	n, err := fwd.Forward(t.Context())
	assert.Equal(t, 30, n)
	require.ErrorIs(t, err, datedir.ErrCorrupt)
	assert.FileExists(t, filepath.Join(day, "OOPS-garbage"))
	assert.Equal(t, uint64(30), pub.Stats().Confirmed)

	repo := datedir.New(t.TempDir())
	rcv := oopsamqp.NewReceiver(url, repo, &oopsamqp.ReceiverOptions{Topology: top, Logger: quiet})
	runReceiver(t, rcv)
	waitFor(t, 10*time.Second, "30 reports stored", func() bool { return rcv.Stats().Stored == 30 })
	for _, r := range rs {
		_, err := repo.Get(t.Context(), r.ID)
		assert.NoError(t, err)
		_, err = spool.Get(t.Context(), r.ID)
		assert.ErrorIs(t, err, datedir.ErrNotFound, "removed from the spool")
	}
}

// TestForwardStopsAtTheFirstRefusal: with the destination down, a pass
// tries one report, keeps every file, and says why once.
func TestForwardStopsAtTheFirstRefusal(t *testing.T) {
	spool, _ := spoolOf(t, 10)
	var calls atomic.Int64
	down := oops.PublisherFunc(func(context.Context, *oops.Report) ([]string, error) {
		calls.Add(1)
		return nil, oopsamqp.ErrUnavailable
	})
	fwd := oopsamqp.NewForwarder(spool, down, &oopsamqp.ForwarderOptions{Logger: quiet})
	n, err := fwd.Forward(t.Context())
	assert.Zero(t, n)
	require.ErrorIs(t, err, oopsamqp.ErrUnavailable)
	assert.False(t, errors.Is(err, context.Canceled), "%v", err)
	assert.Equal(t, int64(1), calls.Load())
	assert.Equal(t, 10, count(t, spool))
}

// TestForwarderRunWaitsForTheBroker runs a forwarder whose publisher cannot
// connect: it does not touch the spool; once it is stopped, Run returns.
func TestForwarderRunWaitsForTheBroker(t *testing.T) {
	spool, _ := spoolOf(t, 3)
	pub := newPublisher(t, closedPort, oopsamqp.PublisherOptions{})
	fwd := oopsamqp.NewForwarder(spool, pub, &oopsamqp.ForwarderOptions{Interval: time.Millisecond, Logger: quiet})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- fwd.Run(ctx) }()
	_, err := pub.Publish(t.Context(), report(0)) // wait for the first attempt
	require.ErrorIs(t, err, oopsamqp.ErrUnavailable)
	cancel()
	require.NoError(t, <-done)
	assert.Zero(t, fwd.Stats().Passes)
	assert.Equal(t, 3, count(t, spool))
}
