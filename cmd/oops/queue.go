package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/oops-go/oops/datedir"
	"github.com/oops-go/oops/oopsamqp"
)

// amqpFlags are the broker flags forward and receive share.
type amqpFlags struct {
	url, exchange, queue string
}

func (f *amqpFlags) add(c *cobra.Command, queue bool) {
	c.Flags().StringVar(&f.url, "amqp", "", "the broker's URL, amqp://user:password@host:5672/vhost (default $OOPS_AMQP_URL)")
	c.Flags().StringVar(&f.exchange, "exchange", oopsamqp.DefaultExchange, "the exchange reports are published to (a durable fanout)")
	if queue {
		c.Flags().StringVar(&f.queue, "queue", oopsamqp.DefaultQueue, "the durable queue to consume, bound to the exchange; receivers sharing it share the work")
	} else {
		c.Flags().StringVar(&f.queue, "queue", "", "also declare this durable queue and bind it, so that reports are kept before any receiver starts")
	}
}

func (f *amqpFlags) resolve(e *env) (string, oopsamqp.Topology, error) {
	url := strings.TrimSpace(f.url)
	if url == "" {
		url = strings.TrimSpace(e.getenv("OOPS_AMQP_URL"))
	}
	if url == "" {
		return "", oopsamqp.Topology{}, usageErr("no broker: give --amqp amqp://… or set OOPS_AMQP_URL")
	}
	if !strings.HasPrefix(url, "amqp://") && !strings.HasPrefix(url, "amqps://") {
		return "", oopsamqp.Topology{}, usageErr("--amqp %s: want an amqp:// or amqps:// URL", redactURL(url))
	}
	return url, oopsamqp.Topology{Exchange: f.exchange, Queue: f.queue}, nil
}

// logger is what the queue's clients say: warnings and errors, one line
// each, on stderr.
func (e *env) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(lockedWriter{e}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type lockedWriter struct{ e *env }

func (w lockedWriter) Write(p []byte) (int, error) {
	w.e.mu.Lock()
	defer w.e.mu.Unlock()
	return w.e.stderr.Write([]byte(clean(string(p), true)))
}

func newForward(e *env) *cobra.Command {
	var af amqpFlags
	var once bool
	var wait time.Duration
	c := &cobra.Command{
		Use:   "forward SPOOL",
		Short: "Send the reports of a spool directory to RabbitMQ, removing each once the broker confirmed it",
		Long: `Forward publishes every report of the date directory SPOOL (where services spool
reports while the broker is away) to the exchange, and removes each file once the
broker confirmed it. It runs until interrupted, a pass whenever the broker is
back and every few seconds; --once makes one pass, waiting at most --wait for the
broker, and exits. It ends with the count of reports forwarded.`,
		Example: `  oops forward --amqp amqp://oops:secret@rabbitmq:5672/ /var/spool/oops
  OOPS_AMQP_URL=amqp://guest:guest@localhost:5672/ oops forward --once /var/spool/oops`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(c *cobra.Command, a []string) error {
			url, topo, err := af.resolve(e)
			if err != nil {
				return err
			}
			spool := a[0]
			if fi, err := os.Stat(spool); errors.Is(err, fs.ErrNotExist) {
				return storeErr(fmt.Errorf("spool %s: no such directory", spool))
			} else if err != nil {
				return storeErr(fmt.Errorf("spool %s: %w", spool, err))
			} else if !fi.IsDir() {
				return storeErr(fmt.Errorf("spool %s: not a directory", spool))
			}
			ctx := c.Context()
			log := e.logger()
			pub := oopsamqp.NewPublisher(url, &oopsamqp.PublisherOptions{Topology: topo, Logger: log})
			defer pub.Close()
			fwd := oopsamqp.NewForwarder(datedir.NewWithOptions(spool, &datedir.Options{OnSkip: e.warn}), pub, &oopsamqp.ForwarderOptions{Logger: log})
			if !once {
				err := fwd.Run(ctx)
				fmt.Fprintf(e.stdout, "forwarded %s from %s to %s\n", count(int(fwd.Stats().Forwarded), "report"), spool, redactURL(url))
				return err
			}
			wctx, cancel := context.WithTimeout(ctx, wait)
			defer cancel()
			select {
			case <-pub.Ready():
			case <-wctx.Done():
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return storeErr(fmt.Errorf("broker %s: not reachable within %v", redactURL(url), wait))
			}
			n, err := fwd.Forward(ctx)
			fmt.Fprintf(e.stdout, "forwarded %s from %s to %s\n", count(n, "report"), spool, redactURL(url))
			if err != nil {
				for _, one := range unjoin(err) {
					e.warn(one)
				}
			}
			return nil
		},
	}
	af.add(c, false)
	c.Flags().BoolVar(&once, "once", false, "make one pass and exit")
	c.Flags().DurationVar(&wait, "wait", 30*time.Second, "with --once, how long to wait for the broker")
	return c
}

func newReceive(e *env) *cobra.Command {
	var af amqpFlags
	var workers, prefetch int
	c := &cobra.Command{
		Use:   "receive",
		Short: "Store the reports RabbitMQ delivers, until interrupted",
		Long: `Receive consumes the queue (declared durable and bound to the exchange) and
stores each report in the store given by --store or OOPS_STORE: a date directory
or a SQL store. A message is acknowledged only once the store took its report; a
message that is no report is rejected; a store failure returns the message to the
queue after a backoff. It runs until interrupted (Ctrl-C, SIGTERM), reconnecting
when the broker goes away, and ends with the counts.`,
		Example: `  oops -s sqlite:/var/lib/oops.db receive --amqp amqp://oops:secret@rabbitmq:5672/
  OOPS_STORE=/var/lib/oops OOPS_AMQP_URL=amqp://guest:guest@localhost:5672/ oops receive --queue oopses-web`,
		Args: args(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			url, topo, err := af.resolve(e)
			if err != nil {
				return err
			}
			ctx := c.Context()
			h, err := e.openFor(ctx, true)
			if err != nil {
				return err
			}
			defer h.close()
			rcv := oopsamqp.NewReceiver(url, h.publisher, &oopsamqp.ReceiverOptions{
				Topology: topo, Workers: workers, Prefetch: prefetch, Logger: e.logger(),
			})
			err = rcv.Run(ctx)
			st := rcv.Stats()
			fmt.Fprintf(e.stdout, "received %s into %s (%d rejected, %d returned to the queue)\n",
				count(int(st.Stored), "report"), h.name, st.Rejected, st.Requeued+st.Returned)
			if err != nil {
				return storeErr(err)
			}
			return nil
		},
	}
	af.add(c, true)
	c.Flags().IntVar(&workers, "workers", 0, "reports stored at once (default: the receiver's)")
	c.Flags().IntVar(&prefetch, "prefetch", 0, "messages the broker sends ahead (default: the receiver's)")
	return c
}
