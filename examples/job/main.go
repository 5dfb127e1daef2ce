// Command job is a background job with no HTTP in sight: a nightly import
// that logs through slogoops. Its debug and info records are not written
// anywhere (the log level is Warn), but the flight recorder keeps them, so
// the report made when the import fails shows the steps that led to it.
//
//	go run ./examples/job
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/flight"
	"github.com/oops-go/oops/slogoops"
)

func main() {
	if err := run(context.Background(), os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "job:", err)
		os.Exit(1)
	}
}

// errDuplicate is what the import's store says about a row it has already.
var errDuplicate = errors.New("duplicate key")

// run runs the job once, writes its log to logs and each report, as text,
// to reports.
func run(ctx context.Context, reports, logs io.Writer) error {
	// Reports are published from a queue, never from the log call itself.
	store := oops.PublisherFunc(func(_ context.Context, r *oops.Report) ([]string, error) {
		if err := r.WriteText(reports); err != nil {
			return nil, err
		}
		return []string{r.ID}, nil
	})
	async := oops.NewAsync(store, nil)
	cfg := &oops.Config{
		Template:  oops.Report{Reporter: "nightly-import"},
		Publisher: async,
	}
	// A recorder of the job's own (most programs use flight.Default()).
	rec := flight.New(nil)
	logger := slog.New(slogoops.NewHandler(
		slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}),
		cfg,
		&slogoops.Options{Recorder: rec},
	))

	logger = logger.With("topic", "nightly-import", "run", time.Now().UTC().Format("2006-01-02"))
	importErr := importRows(logger, []string{"alice", "bob", "bob", "carol"})
	if importErr != nil {
		logger.Error("import failed", "err", importErr)
	}

	// At shutdown: close the recorder's trailing window (if one is open),
	// then drain the queue.
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := rec.Flush(ctx); err != nil {
		return err
	}
	if err := async.Close(ctx); err != nil {
		return err
	}
	if st := async.Stats(); st.Published == 0 {
		return fmt.Errorf("no report was published: %+v", st)
	}
	return nil
}

// importRows imports the users in order and stops at the first duplicate.
func importRows(logger *slog.Logger, users []string) error {
	seen := map[string]bool{}
	logger.Info("import started", "rows", len(users))
	for i, u := range users {
		logger.Debug("importing row", "row", i, "user", u)
		if seen[u] {
			return fmt.Errorf("row %d (%s): %w", i, u, errDuplicate)
		}
		seen[u] = true
		logger.Info("row imported", "row", i)
	}
	return nil
}
