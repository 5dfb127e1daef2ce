package oopsamqp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/datedir"
)

// Defaults of ReceiverOptions.
const (
	DefaultPrefetch     = 64
	DefaultStoreTimeout = 30 * time.Second
)

// ErrNotReport is wrapped by the error a Receiver logs for a message that is
// not a report: empty, larger than MaxMessageSize, not a BSON document, a
// document whose well-known keys have the wrong types, or one without a
// well-formed id.
var ErrNotReport = errors.New("oopsamqp: message is not a report")

// ReceiverOptions configure NewReceiver. The zero value consumes the durable
// queue "oopses" bound to the durable fanout exchange "oopses".
type ReceiverOptions struct {
	// Topology names the queue to consume, the exchange to bind it to, and
	// the dead-letter exchange for messages that are not reports.
	Topology Topology
	// Prefetch is how many unacknowledged messages the broker hands this
	// receiver at once (basic.qos); zero means DefaultPrefetch.
	Prefetch int
	// Workers is how many messages are stored at once; zero means
	// Prefetch, at most 16. The store must be safe for concurrent use.
	Workers int
	// MaxMessageSize bounds a message's body; larger ones are not reports.
	// Zero means datedir.MaxReportSize.
	MaxMessageSize int
	// StoreTimeout bounds one call of the store; zero means
	// DefaultStoreTimeout. A store call that times out is a store failure.
	StoreTimeout time.Duration
	// MinBackoff and MaxBackoff bound the wait before a message the store
	// failed to take goes back to the queue (doubling with each consecutive
	// failure), and between reconnection attempts. Zero means
	// DefaultMinBackoff and DefaultMaxBackoff.
	MinBackoff, MaxBackoff time.Duration
	// AMQP configures the connection; nil means amqp091-go's defaults.
	AMQP *amqp.Config
	// Logger receives a record for each message that is not a report, each
	// store failure and each lost connection; nil means slog.Default().
	Logger *slog.Logger
}

// ReceiverStats counts what a Receiver did.
type ReceiverStats struct {
	Stored      uint64 // reports the store took, acknowledged
	Redelivered uint64 // of those, reports the broker had delivered before (to this or another receiver)
	Rejected    uint64 // messages that are not reports, rejected without requeue
	Requeued    uint64 // reports the store failed to take, returned to the queue after a backoff
	Returned    uint64 // messages returned to the queue unprocessed at shutdown
	Connects    uint64 // connections established
}

// A Receiver consumes reports from a durable queue and publishes each to a
// store (an oops.Publisher: a datedir.Repo, a SQL store, or several through
// oops.ToMany), as python's oops-amqp receiver does. It acknowledges a
// message only once the store has taken the report; a message that is not a
// report is rejected without requeue (to the dead-letter exchange when one
// is configured), counted and logged once; a report the store failed to
// take goes back to the queue after a backoff. Several receivers may consume
// one queue and share its messages; a redelivered report is stored again
// under the same id, which the stores treat as one report.
//
// Make one with NewReceiver and call Run. A Receiver is safe for concurrent
// use; Run may be called once at a time.
type Receiver struct {
	url   string
	store oops.Publisher
	opts  ReceiverOptions
	log   *slog.Logger
	retry backoff

	failures atomic.Int64 // consecutive store failures, across workers

	stored, redelivered, rejected, requeued, returned, connects atomic.Uint64
}

// NewReceiver returns a Receiver of the broker at url that stores what it
// receives in store; nil opts means the defaults.
func NewReceiver(url string, store oops.Publisher, o *ReceiverOptions) *Receiver {
	var opts ReceiverOptions
	if o != nil {
		opts = *o
	}
	if opts.Topology.Queue == "" {
		opts.Topology.Queue = DefaultQueue
	}
	if opts.Prefetch <= 0 {
		opts.Prefetch = DefaultPrefetch
	}
	if opts.Workers <= 0 {
		opts.Workers = min(opts.Prefetch, 16)
	}
	if opts.MaxMessageSize <= 0 {
		opts.MaxMessageSize = datedir.MaxReportSize
	}
	if opts.StoreTimeout <= 0 {
		opts.StoreTimeout = DefaultStoreTimeout
	}
	return &Receiver{
		url:   url,
		store: store,
		opts:  opts,
		log:   logger(opts.Logger),
		retry: newBackoff(opts.MinBackoff, opts.MaxBackoff),
	}
}

