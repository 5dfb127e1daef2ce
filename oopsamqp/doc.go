// Package oopsamqp carries OOPS reports over RabbitMQ, as python's oops-amqp
// does, so that a fleet of services files its reports in one store: each
// service publishes its reports to an exchange, and receivers store them
// where the console reads.
//
//	services ── Publisher ──▶ exchange "oopses" ──▶ queue ──▶ Receiver ──▶ store
//	   │ broker away                                  (a datedir.Repo, a SQL store)
//	   └─▶ datedir spool ── Forwarder ──▶ exchange
//
// # On the wire
//
// A message is one report: its body is the report's BSON document, exactly
// the bytes datedir.Encode writes (and a datedir file holds), id included;
// delivery_mode is 2 (persistent); there is no content type nor content
// encoding (python's client would try to decode the body with it); the
// message id is the report's id. By default reports go to a durable fanout
// exchange named "oopses" with an empty routing key, python's defaults (see
// Topology). Python's oops-amqp reads what Publisher sends, and Receiver
// stores what python's publisher sends.
//
// # Publishing
//
// Publisher.Publish returns a report's id only once the broker has
// confirmed it (publisher confirms, pipelined across concurrent calls), and
// an error otherwise, never later than its context's deadline. Put it behind
// oops.NewAsync with several Workers so that a log call never waits, and
// behind oops.WithFallback with a datedir.Repo spool so that nothing is lost
// while the broker is away:
//
//	pub := oopsamqp.NewPublisher(url, nil)
//	spool := datedir.New("/var/spool/oops")
//	async := oops.NewAsync(oops.WithFallback(pub, spool), &oops.AsyncOptions{Workers: 32})
//	go oopsamqp.NewForwarder(spool, pub, nil).Run(ctx)
//
// While the broker is unreachable, Publish fails at once with ErrUnavailable
// (it does not dial per report), so the spool takes the report as fast as it
// would have been sent. The Forwarder drains the spool when the publisher is
// connected again, removing each file only after the broker confirmed it.
//
// # Reconnection
//
// amqp091-go does not recover connections (by design: it closes the
// connection and its channels, and tells through NotifyClose), so this
// package has its own state machine, one per Publisher and Receiver: connect
// and declare, serve until the connection or channel is closed, wait a
// jittered exponential backoff (DefaultMinBackoff to DefaultMaxBackoff),
// connect again. Keeping it here, rather than in a wrapper library, keeps
// the one fact a publisher needs (connected or not, right now) in one place,
// which is what lets Publish fail fast and the Forwarder start draining the
// moment the broker is back. Every Notify* channel is buffered and drained
// by a goroutine until amqp091-go closes it, so the client's reader never
// blocks on us.
//
// # Receiving
//
// A Receiver consumes a durable queue bound to the exchange and publishes
// each report to an oops.Publisher (a datedir.Repo, a SQL store, or both
// through oops.ToMany). It acknowledges a message only once the store took
// the report. A message that is not a report (empty, larger than
// MaxMessageSize, not BSON, without a well-formed id) is rejected without
// requeue, dead-lettered when Topology.DeadLetterExchange is set, counted
// and logged once: it never holds up the queue. A store failure returns the
// message to the queue after a backoff, so nothing is lost and the broker is
// not hammered. Several receivers on one queue share the work; a redelivered
// report is stored again under its id, which the stores keep once.
//
// # Testing
//
// The tests run against a real broker named by OOPS_TEST_AMQP_URL and skip
// without it; the fault tests that stop and start the broker run
// OOPS_TEST_AMQP_CTL (a rabbitmqctl for that node: stop_app, start_app), and
// are best run alone, since stopping the broker disturbs every other test
// using it. The repository's .ci/rabbitmq.sh starts such a node and prints
// both.
package oopsamqp
