package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"github.com/oops-go/oops/internal/testenv"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/datedir"
	"github.com/oops-go/oops/internal/benchcpu"
	"github.com/oops-go/oops/store"
)

// benchDay0 is the first day of generated reports.
var benchDay0 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// benchReport returns a fresh report like a failed request's, with a
// 20-entry timeline, as a service makes one per failure.
func benchReport(rng *rand.Rand, at time.Time) *oops.Report {
	sig := int(rng.ExpFloat64()*30) % 300
	tl := make([]oops.TimelineEntry, 20)
	for j := range tl {
		start := time.Duration(j) * 3 * time.Millisecond
		tl[j] = oops.TimelineEntry{
			Start: start, End: start + time.Duration(rng.IntN(2000))*time.Microsecond,
			Category: "SQL-main", Detail: "SELECT id, total, status FROM orders WHERE customer_id = $1 AND id = $2",
		}
	}
	r := &oops.Report{
		ID: oops.NewID(), Type: "*pgconn.PgError", Value: "ERROR: deadlock detected (SQLSTATE 40P01) #" + strconv.Itoa(sig),
		TBText:   "main.(*server).checkout(...)\n\t/srv/shop/checkout.go:118\nnet/http.HandlerFunc.ServeHTTP(...)\n\t/usr/lib/go/src/net/http/server.go:2322\n",
		Time:     at,
		Hostname: "web-" + strconv.Itoa(rng.IntN(8)), Reporter: "shop", Topic: "POST /orders/{id}/checkout#" + strconv.Itoa(sig%40),
		URL: "https://shop.example/orders/" + strconv.Itoa(rng.IntN(1000)) + "/checkout", Username: "user" + strconv.Itoa(rng.IntN(5000)),
		ReqVars:  map[string]string{"REQUEST_METHOD": "POST", "HTTP_USER_AGENT": "Mozilla/5.0", "HTTP_COOKIE": "<hidden>"},
		Timeline: tl, Duration: 0.2 + rng.Float64(), Level: "ERROR", Signature: fmt.Sprintf("sig%04d", sig),
		TraceID: "4bf92f3577b34da6a3ce929d0e0e4736", Extra: map[string]any{store.StatusKey: "500"},
	}
	if rng.IntN(2) == 0 {
		r.Resource = "order/" + strconv.Itoa(rng.IntN(100_000))
	}
	return r
}

