package oopsamqp_test

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/datedir"
	"github.com/oops-go/oops/oopsamqp"
)

// publishRaw publishes body to the exchange of top as another client would.
func publishRaw(t *testing.T, ch *amqp.Channel, top oopsamqp.Topology, body []byte) {
	t.Helper()
	require.NoError(t, ch.Confirm(false))
	dc, err := ch.PublishWithDeferredConfirm(top.Exchange, top.RoutingKey, false, false,
		amqp.Publishing{DeliveryMode: amqp.Persistent, Body: body})
	require.NoError(t, err)
	ok, err := dc.WaitContext(t.Context())
	require.NoError(t, err)
	require.True(t, ok)
}

// declare declares top's exchange and queue, as a receiver would, so that
// messages published before it starts are kept.
func declare(t *testing.T, top oopsamqp.Topology) {
	t.Helper()
	pub := newPublisher(t, brokerURL(t), oopsamqp.PublisherOptions{Topology: top})
	select {
	case <-pub.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal("publisher did not connect")
	}
	require.NoError(t, pub.Close())
}

func TestReceiverStores(t *testing.T) {
	url := brokerURL(t)
	top := topology(t)
	store := datedir.New(t.TempDir())
	rcv := oopsamqp.NewReceiver(url, store, &oopsamqp.ReceiverOptions{Topology: top, Logger: quiet})
	runReceiver(t, rcv)
	pub := newPublisher(t, url, oopsamqp.PublisherOptions{Topology: top})
	var sent []*oops.Report
	for i := range 50 {
		r := report(i)
		_, err := pub.Publish(t.Context(), r)
		require.NoError(t, err)
		sent = append(sent, r)
	}
	waitFor(t, 10*time.Second, "50 reports stored", func() bool { return rcv.Stats().Stored == 50 })
	for _, r := range sent {
		got, err := store.Get(t.Context(), r.ID)
		require.NoError(t, err)
		assert.Equal(t, r.Value, got.Value)
		assert.Equal(t, r.Timeline, got.Timeline)
	}
	assert.Equal(t, 50, count(t, store))
	q, err := channel(t).QueueDeclarePassive(top.Queue, true, false, false, false, nil)
	require.NoError(t, err)
	assert.Zero(t, q.Messages)
}

func TestReceiverRejectsWhatIsNotAReport(t *testing.T) {
	url := brokerURL(t)
	top := topology(t)
	top.DeadLetterExchange = top.Exchange + "-dead"
	top.DeadLetterQueue = top.Queue + "-dead"
	t.Cleanup(func() {
		ch := channel(t)
		_ = ch.ExchangeDelete(top.DeadLetterExchange, false, false)
	})
	declare(t, top)

	noID, err := bson.Marshal(bson.D{{Key: "type", Value: "ValueError"}, {Key: "value", Value: "no id"}})
	require.NoError(t, err)
	badID, err := bson.Marshal(bson.D{{Key: "id", Value: "../../etc/passwd"}})
	require.NoError(t, err)
	poison := [][]byte{
		nil,                             // empty
		[]byte("garbage, not BSON"),     // not a document
		bytes.Repeat([]byte{7}, 20<<20), // a 20 MB blob
		noID, badID,
	}
	ch := channel(t)
	var good []*oops.Report
	for i := range 10 {
		if i%2 == 1 && len(poison) > 0 {
			publishRaw(t, ch, top, poison[0])
			poison = poison[1:]
		}
		r := report(i)
		body, err := datedir.Encode(r)
		require.NoError(t, err)
		publishRaw(t, ch, top, body)
		good = append(good, r)
	}
	for _, p := range poison {
		publishRaw(t, ch, top, p)
	}

	// A report with one bad part is still a report: the decoder keeps the
	// rest, and the bad value under Extra.
	badPart := report(10)
	badPartBody, err := bson.Marshal(bson.D{{Key: "id", Value: badPart.ID}, {Key: "timeline", Value: "not a list"}})
	require.NoError(t, err)
	publishRaw(t, ch, top, badPartBody)

	store := datedir.New(t.TempDir())
	var logs bytes.Buffer
	rcv := oopsamqp.NewReceiver(url, store, &oopsamqp.ReceiverOptions{
		Topology: top, Prefetch: 2, Logger: syncLogger(&logs)})
	runReceiver(t, rcv)
	waitFor(t, 20*time.Second, "11 reports stored and 5 rejected", func() bool {
		s := rcv.Stats()
		return s.Stored == 11 && s.Rejected == 5
	})
	kept, err := store.Get(t.Context(), badPart.ID)
	require.NoError(t, err)
	assert.Equal(t, "not a list", kept.Extra[oops.UndecodableKey("timeline")])
	for _, r := range good {
		_, err := store.Get(t.Context(), r.ID)
		assert.NoError(t, err)
	}
	waitFor(t, 10*time.Second, "5 dead letters", func() bool {
		q, err := ch.QueueDeclarePassive(top.DeadLetterQueue, true, false, false, false, nil)
		require.NoError(t, err)
		return q.Messages == 5
	})
	assert.Equal(t, 5, bytes.Count(logs.Bytes(), []byte("msg=\"oopsamqp: rejecting a message that is not a report\"")), "each logged once:\n%s", logs.String())
	assert.Zero(t, rcv.Stats().Requeued)
}

