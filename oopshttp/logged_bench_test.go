package oopshttp_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/flight"
	"github.com/oops-go/oops/oopshttp"
	"github.com/oops-go/oops/slogoops"
	"github.com/oops-go/oops/timeline"
)

// BenchmarkLoggedErrorRequest measures a request shaped like a real failing
// one: ten timeline steps, three Info records and an Error record that
// makes the request's report, published pending, then completed when the
// request ends. The publisher takes each report (it returns its id) and
// keeps nothing, on the request's goroutine: what is measured is the
// report's making, the same from run to run (callgrind).
func BenchmarkLoggedErrorRequest(b *testing.B) {
	errPayment := errors.New("card declined")
	var published, completed int
	cfg := &oops.Config{
		Template: oops.Report{Reporter: "bench"},
		Hooks:    append(oops.DefaultHooks(), oopshttp.AttachRequest),
		Publisher: oops.PublisherFunc(func(_ context.Context, r *oops.Report) ([]string, error) {
			published++
			if r.Revision == 1 && !r.Pending {
				completed++
			}
			return []string{r.ID}, nil
		}),
	}
	rec := flight.New(&flight.Options{NoRateLimit: true})
	log := slog.New(slogoops.NewHandler(slog.NewJSONHandler(io.Discard, nil), cfg, &slogoops.Options{Recorder: rec}))
	h := oopshttp.Middleware(cfg, nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		tl := timeline.FromContext(ctx)
		for range 10 {
			tl.Start("SQL-main", "SELECT id, name FROM t WHERE id = ?").Finish()
		}
		log.InfoContext(ctx, "order loaded", "order", 7, "items", 3)
		log.InfoContext(ctx, "cart priced", "total", 42.5, "currency", "EUR")
		log.InfoContext(ctx, "payment started", "provider", "acme")
		log.ErrorContext(ctx, "payment failed", "err", errPayment, "order", 7)
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(okBody)
	}))
	req := httptest.NewRequest(http.MethodGet, "/orders/7/pay?step=1", nil)
	req.Header.Set("User-Agent", "bench")
	req.Header.Set("Cookie", "session=secret")
	loop(b, func() {
		before := completed
		h.ServeHTTP(httptest.NewRecorder(), req)
		if completed != before+1 {
			b.Fatal("the request's report was not completed")
		}
	})
	if published != 2*completed {
		b.Fatalf("%d reports published for %d requests, want two each", published, completed)
	}
}