// Stats returns the counters so far.
func (r *Receiver) Stats() ReceiverStats {
	return ReceiverStats{
		Stored:      r.stored.Load(),
		Redelivered: r.redelivered.Load(),
		Rejected:    r.rejected.Load(),
		Requeued:    r.requeued.Load(),
		Returned:    r.returned.Load(),
		Connects:    r.connects.Load(),
	}
}

// Run consumes until ctx is done, reconnecting with backoff whenever the
// connection is lost, and returns nil then. On shutdown it stops the
// consumer, lets the reports being stored finish (and be acknowledged),
// returns the messages it holds but has not begun to store to the queue,
// and closes the connection. It returns an error only for a topology the
// broker refuses (an exchange or queue declared with other properties),
// which no retry can fix.
func (r *Receiver) Run(ctx context.Context) error {
	bo := newBackoff(r.opts.MinBackoff, r.opts.MaxBackoff)
	for {
		err := r.session(ctx, bo.reset)
		if ctx.Err() != nil {
			return nil
		}
		var aerr *amqp.Error
		if errors.As(err, &aerr) && (aerr.Code == amqp.PreconditionFailed || aerr.Code == amqp.AccessRefused) {
			return fmt.Errorf("oopsamqp: receiver: %w", err)
		}
		d := bo.next()
		r.log.Warn("oopsamqp: receiver lost the broker; reconnecting", "err", err, "retry_in", d)
		if !sleep(ctx, d) {
			return nil
		}
	}
}

// session connects, consumes until the connection is lost or ctx is done,
// and returns why it ended. It calls connected once consuming.
func (r *Receiver) session(ctx context.Context, connected func()) error {
	conn, err := dial(r.url, r.opts.AMQP)
	if err != nil {
		return err
	}
	defer conn.Close()
	connClosed := conn.NotifyClose(make(chan *amqp.Error, 1))
	ch, err := conn.Channel()
	if err != nil {
		return fmt.Errorf("oopsamqp: opening a channel: %w", err)
	}
	chClosed := ch.NotifyClose(make(chan *amqp.Error, 1))
	q := r.opts.Topology.Queue
	if err := r.opts.Topology.declareExchange(ch); err != nil {
		return err
	}
	if err := r.opts.Topology.declareQueue(ch, q); err != nil {
		return err
	}
	if err := ch.Qos(r.opts.Prefetch, 0, false); err != nil {
		return fmt.Errorf("oopsamqp: setting prefetch: %w", err)
	}
	tag := fmt.Sprintf("oopsamqp-%s", oops.NewID()[5:17])
	deliveries, err := ch.Consume(q, tag, false, false, false, false, nil)
	if err != nil {
		return fmt.Errorf("oopsamqp: consuming %q: %w", q, err)
	}
	r.connects.Add(1)
	connected()

	// stopping is closed when ctx is done: workers then return what they
	// have not begun to store.
	stopping := make(chan struct{})
	var wg sync.WaitGroup
	for range r.opts.Workers {
		wg.Go(func() {
			for d := range deliveries {
				r.handle(ctx, stopping, d)
			}
		})
	}
	var reason error
	select {
	case e, ok := <-connClosed:
		reason = closeReason(e, ok, "connection closed")
	case e, ok := <-chClosed:
		reason = closeReason(e, ok, "channel closed")
	case <-ctx.Done():
		close(stopping)
		// Stop deliveries and wait for the workers to drain the ones on
		// their way, so that each is acknowledged or returned.
		if err := ch.Cancel(tag, false); err != nil {
			r.log.Warn("oopsamqp: cancelling the consumer", "err", err)
		}
	}
	// When the connection is lost, deliveries is closed by amqp091-go and
	// the workers' acknowledgements fail: the broker redelivers those
	// messages to whichever receiver is left.
	wg.Wait()
	ch.Close()
	return reason
}

