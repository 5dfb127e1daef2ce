package slogoops_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/oops-go/oops/flight"
	"github.com/oops-go/oops/slogoops"
	"github.com/oops-go/oops/timeline"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Kept records are reused once a ring or a capped timeline drops them.
// Loggers keep records into both while readers render them: a record reused
// while still read would render another record's attributes (and, under
// -race, be reported as a data race).
func TestReusedRecordsNeverReadWhileReused(t *testing.T) {
	rec := flight.New(&flight.Options{RingSize: 4})
	h := slogoops.NewHandler(slog.NewJSONHandler(io.Discard, nil), nil, &slogoops.Options{Recorder: rec})
	logger := slog.New(h)
	tl := timeline.NewWithOptions(&timeline.Options{MaxEntries: 6})
	tctx := timeline.NewContext(context.Background(), tl)

	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			ctx := context.Background()
			if g%2 == 0 {
				ctx = tctx
			}
			for i := range 2000 {
				n := g*100000 + i
				logger.InfoContext(ctx, "step", "n", n, "twice", 2*n)
			}
		})
	}
	consistent := func(detail string) {
		var n, twice int
		_, err := fmt.Sscanf(detail, "step n=%d twice=%d", &n, &twice)
		if assert.NoError(t, err, detail) {
			assert.Equal(t, 2*n, twice, "a record's attributes come from one log call")
		}
	}
	done := make(chan struct{})
	var readers sync.WaitGroup
	readers.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			for _, e := range tl.Entries() {
				consistent(e.Detail)
			}
			for _, lr := range rec.Records() {
				assert.Equal(t, 2*lr.Attrs["n"].(int64), lr.Attrs["twice"])
			}
		}
	})
	wg.Wait()
	close(done)
	readers.Wait()
	es := tl.Entries()
	require.Len(t, es, 6)
	for _, e := range es {
		consistent(e.Detail)
	}
	assert.Len(t, rec.Records(), 4)
}
