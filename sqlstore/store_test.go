package sqlstore_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/sqlstore"
	"github.com/oops-go/oops/store"
)

var day = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// report returns a report like a failed request's, i minutes into day.
func report(i int) *oops.Report {
	bt := "main.handler(...)\n\tmain.go:42\n"
	tl := make([]oops.TimelineEntry, 20)
	for j := range tl {
		tl[j] = oops.TimelineEntry{
			Start: time.Duration(j) * time.Millisecond, End: time.Duration(j)*time.Millisecond + 700*time.Microsecond,
			Category: "SQL-main", Detail: fmt.Sprintf("SELECT * FROM orders WHERE id = %d", j),
		}
	}
	tl[3].Backtrace = &bt
	tl[19].Category = "http-GET"
	return &oops.Report{
		ID: oops.NewID(), Type: "*pq.Error", Value: fmt.Sprintf("pq: deadlock detected (%d)", i),
		TBText: "main.handler(...)\n\tmain.go:42\n", Time: day.Add(time.Duration(i) * time.Minute),
		Hostname: "web-1", Reporter: "shop", Topic: "POST /orders", URL: "https://shop.example/orders",
		Username: "alice", ReqVars: map[string]string{"REQUEST_METHOD": "POST"}, Timeline: tl,
		Duration: 0.25, Level: "ERROR", Signature: "sig-deadlock", TraceID: "4bf92f3577b34da6a3ce929d0e0e4736",
		Extra: map[string]any{store.StatusKey: "500"},
	}
}

func TestPublishGet(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t, nil)
		r := report(1)
		ids, err := s.Publish(ctx, r)
		require.NoError(t, err)
		assert.Equal(t, []string{r.ID}, ids)

		got, err := s.Get(ctx, r.ID)
		require.NoError(t, err)
		assertSameReport(t, r, got)

		hex := strings.TrimPrefix(r.ID, "OOPS-")
		for _, pasted := range []string{
			hex, strings.ToUpper(r.ID), "  " + r.ID + "\n", "oops-" + strings.ToUpper(hex),
			"https://oops.example/oops/" + r.ID, "https://oops.example/reports/" + hex + "/",
		} {
			got, err := s.Get(ctx, pasted)
			if assert.NoError(t, err, pasted) {
				assert.Equal(t, r.ID, got.ID, pasted)
			}
		}
		_, err = s.Get(ctx, oops.NewID())
		assert.ErrorIs(t, err, store.ErrNotFound)
		_, err = s.Get(ctx, "'; DROP TABLE oops_reports; --")
		assert.ErrorIs(t, err, oops.ErrBadID)

		v, err := s.Version(ctx)
		require.NoError(t, err)
		assert.Equal(t, sqlstore.SchemaVersion, v)
	})
}

// assertSameReport checks that got is want as JSON carries it.
func assertSameReport(t *testing.T, want, got *oops.Report) {
	t.Helper()
	wb, err := json.Marshal(want)
	require.NoError(t, err)
	var w oops.Report
	require.NoError(t, json.Unmarshal(wb, &w))
	assert.Equal(t, &w, got)
	assert.True(t, want.Time.Equal(got.Time), "time keeps nanoseconds: %v, %v", want.Time, got.Time)
}

