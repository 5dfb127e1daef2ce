package slogoops_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/flight"
	"github.com/oops-go/oops/slogoops"
)

func Example() {
	// The store: print what each report holds (an oops.Async would sit in
	// front of a real store).
	store := oops.PublisherFunc(func(_ context.Context, r *oops.Report) ([]string, error) {
		fmt.Println("report:", r.Type, "-", r.Value)
		fmt.Println("  topic:", r.Topic, "attrs:", r.Attrs)
		for _, l := range r.Log {
			fmt.Println("  kept:", l.Level, l.Msg, l.Attrs)
		}
		return []string{r.ID}, nil
	})
	next := slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		Level: slog.LevelInfo,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			switch {
			case a.Key == slog.TimeKey:
				return slog.Attr{} // keep the output stable
			case a.Key == "oops_id" && strings.HasPrefix(a.Value.String(), "OOPS-"):
				return slog.String("oops_id", "OOPS-…")
			}
			return a
		},
	})
	logger := slog.New(slogoops.NewHandler(next, &oops.Config{Publisher: store},
		&slogoops.Options{Recorder: flight.New(nil)}))

	logger.Debug("cache miss", "key", "user:42") // kept, not written
	logger.Info("retrying", "attempt", 2)        // written and kept
	logger.Error("payment failed", "err", errors.New("card declined"), "topic", "checkout")
	// Output:
	// level=INFO msg=retrying attempt=2
	// report: *errors.errorString - card declined
	//   topic: checkout attrs: map[err:card declined topic:checkout]
	//   kept: DEBUG cache miss map[key:user:42]
	//   kept: INFO retrying map[attempt:2]
	// level=ERROR msg="payment failed" err="card declined" topic=checkout oops_id=OOPS-…
}
