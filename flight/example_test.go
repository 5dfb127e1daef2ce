package flight_test

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/flight"
)

// line is an integration's own record type: here, a message and one
// attribute, kept unformatted until a report needs it.
type line struct {
	t   time.Time
	msg string
	n   int
}

func (l *line) LogRecord() oops.LogRecord {
	return oops.LogRecord{Time: l.t, Level: "INFO", Msg: l.msg, Attrs: map[string]any{"n": flight.Value(l.n)}}
}

func (l *line) String() string { return flight.Detail(l.LogRecord()) }

func Example() {
	rec := flight.New(nil)
	cfg := &oops.Config{Publisher: oops.PublisherFunc(func(_ context.Context, r *oops.Report) ([]string, error) {
		fmt.Println("published", r.Msg, "signature", len(r.Signature), "hex digits")
		for _, lr := range r.Log {
			fmt.Println("  log:", lr.Level, lr.Msg, lr.Attrs)
		}
		return []string{r.ID}, nil
	})}
	ctx := context.Background()

	// Records below the report level: kept, not formatted.
	for i := range 3 {
		l := &line{t: time.Now(), msg: "step", n: i}
		rec.Keep(ctx, slog.LevelInfo, l.t, l)
	}

	// A record at the report level: the one builder decides, makes and
	// publishes the report, and says what the log line should quote.
	out := rec.Report(ctx, cfg, flight.Entry{Level: slog.LevelError, Msg: "job failed"}, flight.DefaultKeys)
	fmt.Println("quote:", oops.ValidID(out.ID), "dropped:", out.Dropped == "")
	// Output:
	// published job failed signature 16 hex digits
	//   log: INFO step map[n:0]
	//   log: INFO step map[n:1]
	//   log: INFO step map[n:2]
	// quote: true dropped: true
}
