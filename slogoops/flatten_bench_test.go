package slogoops_test

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"testing"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/flight"
	"github.com/oops-go/oops/slogoops"
	"github.com/oops-go/oops/timeline"
)

// BenchmarkFlattenRequest is a request's timeline as the reports of a
// request read it: 10 SQL statements and 3 kept Info records in a fresh
// timeline, flattened flattens=0, 1 or 2 times (a report, then the incident
// completed at the end of the request). What flattens=2 costs over
// flattens=0 is what reading the timeline twice costs.
func BenchmarkFlattenRequest(b *testing.B) {
	logger := slog.New(slogoops.NewHandler(
		slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn}),
		nil, &slogoops.Options{Recorder: flight.New(nil)}))
	bg := context.Background()
	for flattens := range 3 {
		b.Run("flattens="+strconv.Itoa(flattens), func(b *testing.B) {
			n := 0
			loop(b, func() {
				tl := timeline.New()
				ctx := timeline.NewContext(bg, tl)
				for i := range 10 {
					tl.Start("SQL-main", "SELECT id, name FROM users WHERE id = $1").Finish()
					if i%3 == 0 && i < 9 {
						logger.InfoContext(ctx, "cache miss", "key", "user:42", "n", 3, "hit", false, "ratio", 0.5, "route", "/api/v1/items")
					}
				}
				for range flattens {
					n += len(oops.FlattenTimeline(tl))
				}
			})
			if flattens > 0 && n == 0 {
				b.Fatal("nothing flattened")
			}
		})
	}
}