// handle stores one delivery and settles it.
func (r *Receiver) handle(ctx context.Context, stopping <-chan struct{}, d amqp.Delivery) {
	// ctx is checked too: stopping is closed only once Run has seen ctx
	// end, and a worker may take the next delivery before that.
	select {
	case <-stopping:
		r.returned.Add(1)
		_ = d.Nack(false, true)
		return
	default:
		if ctx.Err() != nil {
			r.returned.Add(1)
			_ = d.Nack(false, true)
			return
		}
	}
	rep, err := decodeMessage(d.Body, r.opts.MaxMessageSize)
	if err != nil {
		r.rejected.Add(1)
		r.log.Warn("oopsamqp: rejecting a message that is not a report",
			"err", err, "size", len(d.Body), "message_id", oops.ValidUTF8(d.MessageId),
			"redelivered", d.Redelivered, "dead_letter_exchange", r.opts.Topology.DeadLetterExchange)
		if err := d.Reject(false); err != nil {
			r.log.Warn("oopsamqp: rejecting a message", "err", err)
		}
		return
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.opts.StoreTimeout)
	_, err = safeStore(sctx, r.store, rep)
	cancel()
	if err == nil {
		r.failures.Store(0)
		if err := d.Ack(false); err != nil {
			// The channel is gone: the broker redelivers the message and
			// the store, idempotent by id, keeps it once.
			r.log.Warn("oopsamqp: acknowledging a stored report", "id", rep.ID, "err", err)
			return
		}
		r.stored.Add(1)
		if d.Redelivered {
			r.redelivered.Add(1)
		}
		return
	}
	n := r.failures.Add(1)
	delay := r.retry.delay(int(n))
	r.log.Warn("oopsamqp: the store failed to take a report; returning it to the queue",
		"id", rep.ID, "err", err, "after", delay)
	// Waiting before the nack keeps the broker from handing the report
	// straight back, and holds this worker's prefetch slot meanwhile.
	select {
	case <-time.After(delay):
	case <-stopping:
	}
	r.requeued.Add(1)
	_ = d.Nack(false, true)
}

// safeStore publishes rep to store, turning a panic into an error: a store
// bug must not stop the receiver, and the message goes back to the queue.
func safeStore(ctx context.Context, store oops.Publisher, rep *oops.Report) (ids []string, err error) {
	defer func() {
		if p := recover(); p != nil {
			ids, err = nil, fmt.Errorf("store panicked: %v", p)
		}
	}()
	ids, err = store.Publish(ctx, rep)
	if err == nil && len(ids) == 0 {
		err = errors.New("store kept nothing")
	}
	return ids, err
}

// decodeMessage decodes a message body into a report, or says why it is
// not one (wrapping ErrNotReport).
func decodeMessage(body []byte, maxSize int) (*oops.Report, error) {
	switch {
	case len(body) == 0:
		return nil, fmt.Errorf("%w: empty body", ErrNotReport)
	case len(body) > maxSize:
		return nil, fmt.Errorf("%w: %d bytes, more than %d", ErrNotReport, len(body), maxSize)
	}
	rep, err := datedir.Decode(body)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotReport, err)
	}
	switch {
	case rep.ID == "":
		return nil, fmt.Errorf("%w: no id", ErrNotReport)
	case !oops.ValidID(rep.ID):
		return nil, fmt.Errorf("%w: id %q is not an OOPS id", ErrNotReport, oops.ValidUTF8(truncate(rep.ID, 80)))
	}
	return rep, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
