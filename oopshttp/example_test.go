package oopshttp_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/oopshttp"
	"github.com/oops-go/oops/timeline"
)

func ExampleMiddleware() {
	// A store that keeps reports in memory; a service would use a real one
	// behind oops.Async.
	var mu sync.Mutex
	var reports []*oops.Report
	store := oops.PublisherFunc(func(_ context.Context, r *oops.Report) ([]string, error) {
		mu.Lock()
		defer mu.Unlock()
		reports = append(reports, r.Clone())
		return []string{r.ID}, nil
	})

	// Every report made with a request's context carries the request. The
	// first is the request's report: the middleware completes it when the
	// request ends, and the id the user sees is its id.
	cfg := &oops.Config{Publisher: store}
	cfg.Hooks = append(oops.DefaultHooks(), oopshttp.AttachRequest)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		// What the SQL driver wrapper records.
		err := errors.New("no such table: orders")
		timeline.FromContext(ctx).Start("SQL-main", "SELECT total FROM orders WHERE id = ?").FinishErr(err)
		// What the slog handler does with an Error record.
		logged := cfg.Create(ctx, oops.Event{Level: "ERROR", Msg: "loading order", Err: err})
		_, _ = cfg.Publish(ctx, logged)
		oopshttp.Error(w, r, errors.New("order store unavailable"))
	})
	srv := httptest.NewServer(oopshttp.Middleware(cfg, nil)(mux))
	defer srv.Close()

	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/orders/42", nil)
	req.Header.Set("Accept", "text/plain")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	id := resp.Header.Get(oopshttp.HeaderID)
	fmt.Println(resp.Status, "| X-Oops-Id is an OOPS id:", oops.ValidID(id))

	mu.Lock()
	defer mu.Unlock()
	for _, r := range reports {
		fmt.Println("report:", r.ID == id, r.Type, "|", r.Value, "| revision:", r.Revision, "| pending:", r.Pending)
	}
	r := reports[len(reports)-1]
	fmt.Println("topic:", r.Topic, "| path:", r.ReqVars["PATH_INFO"], "| status:", r.Extra[oopshttp.StatusKey])
	fmt.Println("handler error:", r.Extra[oopshttp.HandlerErrorKey])
	for _, e := range r.Timeline {
		fmt.Println("timeline:", e.Category, "|", e.Detail, "|", e.Error)
	}
	// Output:
	// 500 Internal Server Error | X-Oops-Id is an OOPS id: true
	// report: true *errors.errorString | no such table: orders | revision: 0 | pending: true
	// report: true *errors.errorString | no such table: orders | revision: 1 | pending: false
	// topic: GET /orders/{id} | path: /orders/42 | status: 500
	// handler error: order store unavailable
	// timeline: SQL-main | SELECT total FROM orders WHERE id = ? | no such table: orders
}
