package zapoops_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/flight"
	"github.com/oops-go/oops/timeline"
	"github.com/oops-go/oops/zapoops"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

func Example() {
	// Reports go to a publisher; here, one that prints a few of their keys.
	// A real service puts an oops.Async in front of a store.
	var lastID string
	cfg := &oops.Config{Publisher: oops.PublisherFunc(func(_ context.Context, r *oops.Report) ([]string, error) {
		lastID = r.ID
		fmt.Printf("report: type=%s value=%q topic=%s attrs=%v\n", r.Type, r.Value, r.Topic, r.Attrs)
		for _, e := range r.Timeline {
			fmt.Printf("  timeline: %s %s\n", e.Category, e.Detail)
		}
		return []string{r.ID}, nil
	})}

	// The program's own core, wrapped in one call.
	enc := zap.NewProductionEncoderConfig()
	enc.TimeKey = "" // keep the output stable
	var out bytes.Buffer
	jsonCore := zapcore.NewCore(zapcore.NewJSONEncoder(enc), zapcore.AddSync(&out), zapcore.InfoLevel)
	logger := zap.New(jsonCore).Named("billing").
		WithOptions(zapoops.WrapCore(cfg, &zapoops.Options{Recorder: flight.New(nil)}))
	defer logger.Sync()

	// A request's context carries its timeline.
	tl := timeline.New()
	ctx := timeline.NewContext(context.Background(), tl)
	tl.Start("SQL-main", "SELECT balance FROM accounts WHERE id = $1").Finish()

	req := logger.With(zapoops.Context(ctx), zap.String("account", "a-42"))
	req.Debug("balance read") // kept in the timeline, not written (the JSON core is at Info)
	req.Error("charge failed", zap.Error(errors.New("card declined")))

	// The log line quotes the report's id (random, so replaced here).
	fmt.Print(strings.ReplaceAll(out.String(), lastID, "OOPS-<id>"))
	// Output:
	// report: type=*errors.errorString value="card declined" topic=billing attrs=map[account:a-42 error:card declined]
	//   timeline: SQL-main SELECT balance FROM accounts WHERE id = $1
	//   timeline: log-DEBUG balance read account=a-42 logger=billing
	// {"level":"error","logger":"billing","msg":"charge failed","account":"a-42","error":"card declined","oops_id":"OOPS-<id>"}
}