func benchOpen(b *testing.B, driver, dsn string) *Store {
	s, err := Open(context.Background(), driver, dsn, nil)
	require.NoError(b, err)
	b.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkPublish publishes fresh reports (20-entry timelines) into a
// SQLite file, from one goroutine and from many, and into PostgreSQL from
// many (OOPS_TEST_POSTGRES_DSN).
func BenchmarkPublish(b *testing.B) {
	b.Run("sqlite-file", func(b *testing.B) {
		s := benchOpen(b, "sqlite", filepath.Join(b.TempDir(), "oops.db"))
		rng := rand.New(rand.NewPCG(1, 1))
		ctx := context.Background()
		b.ReportAllocs()
		b.ResetTimer()
		stop := benchcpu.Start(b)
		for i := range b.N {
			if _, err := s.Publish(ctx, benchReport(rng, benchDay0.Add(time.Duration(i)*time.Second))); err != nil {
				b.Fatal(err)
			}
		}
		stop()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reports/s")
	})
	parallel := func(b *testing.B, s *Store) {
		ctx := context.Background()
		b.SetParallelism(8)
		b.ReportAllocs()
		b.ResetTimer()
		stop := benchcpu.Start(b)
		defer stop()
		b.RunParallel(func(pb *testing.PB) {
			rng := rand.New(rand.NewPCG(rand.Uint64(), 2))
			for pb.Next() {
				if _, err := s.Publish(ctx, benchReport(rng, benchDay0.Add(time.Duration(rng.IntN(86400))*time.Second))); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reports/s")
	}
	b.Run("sqlite-file-parallel", func(b *testing.B) {
		parallel(b, benchOpen(b, "sqlite", filepath.Join(b.TempDir(), "oops.db")))
	})
	b.Run("postgres-parallel", func(b *testing.B) {
		dsn := benchPostgres(b)
		parallel(b, benchOpen(b, "pgx", dsn))
	})
}

// benchPostgres makes a database of its own on OOPS_TEST_POSTGRES_DSN's
// server, dropped at the end, and returns its DSN.
func benchPostgres(b testing.TB) string {
	base := testenv.RequirePostgres(b)
	name := fmt.Sprintf("oops_sqlstore_bench_%d_%x", os.Getpid(), rand.Uint32())
	admin, err := sql.Open("pgx", base)
	require.NoError(b, err)
	_, err = admin.Exec("CREATE DATABASE " + name)
	require.NoError(b, err)
	b.Cleanup(func() {
		admin.Exec("DROP DATABASE " + name + " WITH (FORCE)")
		admin.Close()
	})
	u, err := url.Parse(base)
	require.NoError(b, err)
	u.Path = "/" + name
	return u.String()
}

// benchReports is how many reports the reading benchmarks store: 2,000 by
// default, OOPS_BENCH_REPORTS to measure the budgets (1000000).
func benchReports(b *testing.B) int {
	n := 2000
	if v := os.Getenv("OOPS_BENCH_REPORTS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 100 {
			b.Fatalf("OOPS_BENCH_REPORTS=%q: want a number ≥ 100", v)
		}
	}
	return n
}

// benchPerDay is how many reports a day holds (1,000,000 over 30 days): the
// generated reports are spread over benchDays(n) days, and the one-day
// benchmarks read the last.
const benchPerDay = 1_000_000 / 30

func benchDays(n int) int { return max(1, (n+benchPerDay-1)/benchPerDay) }

// fill stores n generated reports over benchDays days in s with batched
// INSERTs inside transactions (not through Publish, for speed), and writes
// the last day's reports to a date directory too. It returns ids of the
// last day and resources to look up.
func fill(b *testing.B, s *Store, n int, repo *datedir.Repo) (ids, resources []string) {
	ctx := context.Background()
	rows := make(chan *row, 1024)
	last := make(chan *oops.Report, 1024)
	days := benchDays(n)
	step := time.Duration(int64(time.Duration(days)*24*time.Hour) / int64(n))
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(rows)
		defer close(last)
		rng := rand.New(rand.NewPCG(7, 7))
		lastDay := benchDay0.Add(time.Duration(days-1) * 24 * time.Hour)
		for i := range n {
			r := benchReport(rng, benchDay0.Add(time.Duration(i)*step))
			rw, err := s.row(r)
			if err != nil {
				b.Error(err)
				return
			}
			rows <- rw
			if !r.Time.Before(lastDay) {
				last <- r
			}
		}
	})
	wg.Go(func() {
		for r := range last {
			if _, err := repo.Publish(ctx, r); err != nil {
				b.Error(err)
			}
		}
	})
	const perTx = 10_000
	lastNS := benchDay0.Add(time.Duration(days-1) * 24 * time.Hour).UnixNano()
	for done := false; !done; {
		var batch []*row
		for len(batch) < perTx {
			rw, ok := <-rows
			if !ok {
				done = true
				break
			}
			batch = append(batch, rw)
			if rw.resource != "" && len(resources) < 1000 {
				resources = append(resources, rw.resource)
			}
			if rw.timeNS >= lastNS && len(ids) < 1000 {
				ids = append(ids, rw.id)
			}
		}
		tx, err := s.db.BeginTx(ctx, nil)
		require.NoError(b, err)
		require.NoError(b, s.writeRows(ctx, tx, batch))
		require.NoError(b, tx.Commit())
	}
	wg.Wait()
	_, err := s.db.Exec("ANALYZE")
	require.NoError(b, err)
	return ids, resources
}

// BenchmarkRead measures the reads of the console on a SQLite file holding
// benchReports reports, and the same one-day summary made by scanning a
// date directory holding that day's reports.
func BenchmarkRead(b *testing.B) {
	n := benchReports(b)
	dir := b.TempDir()
	s := benchOpen(b, "sqlite", filepath.Join(dir, "oops.db"))
	repo := datedir.New(filepath.Join(dir, "datedir"))
	start := time.Now()
	ids, resources := fill(b, s, n, repo)
	b.Logf("stored %d reports in %v", n, time.Since(start).Round(time.Millisecond))
	ctx := context.Background()
	lastDay := benchDay0.Add(time.Duration(benchDays(n)-1) * 24 * time.Hour)
	dayQuery := store.Query{From: lastDay, To: lastDay.Add(24 * time.Hour)}

	b.Run("Get", func(b *testing.B) {
		b.ReportAllocs()
		defer benchcpu.Start(b)()
		for i := range b.N {
			if _, err := s.Get(ctx, ids[i%len(ids)]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("LatestFault", func(b *testing.B) {
		b.ReportAllocs()
		defer benchcpu.Start(b)()
		for i := range b.N {
			if _, err := s.LatestFault(ctx, resources[i%len(resources)], store.Admin); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ListFirstPage", func(b *testing.B) {
		b.ReportAllocs()
		defer benchcpu.Start(b)()
		for range b.N {
			if _, err := s.List(ctx, store.Query{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	var groupsNS float64
	b.Run("GroupsOneDay", func(b *testing.B) {
		b.ReportAllocs()
		defer benchcpu.Start(b)()
		for range b.N {
			g, err := s.Groups(ctx, dayQuery)
			if err != nil || len(g) == 0 {
				b.Fatal(err, len(g))
			}
		}
		groupsNS = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})
	b.Run("DatedirScanGroupsOneDay", func(b *testing.B) {
		b.ReportAllocs()
		defer benchcpu.Start(b)()
		for range b.N {
			if g := scanGroups(b, repo, dayQuery); len(g) == 0 {
				b.Fatal("no groups")
			}
		}
		if groupsNS > 0 {
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/groupsNS, "x-sqlstore")
		}
	})
	b.Run("DatedirGet", func(b *testing.B) {
		b.ReportAllocs()
		defer benchcpu.Start(b)()
		for i := range b.N {
			if _, err := repo.Get(ctx, ids[i%len(ids)]); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// scanGroups counts a day's reports by signature by reading every file of
// the day with datedir's Walk, as a store without a database must.
func scanGroups(b *testing.B, repo *datedir.Repo, q store.Query) []store.Group {
	bySig := map[string]*store.Group{}
	for e, err := range repo.Walk(context.Background(), q.From, q.To.Add(-time.Nanosecond)) {
		if err != nil {
			b.Fatal(err)
		}
		s := store.SummaryOf(e.Report)
		if !q.Matches(s) {
			continue
		}
		g := bySig[s.Signature]
		if g == nil {
			g = &store.Group{Signature: s.Signature, First: s.Time, Last: s.Time, ExampleID: s.ID}
			bySig[s.Signature] = g
		}
		g.Count++
		if s.Time.After(g.Last) {
			g.Last, g.ExampleID, g.Type, g.Value = s.Time, s.ID, s.Type, s.Value
		}
		if s.Time.Before(g.First) {
			g.First = s.Time
		}
	}
	out := make([]store.Group, 0, len(bySig))
	for _, g := range bySig {
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b store.Group) int { return b.Count - a.Count })
	return out[:min(len(out), q.PageSize())]
}
