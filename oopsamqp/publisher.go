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

// DefaultConfirmTimeout bounds the wait for the broker's confirm of one
// report when the caller's context has no deadline sooner.
const DefaultConfirmTimeout = 10 * time.Second

// ErrUnavailable is wrapped by Publish's error when the publisher has no
// connection to the broker (it is reconnecting in the background) or the
// broker has blocked it (a memory or disk alarm). Publish returns it at
// once, so that oops.WithFallback moves on to a spool without delay.
var ErrUnavailable = errors.New("oopsamqp: broker unavailable")

// ErrNotConfirmed is wrapped by Publish's error when the broker did not
// confirm the report: it refused it (basic.nack), the channel closed before
// the confirm came, or the wait timed out. The report may still have
// reached a queue; stores are idempotent by id, so publishing it again (to
// a spool and forwarding it later) stores it once.
var ErrNotConfirmed = errors.New("oopsamqp: report not confirmed by the broker")

// ErrClosed is returned by Publish after Close.
var ErrClosed = errors.New("oopsamqp: publisher closed")

// PublisherOptions configure NewPublisher. The zero value publishes to a
// durable fanout exchange "oopses" with an empty routing key.
type PublisherOptions struct {
	// Topology names the exchange (and, when Queue is set, the queue) to
	// declare and publish to.
	Topology Topology
	// ConfirmTimeout bounds the wait for one confirm when ctx has no sooner
	// deadline; zero means DefaultConfirmTimeout.
	ConfirmTimeout time.Duration
	// MinBackoff and MaxBackoff bound the wait between reconnection
	// attempts; zero means DefaultMinBackoff and DefaultMaxBackoff.
	MinBackoff, MaxBackoff time.Duration
	// AMQP configures the connection (TLS, heartbeat, vhost, client
	// properties); nil means amqp091-go's defaults.
	AMQP *amqp.Config
	// Logger receives one record per lost or regained connection; nil means
	// slog.Default().
	Logger *slog.Logger
}

// PublisherStats counts what a Publisher did.
type PublisherStats struct {
	Confirmed   uint64 // reports the broker confirmed
	Unavailable uint64 // reports refused at once: no connection, or blocked
	Failed      uint64 // reports sent but not confirmed, or that failed to encode
	Connects    uint64 // connections established
}

// A Publisher publishes reports to RabbitMQ as python's oops-amqp does: the
// message body is the report's BSON document, byte for byte what the
// datedir package writes, delivered persistently (delivery_mode 2) with no
// content encoding, its message id the report's id. It is an
// oops.Publisher, safe for concurrent use; concurrent Publish calls share
// one channel and their confirms are pipelined, so put it behind
// oops.NewAsync with several Workers.
//
// Publish returns the report's id only once the broker has confirmed the
// message. While the broker is unreachable Publish fails at once with
// ErrUnavailable, and the publisher reconnects in the background with
// backoff; wrap it as oops.WithFallback(pub, spool) with a datedir.Repo
// spool and run a Forwarder so that nothing is lost meanwhile.
type Publisher struct {
	url  string
	opts PublisherOptions
	log  *slog.Logger

	ctx    context.Context // canceled by Close
	cancel context.CancelFunc
	done   chan struct{} // closed when run returns

	mu      sync.Mutex
	ch      *amqp.Channel // nil while disconnected
	blocked bool          // the broker sent connection.blocked
	lastErr error         // why the last connection attempt or connection failed
	tried   chan struct{} // closed once the first connection attempt ended
	ready   chan struct{} // closed while connected; replaced when the connection is lost

	confirmed, unavailable, failed, connects atomic.Uint64
}

// NewPublisher returns a Publisher to the broker at url (amqp://user:pass@host:port/vhost)
// and starts connecting to it in the background. It does not wait for the
// connection: a service must start while its broker is down. The first
// Publish calls wait (within their context) for the first attempt to end.
// Close the publisher when done. A nil opts means the defaults.
func NewPublisher(url string, o *PublisherOptions) *Publisher {
	var opts PublisherOptions
	if o != nil {
		opts = *o
	}
	if opts.ConfirmTimeout <= 0 {
		opts.ConfirmTimeout = DefaultConfirmTimeout
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &Publisher{
		url:    url,
		opts:   opts,
		log:    logger(opts.Logger),
		ctx:    ctx,
		cancel: cancel,
		done:   make(chan struct{}),
		tried:  make(chan struct{}),
		ready:  make(chan struct{}),
	}
	go p.run()
	return p
}

func logger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.Default()
	}
	return l
}

