package oopsamqp_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/datedir"
	"github.com/oops-go/oops/oopsamqp"
)

// A service publishes its reports to RabbitMQ through an Async queue, with a
// local spool for when the broker is away. Here nothing listens on the
// broker's port, so the spool takes the report; a Forwarder would send it on
// once the broker is back.
func Example() {
	dir, _ := os.MkdirTemp("", "oops-spool")
	defer os.RemoveAll(dir)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))

	pub := oopsamqp.NewPublisher("amqp://guest:guest@127.0.0.1:1/", &oopsamqp.PublisherOptions{Logger: quiet})
	defer pub.Close()
	spool := datedir.New(dir)
	async := oops.NewAsync(oops.WithFallback(pub, spool), &oops.AsyncOptions{Workers: 8})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go oopsamqp.NewForwarder(spool, pub, &oopsamqp.ForwarderOptions{Logger: quiet}).Run(ctx)

	r := &oops.Report{ID: "OOPS-0123456789abcdef0123456789abcdef", Type: "ERROR", Value: "payment failed", Time: time.Now()}
	ids, _ := async.Publish(ctx, r)
	fmt.Println("quoted to the user:", ids[0])
	_ = async.Close(ctx)

	spooled, err := spool.Get(ctx, r.ID)
	fmt.Println("spooled:", spooled.Value, err)
	// Output:
	// quoted to the user: OOPS-0123456789abcdef0123456789abcdef
	// spooled: payment failed <nil>
}

// A receiver stores what the fleet publishes in a datedir repository (or a
// SQL store, or both through oops.ToMany) until its context is canceled.
func ExampleReceiver() {
	store := datedir.New("/var/lib/oops")
	rcv := oopsamqp.NewReceiver("amqp://guest:guest@rabbitmq.internal:5672/", store, &oopsamqp.ReceiverOptions{
		Prefetch: 64,
		Topology: oopsamqp.Topology{DeadLetterExchange: "oopses-dead", DeadLetterQueue: "oopses-dead"},
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	if err := rcv.Run(ctx); err != nil {
		fmt.Println(err)
	}
	fmt.Printf("%+v\n", rcv.Stats())
}
