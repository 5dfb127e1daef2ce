package oopsamqp_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/datedir"
	"github.com/oops-go/oops/oopsamqp"
)

// benchPublish publishes b.N fresh reports through an Async in front of
// WithFallback(pub, spool), as a service does, and waits for all of them
// to be confirmed or spooled. ns/op is the sustained cost per report;
// call-ns/op is what the log call itself paid (Async.Publish).
func benchPublish(b *testing.B, pub *oopsamqp.Publisher, spool *datedir.Repo) {
	async := oops.NewAsync(oops.WithFallback(pub, spool), &oops.AsyncOptions{Workers: 64, QueueSize: b.N + 1})
	b.ReportAllocs()
	b.ResetTimer()
	var inCall time.Duration
	for i := range b.N {
		r := report(i)
		t0 := time.Now()
		if _, err := async.Publish(context.Background(), r); err != nil {
			b.Fatal(err)
		}
		inCall += time.Since(t0)
	}
	if err := async.Close(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	s := async.Stats()
	if s.Published != uint64(b.N) {
		b.Fatalf("published %d of %d: %+v", s.Published, b.N, s)
	}
	b.ReportMetric(float64(inCall.Nanoseconds())/float64(b.N), "call-ns/op")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reports/s")
}

// BenchmarkPublish: one process, a loopback broker, publisher confirms
// pipelined by Async's workers (broker-up), against the same path with the
// broker unreachable, where the spool takes every report (broker-down).
func BenchmarkPublish(b *testing.B) {
	b.Run("broker-up", func(b *testing.B) {
		url := brokerURL(b)
		pub := newPublisher(b, url, oopsamqp.PublisherOptions{Topology: topology(b)})
		select {
		case <-pub.Ready():
		case <-time.After(10 * time.Second):
			b.Fatal("publisher did not connect")
		}
		benchPublish(b, pub, datedir.New(b.TempDir()))
		if n := count(b, datedir.New(b.TempDir())); n != 0 {
			b.Fatalf("%d reports spooled with the broker up", n)
		}
	})
	b.Run("broker-down", func(b *testing.B) {
		pub := newPublisher(b, closedPort, oopsamqp.PublisherOptions{MinBackoff: time.Hour})
		benchPublish(b, pub, datedir.New(b.TempDir()))
	})
}

// BenchmarkReceive: one receiver drains b.N reports from its queue into a
// datedir repository (store=datedir), or into a store that keeps nothing
// (store=none: the receiver's own ceiling: decoding, acknowledging).
func BenchmarkReceive(b *testing.B) {
	b.Run("store=datedir", func(b *testing.B) {
		repo := datedir.New(b.TempDir())
		benchReceive(b, repo.Publish)
	})
	b.Run("store=none", func(b *testing.B) {
		benchReceive(b, func(_ context.Context, r *oops.Report) ([]string, error) { return []string{r.ID}, nil })
	})
}

func benchReceive(b *testing.B, publish func(context.Context, *oops.Report) ([]string, error)) {
	url := brokerURL(b)
	top := topology(b)
	pub := newPublisher(b, url, oopsamqp.PublisherOptions{Topology: top})
	async := oops.NewAsync(pub, &oops.AsyncOptions{Workers: 64, QueueSize: b.N + 1})
	for i := range b.N {
		_, err := async.Publish(context.Background(), report(i))
		require.NoError(b, err)
	}
	require.NoError(b, async.Close(context.Background()))
	require.Equal(b, uint64(b.N), async.Stats().Published)

	var n atomic.Int64
	all := make(chan struct{})
	store := oops.PublisherFunc(func(ctx context.Context, r *oops.Report) ([]string, error) {
		ids, err := publish(ctx, r)
		if n.Add(1) == int64(b.N) {
			close(all)
		}
		return ids, err
	})
	rcv := oopsamqp.NewReceiver(url, store, &oopsamqp.ReceiverOptions{Topology: top, Logger: quiet})
	b.ReportAllocs()
	b.ResetTimer()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- rcv.Run(ctx) }()
	select {
	case <-all:
	case <-time.After(5 * time.Minute):
		b.Fatal("receiver did not drain the queue")
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reports/s")
	cancel()
	require.NoError(b, <-done)
}