// flaky is a store that fails its first n publishes.
type flaky struct {
	n     atomic.Int64
	inner oops.Publisher
}

func (f *flaky) Publish(ctx context.Context, r *oops.Report) ([]string, error) {
	if f.n.Add(-1) >= 0 {
		return nil, errors.New("database is down")
	}
	return f.inner.Publish(ctx, r)
}

func TestReceiverRequeuesWhatTheStoreRefused(t *testing.T) {
	url := brokerURL(t)
	top := topology(t)
	repo := datedir.New(t.TempDir())
	store := &flaky{inner: repo}
	store.n.Store(5)
	rcv := oopsamqp.NewReceiver(url, store, &oopsamqp.ReceiverOptions{
		Topology: top, Logger: quiet, MinBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond})
	runReceiver(t, rcv)
	pub := newPublisher(t, url, oopsamqp.PublisherOptions{Topology: top})
	r := report(1)
	_, err := pub.Publish(t.Context(), r)
	require.NoError(t, err)
	waitFor(t, 10*time.Second, "the report stored", func() bool { return rcv.Stats().Stored == 1 })
	s := rcv.Stats()
	assert.Equal(t, uint64(5), s.Requeued)
	assert.Zero(t, s.Rejected)
	_, err = repo.Get(t.Context(), r.ID)
	assert.NoError(t, err)
}

// panicky is a store that panics.
type panicky struct{ calls atomic.Int64 }

func (p *panicky) Publish(context.Context, *oops.Report) ([]string, error) {
	p.calls.Add(1)
	panic("store bug")
}

