package oopsamqp

import (
	"fmt"

	amqp "github.com/rabbitmq/amqp091-go"
)

// Defaults of Topology, those of python's oops-amqp.
const (
	// DefaultExchange is the exchange reports are published to.
	DefaultExchange = "oopses"
	// DefaultExchangeKind is the kind of exchange declared.
	DefaultExchangeKind = amqp.ExchangeFanout
	// DefaultQueue is the queue a Receiver consumes when Topology.Queue is
	// empty.
	DefaultQueue = "oopses"
)

// Topology names the exchange and the queue reports travel through. Its
// zero value is python oops-amqp's: a durable fanout exchange named "oopses"
// and an empty routing key. Publishers and receivers of one fleet must agree
// on it, since RabbitMQ refuses to declare an existing exchange or queue with
// other properties.
type Topology struct {
	// Exchange is where reports are published; empty means DefaultExchange.
	// It is declared durable, of ExchangeKind, unless NoDeclare is set.
	Exchange string
	// ExchangeKind is the exchange's kind ("fanout", "direct", "topic");
	// empty means DefaultExchangeKind.
	ExchangeKind string
	// RoutingKey is the key reports are published with, and the key the
	// queue is bound with. Empty suits a fanout exchange.
	RoutingKey string
	// Queue is the durable queue a Receiver consumes (empty means
	// DefaultQueue). A Publisher declares and binds it too when it is set,
	// so that reports are kept even before the first receiver starts; when
	// it is empty, a Publisher declares only the exchange, as python's does,
	// and RabbitMQ drops what a fanout exchange with no queue bound gets.
	Queue string
	// DeadLetterExchange, when set, is where a Receiver's queue sends the
	// messages that are not reports (the queue is declared with it as its
	// x-dead-letter-exchange). It is declared as a durable fanout exchange.
	// Without it such messages are dropped once counted and logged.
	DeadLetterExchange string
	// DeadLetterQueue, when set with DeadLetterExchange, is declared durable
	// and bound to it, so that rejected messages are kept for a person to
	// look at.
	DeadLetterQueue string
	// NoDeclare skips every declaration: the exchange and queues must exist.
	NoDeclare bool
}

func (t Topology) exchange() string {
	if t.Exchange == "" {
		return DefaultExchange
	}
	return t.Exchange
}

func (t Topology) kind() string {
	if t.ExchangeKind == "" {
		return DefaultExchangeKind
	}
	return t.ExchangeKind
}

// declareExchange declares the exchange reports are published to.
func (t Topology) declareExchange(ch *amqp.Channel) error {
	if t.NoDeclare {
		return nil
	}
	if err := ch.ExchangeDeclare(t.exchange(), t.kind(), true, false, false, false, nil); err != nil {
		return fmt.Errorf("declaring exchange %q: %w", t.exchange(), err)
	}
	return nil
}

// declareQueue declares and binds queue (and the dead-letter exchange and
// queue, when set).
func (t Topology) declareQueue(ch *amqp.Channel, queue string) error {
	if t.NoDeclare {
		return nil
	}
	var args amqp.Table
	if t.DeadLetterExchange != "" {
		if err := ch.ExchangeDeclare(t.DeadLetterExchange, amqp.ExchangeFanout, true, false, false, false, nil); err != nil {
			return fmt.Errorf("declaring dead-letter exchange %q: %w", t.DeadLetterExchange, err)
		}
		if t.DeadLetterQueue != "" {
			if _, err := ch.QueueDeclare(t.DeadLetterQueue, true, false, false, false, nil); err != nil {
				return fmt.Errorf("declaring dead-letter queue %q: %w", t.DeadLetterQueue, err)
			}
			if err := ch.QueueBind(t.DeadLetterQueue, "", t.DeadLetterExchange, false, nil); err != nil {
				return fmt.Errorf("binding dead-letter queue %q: %w", t.DeadLetterQueue, err)
			}
		}
		args = amqp.Table{"x-dead-letter-exchange": t.DeadLetterExchange}
	}
	if _, err := ch.QueueDeclare(queue, true, false, false, false, args); err != nil {
		return fmt.Errorf("declaring queue %q: %w", queue, err)
	}
	if err := ch.QueueBind(queue, t.RoutingKey, t.exchange(), false, nil); err != nil {
		return fmt.Errorf("binding queue %q to %q: %w", queue, t.exchange(), err)
	}
	return nil
}
