package datedir

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/internal/benchcpu"
	"github.com/oops-go/oops/store"
)

// benchReport is a typical report of a request that failed after n
// statements.
func benchReport(n int) *oops.Report {
	r := &oops.Report{
		ID:       oops.NewID(),
		Type:     "*pgconn.PgError",
		Value:    "ERROR: deadlock detected (SQLSTATE 40P01)",
		TBText:   "main.(*server).order(...)\n\t/app/order.go:88\nnet/http.HandlerFunc.ServeHTTP(...)\n\t/usr/lib/go/src/net/http/server.go:2294\n",
		Time:     time.Date(2024, 5, 6, 12, 0, 0, 0, time.UTC),
		Hostname: "app1",
		Reporter: "shop-web",
		Topic:    "POST /orders/{id}",
		URL:      "https://shop.example.com/orders/42",
		ReqVars:  map[string]string{"Cookie": "<hidden>", "User-Agent": "curl/8", "X-Request-Id": "abc"},
		Duration: 1.25,
		Level:    "ERROR",
		Msg:      "order failed",
		Attrs:    map[string]any{"order": 42, "user": "alice"},
	}
	for i := range n {
		r.Timeline = append(r.Timeline, oops.TimelineEntry{
			Start: time.Duration(i*10) * time.Millisecond, End: time.Duration(i*10+7) * time.Millisecond, Category: "SQL-main",
			Detail: fmt.Sprintf("SELECT id, state FROM orders WHERE customer = $1 AND n = %d", i),
		})
	}
	return r
}

// BenchmarkEncode is the BSON encoding of a report with a 100-entry
// timeline.
func BenchmarkEncode(b *testing.B) {
	r := benchReport(100)
	b.ReportAllocs()
	var n int
	stopCPU := benchcpu.Start(b)
	for b.Loop() {
		data, err := Encode(r)
		if err != nil {
			b.Fatal(err)
		}
		n = len(data)
	}
	stopCPU()
	b.SetBytes(int64(n))
}

// BenchmarkDecode reads back the report of BenchmarkEncode.
func BenchmarkDecode(b *testing.B) {
	data, err := Encode(benchReport(100))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	stopCPU := benchcpu.Start(b)
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
	stopCPU()
}

// BenchmarkPublish writes one report (10 timeline entries) to a repository
// in a temporary directory: encode, create, write, rename.
func BenchmarkPublish(b *testing.B) {
	repo := New(b.TempDir())
	r := benchReport(10)
	ctx := context.Background()
	b.ReportAllocs()
	stopCPU := benchcpu.Start(b)
	for b.Loop() {
		r.ID = oops.NewID()
		if _, err := repo.Publish(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
	stopCPU()
}

// BenchmarkSummary reads the summary of a report with a 20-entry timeline,
// as List and Groups read each file of a day: the hand-walked decoder, and
// the full decoder it stands in for.
func BenchmarkSummary(b *testing.B) {
	data, err := Encode(benchReport(20))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("fast", func(b *testing.B) {
		var sr summaryReader
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		stopCPU := benchcpu.Start(b)
		for b.Loop() {
			if _, err := sr.summary(data, "x", "dir"); err != nil {
				b.Fatal(err)
			}
		}
		stopCPU()
	})
	b.Run("full", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		stopCPU := benchcpu.Start(b)
		for b.Loop() {
			r, err := Decode(data)
			if err != nil {
				b.Fatal(err)
			}
			_ = store.SummaryOf(r)
		}
		stopCPU()
	})
}

// BenchmarkEncodeRequest is the BSON encoding of a report shaped like a
// failing request's in bench/'s end-to-end comparison: 10 statements and 3
// kept log records in the timeline, 9 request variables, 2 attributes, the
// status in Extra (about 2 KB).
func BenchmarkEncodeRequest(b *testing.B) {
	r := benchReport(10)
	for i := range 3 {
		r.Timeline = append(r.Timeline, oops.TimelineEntry{
			Start: time.Duration(100+i) * time.Millisecond, End: time.Duration(100+i) * time.Millisecond,
			Category: "log-INFO", Detail: fmt.Sprintf("order loaded order=%d items=3", i),
		})
	}
	r.ReqVars = map[string]string{
		"REQUEST_METHOD": "GET", "PATH_INFO": "/orders/7/pay", "QUERY_STRING": "step=1",
		"SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "192.0.2.1:1234", "HTTP_HOST": "example.com",
		"HTTP_USER_AGENT": "bench", "HTTP_COOKIE": "<hidden>", "HTTP_ACCEPT": "*/*",
	}
	r.Extra = map[string]any{"http_status": "200"}
	enc := getEncoder()
	defer enc.release()
	b.ReportAllocs()
	var n int
	stopCPU := benchcpu.Start(b)
	for b.Loop() {
		data, err := enc.encodeFit(r, r.ID)
		if err != nil {
			b.Fatal(err)
		}
		n = len(data)
	}
	stopCPU()
	b.SetBytes(int64(n))
}
