package console_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/console"
	"github.com/oops-go/oops/internal/benchcpu"
	"github.com/oops-go/oops/sqlstore"
	"github.com/oops-go/oops/store"
)

// The budgets' store sizes. Building them takes minutes, so by default the
// benchmarks use smaller stores (CI runs each benchmark once);
// OOPS_BENCH_FULL=1 builds the budgets' sizes, once, under the temporary
// directory, and later runs reuse them.
func benchSizes() (list, summary int) {
	if os.Getenv("OOPS_BENCH_FULL") != "" {
		return 1_000_000, 100_000
	}
	return 20_000, 5_000
}

var benchDay = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)

// benchReport is the i-th report of a benchmark store: one of 200
// problems, spread over span from start, with a short timeline.
func benchReport(i int, start time.Time, span time.Duration, n int) *oops.Report {
	p := i % 200
	tl := make([]oops.TimelineEntry, 5)
	for k := range tl {
		off := time.Duration(k) * time.Millisecond
		tl[k] = oops.TimelineEntry{Start: off, End: off + 700*time.Microsecond, Category: "SQL-main",
			Detail: fmt.Sprintf("SELECT * FROM t%d WHERE id = $1", k)}
	}
	status := []string{"500", "500", "500", "404", "504", "400"}[p%6]
	return &oops.Report{
		ID:   oops.NewID(),
		Time: start.Add(time.Duration(int64(span) / int64(n) * int64(i))),
		Type: fmt.Sprintf("*app.Error%d", p), Value: fmt.Sprintf("problem %d: something failed for order %d", p, i),
		Topic: fmt.Sprintf("GET /things/%d/{id}", p%40), Reporter: fmt.Sprintf("web-%d", i%8), Signature: fmt.Sprintf("sig-%03d", p),
		URL: fmt.Sprintf("https://shop.example/things/%d", i), Duration: 0.02, Timeline: tl,
		Resource: fmt.Sprintf("thing/%d", i%5000), Extra: map[string]any{store.StatusKey: status},
	}
}

var benchStores sync.Map // path → *sqlstore.Store, shared by a run's benchmarks

// benchStore returns a SQLite store of n reports spread over span from
// start, building it on the first run.
func benchStore(b *testing.B, name string, n int, start time.Time, span time.Duration) *sqlstore.Store {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "oops-console-bench")
	require.NoError(b, os.MkdirAll(dir, 0o755))
	path := filepath.Join(dir, fmt.Sprintf("%s-%d.db", name, n))
	if s, ok := benchStores.Load(path); ok {
		return s.(*sqlstore.Store)
	}
	ctx := context.Background()
	done := path + ".done"
	if _, err := os.Stat(done); err != nil {
		os.Remove(path)
		os.Remove(path + "-wal")
		os.Remove(path + "-shm")
	}
	s, err := sqlstore.Open(ctx, "sqlite", path, nil)
	if err != nil {
		// A store left by an older schema: build it again.
		b.Logf("rebuilding %s: %v", path, err)
		for _, f := range []string{done, path, path + "-wal", path + "-shm"} {
			os.Remove(f)
		}
		s, err = sqlstore.Open(ctx, "sqlite", path, nil)
	}
	require.NoError(b, err)
	if _, err := os.Stat(done); err != nil {
		b.Logf("building %s: %d reports", path, n)
		began := time.Now()
		// Concurrent publishers are written in batches, one transaction each.
		var g errgroup.Group
		const workers = 64
		for w := range workers {
			g.Go(func() error {
				for i := w; i < n; i += workers {
					if _, err := s.Publish(ctx, benchReport(i, start, span, n)); err != nil {
						return err
					}
				}
				return nil
			})
		}
		require.NoError(b, g.Wait())
		require.NoError(b, os.WriteFile(done, nil, 0o644))
		b.Logf("built in %s", time.Since(began).Round(time.Second))
	}
	benchStores.Store(path, s)
	return s
}

func benchGet(b *testing.B, h http.Handler, path string) int {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("%s: %d %s", path, rec.Code, rec.Body.String())
	}
	return rec.Body.Len()
}

// BenchmarkListPage serves the list page of 50 reports from a SQLite store
// of a million reports (OOPS_BENCH_FULL; budget 50 ms): the first page, a
// page deep into the list through its cursor, and a filtered page.
func BenchmarkListPage(b *testing.B) {
	n, _ := benchSizes()
	s := benchStore(b, "list", n, benchDay.AddDate(0, 0, -30), 30*24*time.Hour)
	h := newConsole(b, s)
	page, err := s.List(context.Background(), store.Query{Limit: 1000, From: benchDay.AddDate(0, 0, -15)})
	require.NoError(b, err)
	for _, c := range []struct{ name, path string }{
		{"first", "/reports"},
		{"deep", "/reports?cursor=" + page.Next},
		{"filtered", "/reports?type=" + "%2Aapp.Error17" + "&from=2026-11-20"},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			stop := benchcpu.Start(b)
			for b.Loop() {
				benchGet(b, h, c.path)
			}
			stop()
			b.ReportMetric(float64(n), "reports")
		})
	}
}

// BenchmarkSummaryPage serves the summary page for one day of 100,000
// reports (OOPS_BENCH_FULL; budget 300 ms) from SQLite.
func BenchmarkSummaryPage(b *testing.B) {
	_, n := benchSizes()
	s := benchStore(b, "summary", n, benchDay, 24*time.Hour)
	h := newConsole(b, s)
	b.ReportAllocs()
	stop := benchcpu.Start(b)
	for b.Loop() {
		benchGet(b, h, "/summary?from=2026-11-30&to=2026-11-30")
	}
	stop()
	b.ReportMetric(float64(n), "reports")
}

// BenchmarkReportPage serves the report page of a report with a 1,000-entry
// timeline (budget 20 ms and 1 MB), reading it from the store on each
// request as the console does: from a date directory and from SQLite.
func BenchmarkReportPage(b *testing.B) {
	r := orderReport(now)
	tl := r.Timeline[:0:0]
	for i := range 1000 {
		e := orderReport(now).Timeline[i%24]
		off := time.Duration(i) * 300 * time.Microsecond
		e.Start, e.End = off, off+250*time.Microsecond
		tl = append(tl, e)
	}
	r.Timeline = tl
	r.Duration = 0.31
	sq := newSQLStore(b, r)
	for _, c := range []struct {
		name string
		rd   store.Reader
	}{{"datedir", newRepo(b, r)}, {"sqlite", sq}} {
		b.Run(c.name, func(b *testing.B) {
			h := console.New(&console.Options{Store: c.rd, Auth: console.Auth{AdminTokens: []string{adminToken}}})
			var size int
			b.ReportAllocs()
			stop := benchcpu.Start(b)
			for b.Loop() {
				size = benchGet(b, h, "/report/"+r.ID)
			}
			stop()
			b.ReportMetric(float64(size), "html-bytes")
			if size > 1<<20 {
				b.Errorf("the page is %d bytes, over 1 MB", size)
			}
		})
	}
}