func TestRepublishUpdatesOneRow(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t, nil)
		r := report(1)
		r.Pending, r.Resource = true, "order/1"
		_, err := s.Publish(ctx, r)
		require.NoError(t, err)

		later := r.Clone()
		later.Pending, later.Revision = false, 1
		later.Timeline = append(later.Timeline, oops.TimelineEntry{Start: time.Second, End: time.Second, Category: "log-INFO", Detail: "after"})
		_, err = s.Publish(ctx, later)
		require.NoError(t, err)

		// A queue redelivers the first revision after the second.
		_, err = s.Publish(ctx, r)
		require.NoError(t, err)

		got, err := s.Get(ctx, r.ID)
		require.NoError(t, err)
		assert.Equal(t, 1, got.Revision)
		assert.False(t, got.Pending)
		assert.Len(t, got.Timeline, 21)

		page, err := s.List(ctx, store.Query{})
		require.NoError(t, err)
		assert.Len(t, page.Reports, 1)

		// The same revision again replaces (a redelivery of the same).
		again := later.Clone()
		again.Value = "replaced"
		_, err = s.Publish(ctx, again)
		require.NoError(t, err)
		got, err = s.Get(ctx, r.ID)
		require.NoError(t, err)
		assert.Equal(t, "replaced", got.Value)
		f, err := s.LatestFault(ctx, "order/1", store.Viewer)
		require.NoError(t, err)
		assert.Equal(t, "replaced", f.Message)
	})
}

// corpus publishes n varied reports and returns them.
func corpus(t *testing.T, s *sqlstore.Store, n int) []*oops.Report {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	topics := []string{"POST /orders", "GET /orders/{id}", "job:invoice", ""}
	sigs := []string{"sig-a", "sig-b", "sig-c", ""}
	types := []string{"*pq.Error", "*net.OpError", "ERROR"}
	var out []*oops.Report
	for i := range n {
		r := report(i)
		// Some reports share a time, so that the id orders them.
		r.Time = day.Add(time.Duration(rng.IntN(n/2+1)) * time.Minute)
		r.Topic = topics[rng.IntN(len(topics))]
		r.Signature = sigs[rng.IntN(len(sigs))]
		r.Type = types[rng.IntN(len(types))]
		r.Reporter = []string{"shop", "billing"}[rng.IntN(2)]
		r.URL = []string{"https://a/x", "https://a/y", ""}[rng.IntN(3)]
		r.Resource = []string{"", "order/1", "order/2"}[rng.IntN(3)]
		r.Value = []string{"Deadlock detected", "connection REFUSED 100%_done", "naïve ÉCOLE"}[rng.IntN(3)]
		r.Extra = map[string]any{store.StatusKey: []string{"500", "503", "404"}[rng.IntN(3)]}
		r.Timeline = r.Timeline[:rng.IntN(len(r.Timeline))]
		_, err := s.Publish(context.Background(), r)
		require.NoError(t, err)
		out = append(out, r)
	}
	return out
}

// expected lists what a scan of reports finds for q, by the store package's
// own rules (Query.Matches, Before).
func expected(reports []*oops.Report, q store.Query) []store.Summary {
	var out []store.Summary
	for _, r := range reports {
		if s := store.SummaryOf(r); q.Matches(s) {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b store.Summary) int {
		if store.Before(a, b) {
			return -1
		}
		return 1
	})
	return out
}

func listAll(t *testing.T, s *sqlstore.Store, q store.Query) []store.Summary {
	t.Helper()
	var all []store.Summary
	for range 1000 {
		page, err := s.List(context.Background(), q)
		require.NoError(t, err)
		assert.LessOrEqual(t, len(page.Reports), q.PageSize())
		all = append(all, page.Reports...)
		if page.Next == "" {
			return all
		}
		q.Cursor = page.Next
	}
	t.Fatal("pagination does not end")
	return nil
}

func TestListMatchesTheScanRules(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		s := b.open(t, nil)
		reports := corpus(t, s, 150)
		for i, q := range []store.Query{
			{},
			{Limit: 7},
			{Limit: 1},
			{From: day.Add(10 * time.Minute), To: day.Add(40 * time.Minute), Limit: 5},
			{Signature: "sig-a", Limit: 9},
			{Signature: "", Type: "*pq.Error"},
			{Topic: "GET /orders/{id}", Reporter: "billing", Limit: 3},
			{Resource: "order/2", Limit: 4},
			{Text: "deadlock"},
			{Text: "100%_"},
			{Text: "%"},
			{Text: "_"},
			{Text: "école"},
			{Text: "Naïve", Signature: "sig-c", Limit: 2},
			{Text: "no such text"},
		} {
			want := expected(reports, q)
			got := listAll(t, s, q)
			if len(want) == 0 {
				assert.Empty(t, got, "query %d", i)
				continue
			}
			assert.Equal(t, want, got, "query %d: %+v", i, q)
		}
		_, err := s.List(context.Background(), store.Query{Cursor: "garbage!"})
		assert.ErrorIs(t, err, store.ErrBadCursor)
	})
}