// Publish sends r to the broker and waits for its confirm. It returns
// []string{id}, id being r.ID when it is a well-formed OOPS id
// (oops.ValidID) and a new id otherwise (r is not changed). Errors wrap
// ErrUnavailable (no connection: returned at once), ErrNotConfirmed, or
// ErrClosed; Publish never waits past ctx's deadline nor ConfirmTimeout.
func (p *Publisher) Publish(ctx context.Context, r *oops.Report) ([]string, error) {
	id := r.ID
	rep := r
	if !oops.ValidID(id) {
		c := *r
		c.ID = oops.NewID()
		id, rep = c.ID, &c
	}
	body, err := datedir.Encode(rep)
	if err != nil {
		p.failed.Add(1)
		return nil, fmt.Errorf("oopsamqp: publishing %s: %w", id, err)
	}
	ctx, cancel := context.WithTimeout(ctx, p.opts.ConfirmTimeout)
	defer cancel()
	ch, err := p.channel(ctx)
	if err != nil {
		if errors.Is(err, ErrUnavailable) {
			p.unavailable.Add(1)
		}
		return nil, fmt.Errorf("oopsamqp: publishing %s: %w", id, err)
	}
	dc, err := ch.PublishWithDeferredConfirmWithContext(ctx, p.opts.Topology.exchange(), p.opts.Topology.RoutingKey,
		false, false, amqp.Publishing{
			DeliveryMode: amqp.Persistent,
			MessageId:    id,
			Body:         body,
		})
	if err != nil {
		p.failed.Add(1)
		return nil, fmt.Errorf("oopsamqp: publishing %s: %w: %w", id, ErrNotConfirmed, err)
	}
	if dc == nil {
		// amqp091-go returns no confirmation on a channel not in confirm
		// mode; ours always is.
		p.failed.Add(1)
		return nil, fmt.Errorf("oopsamqp: publishing %s: %w: channel not in confirm mode", id, ErrNotConfirmed)
	}
	acked, err := dc.WaitContext(ctx)
	switch {
	case err != nil:
		p.failed.Add(1)
		return nil, fmt.Errorf("oopsamqp: publishing %s: %w: %w", id, ErrNotConfirmed, err)
	case !acked:
		p.failed.Add(1)
		return nil, fmt.Errorf("oopsamqp: publishing %s: %w: nacked, or the channel closed first", id, ErrNotConfirmed)
	}
	p.confirmed.Add(1)
	return []string{id}, nil
}

// channel returns the channel to publish on: at once when connected or
// known to be down, after the first connection attempt otherwise.
func (p *Publisher) channel(ctx context.Context) (*amqp.Channel, error) {
	select {
	case <-p.tried:
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: still connecting: %w", ErrUnavailable, ctx.Err())
	case <-p.ctx.Done():
		return nil, ErrClosed
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.ctx.Err() != nil:
		return nil, ErrClosed
	case p.ch == nil:
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, p.lastErr)
	case p.blocked:
		return nil, fmt.Errorf("%w: the broker blocked publishing (resource alarm)", ErrUnavailable)
	}
	return p.ch, nil
}

// Ready returns a channel that is closed while the publisher is connected.
// A Forwarder waits on it before draining its spool.
func (p *Publisher) Ready() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.ready
}

// Stats returns the counters so far.
func (p *Publisher) Stats() PublisherStats {
	return PublisherStats{
		Confirmed:   p.confirmed.Load(),
		Unavailable: p.unavailable.Load(),
		Failed:      p.failed.Load(),
		Connects:    p.connects.Load(),
	}
}

// Close closes the connection and stops reconnecting. Publish calls waiting
// for a confirm fail with ErrNotConfirmed; later ones with ErrClosed. Close
// is idempotent.
func (p *Publisher) Close() error {
	p.cancel()
	<-p.done
	return nil
}

