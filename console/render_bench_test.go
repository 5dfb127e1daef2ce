package console

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/internal/benchcpu"
	"github.com/oops-go/oops/store"
)

// bigReport is a report whose timeline has n entries: statements of a
// dozen shapes, an N+1 run of a fifth of them, log records and a failure.
func bigReport(n int) *oops.Report {
	bt := "main.handler(...)\n\t/srv/handler.go:42\nnet/http.HandlerFunc.ServeHTTP(...)\n\t/usr/lib/go/src/net/http/server.go:2294\n"
	tl := make([]oops.TimelineEntry, 0, n)
	off := time.Duration(0)
	for i := range n {
		e := oops.TimelineEntry{Start: off, End: off + time.Duration(200+i%7*50)*time.Microsecond, Category: "SQL-main", Backtrace: &bt}
		switch {
		case i == 0:
			e.Detail = "SELECT id, customer_id, created_at FROM orders WHERE customer_id = $1 ORDER BY created_at DESC"
		case i <= n/5:
			e.Detail = fmt.Sprintf("SELECT id, sku, quantity, price FROM order_items WHERE order_id = %d", 1000+i)
		case i%10 == 0:
			e.Category, e.Detail = "log-INFO", fmt.Sprintf("step %d done", i)
		case i == n/2:
			e.End = e.Start + 80*time.Millisecond
			e.Detail = "SELECT sum(amount) FROM ledger WHERE account_id = $1 AND posted_at > now() - interval '1 year'"
		default:
			e.Detail = fmt.Sprintf("UPDATE inventory SET reserved = reserved + $1 WHERE sku = 'SKU-%d' AND warehouse = $2", i%12)
		}
		if i == n-1 {
			e.Error = "pq: deadlock detected"
		}
		tl = append(tl, e)
		off = e.End + 30*time.Microsecond
	}
	return &oops.Report{
		ID: oops.NewID(), Type: "*pq.Error", Value: "checkout: pq: deadlock detected", TBText: bt,
		Time: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), Topic: "POST /checkout", URL: "https://shop.example/checkout",
		ReqVars: map[string]string{"REQUEST_METHOD": "POST", "HTTP_COOKIE": "<hidden>"}, Timeline: tl,
		Duration: off.Seconds() + 0.01, Signature: "abc123", Extra: map[string]any{store.StatusKey: "500"},
	}
}

// BenchmarkRenderReportPage renders the report page of a 1,000-entry
// timeline for an admin: the analysis, the waterfall and the template, the
// server's part of the budget (≤ 20 ms, ≤ 1 MB). Each iteration gets a
// fresh copy of the report, as each request reads one from the store.
func BenchmarkRenderReportPage(b *testing.B) {
	r := bigReport(1000)
	h := New(&Options{Store: nil})
	req := httptest.NewRequest("GET", "/report/"+r.ID, nil)
	req = req.WithContext(contextWith(req, Principal{Name: "bench", Role: store.Admin}))
	var size int
	b.ReportAllocs()
	stop := benchcpu.Start(b)
	for b.Loop() {
		rec := &countingWriter{h: map[string][]string{}}
		h.render(rec, req, 200, "report", "", newReportData(r.Clone(), store.Admin, h.opts.Analysis))
		size = rec.n
	}
	stop()
	b.ReportMetric(float64(size), "html-bytes")
	if size > 1<<20 {
		b.Errorf("the page is %d bytes, over 1 MB", size)
	}
}

func contextWith(r *http.Request, p Principal) context.Context {
	return context.WithValue(r.Context(), principalKey{}, p)
}

// countingWriter is a ResponseWriter that counts what is written.
type countingWriter struct {
	h    http.Header
	n    int
	code int
}

func (w *countingWriter) Header() http.Header         { return w.h }
func (w *countingWriter) WriteHeader(code int)        { w.code = code }
func (w *countingWriter) Write(b []byte) (int, error) { w.n += len(b); return len(b), nil }