// expectedGroups groups reports as store.Grouper, the scanning stores'
// grouper, does.
func expectedGroups(reports []*oops.Report, q store.Query) []store.Group {
	var g store.Grouper
	for _, s := range expected(reports, q) {
		g.Add(s)
	}
	return g.Groups(q.Limit)
}

func TestGroups(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		s := b.open(t, nil)
		reports := corpus(t, s, 120)
		for i, q := range []store.Query{
			{},
			{From: day.Add(5 * time.Minute), To: day.Add(30 * time.Minute)},
			{Limit: 2},
			{Reporter: "shop", Text: "refused"},
			{Signature: "sig-b"},
			{Type: "ERROR", Limit: 3},
		} {
			got, err := s.Groups(context.Background(), q)
			require.NoError(t, err)
			assert.Equal(t, expectedGroups(reports, q), got, "query %d", i)
		}
	})
}

func TestPrune(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t, nil)
		old, recent := report(0), report(60)
		old.Resource, recent.Resource = "vm/1", "vm/2"
		for _, r := range []*oops.Report{old, recent} {
			_, err := s.Publish(ctx, r)
			require.NoError(t, err)
		}
		n, err := s.Prune(ctx, day.Add(30*time.Minute))
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		_, err = s.Get(ctx, old.ID)
		assert.ErrorIs(t, err, store.ErrNotFound)
		_, err = s.Get(ctx, recent.ID)
		assert.NoError(t, err)
		_, err = s.LatestFault(ctx, "vm/1", store.Admin)
		assert.ErrorIs(t, err, store.ErrNotFound)
		n, err = s.Prune(ctx, day.Add(30*time.Minute))
		require.NoError(t, err)
		assert.Zero(t, n)
	})
}

func TestOpenRefusesANewerSchema(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		if b.name == "sqlite-memory" {
			t.Skip("a memory database does not outlive its store")
		}
		ctx := context.Background()
		driver, dsn := b.dsn(t)
		s, err := sqlstore.Open(ctx, driver, dsn, nil)
		require.NoError(t, err)
		_, err = s.DB().ExecContext(ctx, "INSERT INTO oops_schema_version (version, name, applied_ns) VALUES (99, '0099_future.sql', 0)")
		require.NoError(t, err)
		require.NoError(t, s.Close())

		_, err = sqlstore.Open(ctx, driver, dsn, nil)
		require.ErrorIs(t, err, sqlstore.ErrSchemaTooNew)
		assert.Contains(t, err.Error(), "schema version 99")
	})
}

func TestUnknownDialect(t *testing.T) {
	_, err := sqlstore.Open(context.Background(), "sqlite", ":memory:", &sqlstore.Options{Dialect: "oracle"})
	assert.ErrorContains(t, err, "oracle")
}

func TestNewOnAnOpenDB(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		driver, dsn := b.dsn(t)
		db, err := sql.Open(driver, dsn)
		require.NoError(t, err)
		defer db.Close()
		db.SetMaxOpenConns(1) // one :memory: database
		s, err := sqlstore.New(context.Background(), db, nil)
		require.NoError(t, err)
		want := sqlstore.SQLite
		if driver == "pgx" {
			want = sqlstore.PostgreSQL
		}
		assert.Equal(t, want, s.Dialect())
		_, err = s.Publish(context.Background(), report(1))
		require.NoError(t, err)
		require.NoError(t, s.Close())
		assert.NoError(t, db.Ping(), "Close leaves the caller's database open")
	})
}