// run is the connection's state machine: connect, serve until the
// connection or channel closes, wait a backoff, connect again. amqp091-go
// has no recovery of its own, so this is the one place that knows the
// connection's state.
func (p *Publisher) run() {
	defer close(p.done)
	bo := newBackoff(p.opts.MinBackoff, p.opts.MaxBackoff)
	first := true
	for {
		conn, ch, err := p.connect()
		if err != nil {
			p.setDown(err)
			if first {
				close(p.tried)
				first = false
			}
			d := bo.next()
			p.log.Warn("oopsamqp: publisher cannot connect to the broker; retrying",
				"err", err, "retry_in", d)
			if !sleep(p.ctx, d) {
				return
			}
			continue
		}
		bo.reset()
		err = p.serve(conn, ch, first)
		first = false
		if p.ctx.Err() != nil {
			return
		}
		p.log.Warn("oopsamqp: publisher lost its connection to the broker; reconnecting", "err", err)
		if !sleep(p.ctx, bo.next()) {
			return
		}
	}
}

func (p *Publisher) connect() (*amqp.Connection, *amqp.Channel, error) {
	conn, err := dial(p.url, p.opts.AMQP)
	if err != nil {
		return nil, nil, err
	}
	ch, err := conn.Channel()
	if err == nil {
		err = ch.Confirm(false)
	}
	if err == nil {
		err = p.opts.Topology.declareExchange(ch)
	}
	if err == nil && p.opts.Topology.Queue != "" {
		err = p.opts.Topology.declareQueue(ch, p.opts.Topology.Queue)
	}
	if err != nil {
		conn.Close()
		return nil, nil, fmt.Errorf("oopsamqp: %w", err)
	}
	return conn, ch, nil
}

// serve makes ch the publishing channel until the connection or the channel
// closes (returning why) or the publisher is closed.
func (p *Publisher) serve(conn *amqp.Connection, ch *amqp.Channel, first bool) error {
	// amqp091-go sends to these from its reader goroutine and closes them
	// on shutdown: they are buffered and always drained, so that it never
	// blocks on us.
	connClosed := conn.NotifyClose(make(chan *amqp.Error, 1))
	chClosed := ch.NotifyClose(make(chan *amqp.Error, 1))
	blocking := conn.NotifyBlocked(make(chan amqp.Blocking, 4))
	go func() {
		for b := range blocking {
			p.mu.Lock()
			p.blocked = b.Active
			p.mu.Unlock()
			if b.Active {
				p.log.Warn("oopsamqp: the broker blocked publishing", "reason", b.Reason)
			}
		}
	}()
	p.connects.Add(1)
	p.mu.Lock()
	p.ch, p.blocked, p.lastErr = ch, false, nil
	close(p.ready)
	p.mu.Unlock()
	if first {
		close(p.tried)
	}
	var err error
	select {
	case e, ok := <-connClosed:
		err = closeReason(e, ok, "connection closed")
	case e, ok := <-chClosed:
		err = closeReason(e, ok, "channel closed")
	case <-p.ctx.Done():
		err = ErrClosed
	}
	p.setDown(err)
	// Closing the connection nacks the confirms still awaited, so that
	// their Publish calls return now.
	conn.Close()
	return err
}

func closeReason(e *amqp.Error, ok bool, what string) error {
	if ok && e != nil {
		return fmt.Errorf("%s: %w", what, e)
	}
	return errors.New(what)
}

// setDown records that the publisher has no channel, and why.
func (p *Publisher) setDown(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lastErr = err
	if p.ch != nil {
		p.ch = nil
		p.ready = make(chan struct{})
	}
}

// dial connects to url with cfg, or amqp091-go's defaults.
func dial(url string, cfg *amqp.Config) (*amqp.Connection, error) {
	c := amqp.Config{Properties: amqp.Table{"product": "oops-go oopsamqp"}}
	if cfg != nil {
		c = *cfg
	}
	if c.Dial == nil {
		c.Dial = amqp.DefaultDial(5 * time.Second)
	}
	if c.Heartbeat == 0 {
		c.Heartbeat = 10 * time.Second
	}
	conn, err := amqp.DialConfig(url, c)
	if err != nil {
		return nil, fmt.Errorf("oopsamqp: dialing the broker: %w", err)
	}
	return conn, nil
}
