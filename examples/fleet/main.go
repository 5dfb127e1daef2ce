// Command fleet shows oops across many machines: services publish their
// reports to RabbitMQ, receivers store them where the console reads.
//
//	services ──▶ RabbitMQ (exchange "oopses") ──▶ receivers ──▶ store ──▶ console
//
// Run a receiver, then a service, against a broker:
//
//	go run ./examples/fleet receive -amqp amqp://guest:guest@127.0.0.1:5672/ -store /tmp/oops
//	go run ./examples/fleet serve -amqp amqp://guest:guest@127.0.0.1:5672/ -spool /tmp/oops-spool
//
// The service logs one failure through slogoops; the report goes to the
// broker (or, while the broker is away, to the spool, which a forwarder
// drains once it is back), and the receiver stores it under the id the log
// line quotes. Stop the receiver with Ctrl-C.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/datedir"
	"github.com/oops-go/oops/oopsamqp"
	"github.com/oops-go/oops/slogoops"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: fleet serve|receive [-amqp URL] [-spool DIR | -store DIR]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	url := fs.String("amqp", "amqp://guest:guest@127.0.0.1:5672/", "the broker")
	dir := fs.String("spool", os.TempDir()+"/oops-spool", "serve: the spool for when the broker is away")
	store := fs.String("store", os.TempDir()+"/oops", "receive: the datedir repository to store reports in")
	_ = fs.Parse(os.Args[2:])
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var err error
	switch os.Args[1] {
	case "serve":
		var id string
		id, err = serve(ctx, *url, *dir, os.Stderr)
		fmt.Println("published", id)
	case "receive":
		err = receive(ctx, *url, datedir.New(*store), slog.Default())
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fleet:", err)
		os.Exit(1)
	}
}

// serve is the publishing side of one service: it logs one failure and
// returns the id of its report once the report is confirmed by the broker
// or kept in the spool.
func serve(ctx context.Context, url, spoolDir string, logs io.Writer) (string, error) {
	// Naming the receivers' queue makes the publisher declare it too, so
	// that reports wait there even before the first receiver starts (a
	// fanout exchange drops what no queue is bound to take).
	pub := oopsamqp.NewPublisher(url, &oopsamqp.PublisherOptions{
		Topology: oopsamqp.Topology{Queue: oopsamqp.DefaultQueue},
	})
	defer pub.Close()
	spool := datedir.New(spoolDir)
	// Log calls never wait: the queue's workers publish (and wait for the
	// broker's confirms) in the background, and the spool takes what the
	// broker cannot.
	async := oops.NewAsync(oops.WithFallback(pub, spool), &oops.AsyncOptions{Workers: 32})
	fwdCtx, stopForwarding := context.WithCancel(ctx)
	defer stopForwarding()
	go oopsamqp.NewForwarder(spool, pub, nil).Run(fwdCtx)

	var id string
	cfg := &oops.Config{Template: oops.Report{Reporter: "checkout"}}
	cfg.Publisher = oops.PublisherFunc(func(ctx context.Context, r *oops.Report) ([]string, error) {
		id = r.ID
		return async.Publish(ctx, r)
	})
	logger := slog.New(slogoops.NewHandler(slog.NewTextHandler(logs, nil), cfg, nil))
	logger.ErrorContext(ctx, "payment failed", "order", 1042, "err", errors.New("card declined"))

	// At shutdown, drain the queue.
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := async.Close(ctx); err != nil {
		return id, err
	}
	if s := async.Stats(); s.Published != 1 {
		return id, fmt.Errorf("the report was not published: %+v", s)
	}
	return id, nil
}

// receive is a receiver: it stores the fleet's reports in store until ctx
// is done.
func receive(ctx context.Context, url string, store oops.Publisher, logger *slog.Logger) error {
	rcv := oopsamqp.NewReceiver(url, store, &oopsamqp.ReceiverOptions{Logger: logger})
	err := rcv.Run(ctx)
	logger.Info("receiver stopped", "stats", fmt.Sprintf("%+v", rcv.Stats()))
	return err
}
