package oops_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/internal/benchcpu"
	"github.com/oops-go/oops/timeline"
)

var noop = oops.PublisherFunc(func(_ context.Context, r *oops.Report) ([]string, error) { return nil, nil })

// BenchmarkCreatePublish measures making a report with the default hooks and
// publishing it to a publisher that does nothing, without a stack.
func BenchmarkCreatePublish(b *testing.B) {
	boom := fmt.Errorf("loading invoice: %w", errors.New("no rows"))
	for _, bc := range []struct {
		name string
		ctx  context.Context
		ev   oops.Event
	}{
		{"event=error", context.Background(), oops.Event{Err: boom}},
		{"event=log", context.Background(), oops.Event{Level: "ERROR", Msg: "payment failed"}},
		{"event=error/timeline=10", timelineCtx(10), oops.Event{Err: boom}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			cfg := &oops.Config{Template: oops.Report{Reporter: "bench"}, Publisher: noop}
			b.ReportAllocs()
			for b.Loop() {
				r := cfg.Create(bc.ctx, bc.ev)
				if _, err := cfg.Publish(bc.ctx, r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func timelineCtx(n int) context.Context {
	tl := timeline.New()
	for i := range n {
		tl.Start("SQL-main", fmt.Sprint("SELECT ", i)).Finish()
	}
	return timeline.NewContext(context.Background(), tl)
}

// benchReport is a typical report with a 100-entry timeline.
func benchReport() *oops.Report {
	r := &oops.Report{
		ID:       oops.NewID(),
		Type:     "*pq.Error",
		Value:    `pq: relation "customers" does not exist`,
		TBText:   "main.handler(...)\n\t/src/app/handler.go:42\nnet/http.HandlerFunc.ServeHTTP(...)\n\t/usr/local/go/src/net/http/server.go:2220\n",
		Time:     time.Date(2026, 11, 21, 23, 50, 0, 0, time.UTC),
		Hostname: "web-1", Reporter: "billing", Topic: "GET /invoices/{id}", URL: "https://example.com/invoices/7",
		ReqVars:  map[string]string{"REQUEST_METHOD": "GET", "HTTP_COOKIE": "<hidden>", "HTTP_USER_AGENT": "curl/8.0"},
		Duration: 0.25,
		Level:    "ERROR", Msg: "loading invoice",
		Attrs: map[string]any{"invoice": 7, "user": "alice"},
	}
	for i := range 100 {
		r.Timeline = append(r.Timeline, oops.TimelineEntry{
			Start: time.Duration(i*2) * time.Millisecond, End: time.Duration(i*2+1) * time.Millisecond, Category: "SQL-main",
			Detail: fmt.Sprintf("SELECT id, name, total FROM invoices WHERE customer_id = $1 AND n = %d", i),
		})
	}
	return r
}

// BenchmarkMarshalJSON measures encoding a report with a 100-entry timeline.
func BenchmarkMarshalJSON(b *testing.B) {
	r := benchReport()
	b.ReportAllocs()
	stopCPU := benchcpu.Start(b)
	for b.Loop() {
		if _, err := json.Marshal(r); err != nil {
			b.Fatal(err)
		}
	}
	stopCPU()
}

// BenchmarkUnmarshalJSON measures decoding the same report.
func BenchmarkUnmarshalJSON(b *testing.B) {
	data, err := json.Marshal(benchReport())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	stopCPU := benchcpu.Start(b)
	for b.Loop() {
		var r oops.Report
		if err := json.Unmarshal(data, &r); err != nil {
			b.Fatal(err)
		}
	}
	stopCPU()
}

func BenchmarkNewID(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		oops.NewID()
	}
}