func TestReceiverSurvivesAPanickingStore(t *testing.T) {
	url := brokerURL(t)
	top := topology(t)
	store := &panicky{}
	rcv := oopsamqp.NewReceiver(url, store, &oopsamqp.ReceiverOptions{
		Topology: top, Logger: quiet, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- rcv.Run(ctx) }()
	pub := newPublisher(t, url, oopsamqp.PublisherOptions{Topology: top})
	_, err := pub.Publish(t.Context(), report(1))
	require.NoError(t, err)
	waitFor(t, 10*time.Second, "a few retries", func() bool { return store.calls.Load() >= 3 })
	cancel()
	require.NoError(t, <-done)
	// Nothing lost: the report is back in the queue.
	waitFor(t, 10*time.Second, "the report back in the queue", func() bool {
		q, err := channel(t).QueueDeclarePassive(top.Queue, true, false, false, false, nil)
		require.NoError(t, err)
		return q.Messages == 1
	})
}

// blocking is a store that holds every publish until released.
type blocking struct {
	began   chan string
	release chan struct{}
	inner   oops.Publisher
}

func (b *blocking) Publish(ctx context.Context, r *oops.Report) ([]string, error) {
	b.began <- r.ID
	<-b.release
	return b.inner.Publish(ctx, r)
}

func TestReceiverShutdownFinishesOrReturns(t *testing.T) {
	url := brokerURL(t)
	top := topology(t)
	declare(t, top)
	pub := newPublisher(t, url, oopsamqp.PublisherOptions{Topology: top})
	for i := range 20 {
		_, err := pub.Publish(t.Context(), report(i))
		require.NoError(t, err)
	}
	repo := datedir.New(t.TempDir())
	store := &blocking{began: make(chan string, 20), release: make(chan struct{}), inner: repo}
	rcv := oopsamqp.NewReceiver(url, store, &oopsamqp.ReceiverOptions{Topology: top, Prefetch: 10, Workers: 2, Logger: quiet})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- rcv.Run(ctx) }()
	// Two reports are being stored, eight more are prefetched.
	<-store.began
	<-store.began
	cancel()
	close(store.release)
	require.NoError(t, <-done)
	s := rcv.Stats()
	assert.Equal(t, uint64(2), s.Stored, "the reports being stored are finished and acknowledged")
	assert.Equal(t, 2, count(t, repo))
	// The broker counts the returned messages back in as it processes the
	// nacks and the channel's close.
	ch := channel(t)
	waitFor(t, 10*time.Second, "the rest back in the queue", func() bool {
		q, err := ch.QueueDeclarePassive(top.Queue, true, false, false, false, nil)
		require.NoError(t, err)
		return q.Messages == 18
	})
}

func TestReceiversShareOneQueue(t *testing.T) {
	url := brokerURL(t)
	top := topology(t)
	declare(t, top)
	var mu sync.Mutex
	seen := map[string]int{}
	repo := datedir.New(t.TempDir())
	counting := oops.PublisherFunc(func(ctx context.Context, r *oops.Report) ([]string, error) {
		mu.Lock()
		seen[r.ID]++
		mu.Unlock()
		return repo.Publish(ctx, r)
	})
	a := oopsamqp.NewReceiver(url, counting, &oopsamqp.ReceiverOptions{Topology: top, Prefetch: 1, Logger: quiet})
	b := oopsamqp.NewReceiver(url, counting, &oopsamqp.ReceiverOptions{Topology: top, Prefetch: 1, Logger: quiet})
	runReceiver(t, a)
	runReceiver(t, b)
	pub := newPublisher(t, url, oopsamqp.PublisherOptions{Topology: top})
	async := oops.NewAsync(pub, &oops.AsyncOptions{Workers: 8})
	for i := range 200 {
		_, err := async.Publish(t.Context(), report(i))
		require.NoError(t, err)
	}
	require.NoError(t, async.Close(t.Context()))
	require.Equal(t, uint64(200), async.Stats().Published)
	waitFor(t, 20*time.Second, "200 reports stored", func() bool { return a.Stats().Stored+b.Stats().Stored == 200 })
	assert.NotZero(t, a.Stats().Stored)
	assert.NotZero(t, b.Stats().Stored)
	mu.Lock()
	defer mu.Unlock()
	assert.Len(t, seen, 200)
	assert.Equal(t, 200, count(t, repo))
}

// TestReceiverRefusesAConflictingTopology: a queue that exists with other
// properties is a configuration error no retry fixes, so Run returns it.
func TestReceiverRefusesAConflictingTopology(t *testing.T) {
	url := brokerURL(t)
	top := topology(t)
	declare(t, top) // the queue, without a dead-letter exchange
	top.DeadLetterExchange = top.Exchange + "-dead"
	t.Cleanup(func() { _ = channel(t).ExchangeDelete(top.DeadLetterExchange, false, false) })
	rcv := oopsamqp.NewReceiver(url, datedir.New(t.TempDir()), &oopsamqp.ReceiverOptions{Topology: top, Logger: quiet})
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	err := rcv.Run(ctx)
	require.Error(t, err)
	var aerr *amqp.Error
	require.ErrorAs(t, err, &aerr)
	assert.Equal(t, amqp.PreconditionFailed, aerr.Code)
}
