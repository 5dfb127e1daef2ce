package oopsamqp_test

import (
	"context"
	"errors"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/datedir"
	"github.com/oops-go/oops/oopsamqp"
)

// get takes one message from queue, waiting for it to arrive.
func get(t *testing.T, ch *amqp.Channel, queue string) amqp.Delivery {
	t.Helper()
	var d amqp.Delivery
	waitFor(t, 10*time.Second, "a message on "+queue, func() bool {
		var ok bool
		var err error
		d, ok, err = ch.Get(queue, true)
		require.NoError(t, err)
		return ok
	})
	return d
}

func TestPublishWireFormat(t *testing.T) {
	url := brokerURL(t)
	ch := channel(t)
	// The default topology: python oops-amqp's durable fanout "oopses".
	// Declaring it again with those properties fails if it were otherwise.
	q, err := ch.QueueDeclare("", false, true, true, false, nil)
	require.NoError(t, err)
	pub := newPublisher(t, url, oopsamqp.PublisherOptions{})
	r := report(1)
	var ids []string
	// The exchange exists once the publisher is connected.
	_, err = pub.Publish(t.Context(), r)
	require.NoError(t, err)
	require.NoError(t, ch.ExchangeDeclare(oopsamqp.DefaultExchange, "fanout", true, false, false, false, nil))
	require.NoError(t, ch.QueueBind(q.Name, "", oopsamqp.DefaultExchange, false, nil))
	ids, err = pub.Publish(t.Context(), r)
	require.NoError(t, err)
	assert.Equal(t, []string{r.ID}, ids)

	var d amqp.Delivery
	for { // other tests may publish to the default exchange too
		d = get(t, ch, q.Name)
		if d.MessageId == r.ID {
			break
		}
	}
	want, err := datedir.Encode(r)
	require.NoError(t, err)
	assert.Equal(t, want, d.Body, "the body is what datedir writes")
	assert.Equal(t, amqp.Persistent, d.DeliveryMode)
	assert.Empty(t, d.ContentEncoding)
	assert.Empty(t, d.ContentType)
	assert.Equal(t, oopsamqp.DefaultExchange, d.Exchange)
	assert.Empty(t, d.RoutingKey)
	got, err := datedir.Decode(d.Body)
	require.NoError(t, err)
	assert.Equal(t, r.ID, got.ID)
	assert.Equal(t, r.Value, got.Value)
}

func TestPublishKeepsReportsForTheQueue(t *testing.T) {
	url := brokerURL(t)
	top := topology(t)
	top.ExchangeKind = "direct"
	top.RoutingKey = "reports"
	pub := newPublisher(t, url, oopsamqp.PublisherOptions{Topology: top})
	r := report(2)
	ids, err := pub.Publish(t.Context(), r)
	require.NoError(t, err)
	require.Equal(t, []string{r.ID}, ids)
	d := get(t, channel(t), top.Queue)
	assert.Equal(t, "reports", d.RoutingKey)
	assert.Equal(t, r.ID, d.MessageId)
	assert.Equal(t, uint64(1), pub.Stats().Confirmed)
}

func TestPublishGivesAnIDToReportsWithout(t *testing.T) {
	url := brokerURL(t)
	top := topology(t)
	pub := newPublisher(t, url, oopsamqp.PublisherOptions{Topology: top})
	r := report(3)
	r.ID = "../../etc/passwd"
	ids, err := pub.Publish(t.Context(), r)
	require.NoError(t, err)
	require.Len(t, ids, 1)
	assert.True(t, oops.ValidID(ids[0]))
	assert.Equal(t, "../../etc/passwd", r.ID, "the caller's report is not changed")
	d := get(t, channel(t), top.Queue)
	got, err := datedir.Decode(d.Body)
	require.NoError(t, err)
	assert.Equal(t, ids[0], got.ID)
}

// closedPort returns a loopback URL nothing listens on.
const closedPort = "amqp://guest:guest@127.0.0.1:1/"

func TestPublishFailsAtOnceWhenTheBrokerIsAway(t *testing.T) {
	pub := newPublisher(t, closedPort, oopsamqp.PublisherOptions{MinBackoff: time.Hour})
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	_, err := pub.Publish(ctx, report(4))
	require.ErrorIs(t, err, oopsamqp.ErrUnavailable)
	// Once the first attempt failed, later calls do not dial: they fail
	// without waiting for the (hour-long) backoff.
	for range 100 {
		_, err := pub.Publish(ctx, report(5))
		require.ErrorIs(t, err, oopsamqp.ErrUnavailable)
	}
	assert.NoError(t, ctx.Err())
	assert.Equal(t, uint64(101), pub.Stats().Unavailable)
}

func TestPublishFallsBackToTheSpool(t *testing.T) {
	pub := newPublisher(t, closedPort, oopsamqp.PublisherOptions{})
	spool := datedir.New(t.TempDir())
	r := report(6)
	ids, err := oops.WithFallback(pub, spool).Publish(t.Context(), r)
	require.NoError(t, err)
	assert.Equal(t, []string{r.ID}, ids)
	got, err := spool.Get(t.Context(), r.ID)
	require.NoError(t, err)
	assert.Equal(t, r.Value, got.Value)
}

func TestPublishNeverWaitsPastItsContext(t *testing.T) {
	url := brokerURL(t)
	pub := newPublisher(t, url, oopsamqp.PublisherOptions{Topology: topology(t)})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := pub.Publish(ctx, report(7))
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.Canceled), "%v", err)
}

func TestPublishAfterClose(t *testing.T) {
	url := brokerURL(t)
	pub := oopsamqp.NewPublisher(url, &oopsamqp.PublisherOptions{Topology: topology(t), Logger: quiet})
	_, err := pub.Publish(t.Context(), report(8))
	require.NoError(t, err)
	require.NoError(t, pub.Close())
	require.NoError(t, pub.Close())
	_, err = pub.Publish(t.Context(), report(9))
	assert.ErrorIs(t, err, oopsamqp.ErrClosed)
}
