// Command zap shows zapoops in a small service: the program's zap logger is
// wrapped in one call, each request's logger carries the request's context,
// and a failed request gives an OOPS report with the statements the request
// ran and the debug entries it logged, while the error's log line quotes the
// report's id.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/flight"
	"github.com/oops-go/oops/timeline"
	"github.com/oops-go/oops/zapoops"
)

func main() {
	if err := run(os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "zap example:", err)
		os.Exit(1)
	}
}

// errDeclined is what the payment provider says about a card.
var errDeclined = errors.New("card declined")

// run serves two requests, writes the JSON log to logs and each report, as
// text, to reports.
func run(reports, logs io.Writer) error {
	// Reports are published from a queue, never from the log call itself.
	store := oops.PublisherFunc(func(_ context.Context, r *oops.Report) ([]string, error) {
		if err := r.WriteText(reports); err != nil {
			return nil, err
		}
		return []string{r.ID}, nil
	})
	async := oops.NewAsync(store, nil)
	defer async.Close(context.Background())
	cfg := &oops.Config{Template: oops.Report{Reporter: "shop-api"}, Publisher: async}

	// The program's own logger: JSON at Info. One option adds the reports;
	// debug entries are kept by the flight recorder, not written.
	encoder := zap.NewProductionEncoderConfig()
	encoder.EncodeTime = zapcore.RFC3339TimeEncoder
	core := zapcore.NewCore(zapcore.NewJSONEncoder(encoder), zapcore.AddSync(logs), zapcore.InfoLevel)
	logger := zap.New(core).Named("checkout").WithOptions(
		zapoops.WrapCore(cfg, &zapoops.Options{Recorder: flight.New(nil)}))
	// Sync drains the report queue too.
	defer logger.Sync()

	for _, card := range []string{"4242", "4000"} {
		serve(context.Background(), logger, card)
	}
	return nil
}

// serve handles one checkout request: a timeline in its context, a logger
// that carries that context.
func serve(ctx context.Context, logger *zap.Logger, card string) {
	tl := timeline.New()
	ctx = timeline.NewContext(ctx, tl)
	log := logger.With(zapoops.Context(ctx), zap.String("card", card),
		zap.String("topic", "POST /checkout"))

	a := tl.Start("SQL-main", "SELECT id, total FROM carts WHERE user_id = $1")
	time.Sleep(2 * time.Millisecond)
	a.Finish()
	log.Debug("cart loaded", zap.Int("items", 3), zap.Int("total_cents", 4599))

	if err := charge(ctx, card); err != nil {
		log.Error("checkout failed", zap.Error(err))
		return
	}
	log.Info("checkout done")
}

// charge pretends to call a payment provider.
func charge(ctx context.Context, card string) error {
	a := timeline.FromContext(ctx).Start("http-POST", "https://payments.example/charge")
	time.Sleep(time.Millisecond)
	if card == "4000" {
		err := fmt.Errorf("charging card %s: %w", card, errDeclined)
		a.FinishErr(err)
		return err
	}
	a.Finish()
	return nil
}
