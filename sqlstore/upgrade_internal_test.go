package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/store"
)

// makeV1 makes a database at schema version 1, as the previous release
// left it, holding reports.
func makeV1(t *testing.T, d Dialect, driver, dsn string, reports []*oops.Report) {
	t.Helper()
	ctx := context.Background()
	db, err := sql.Open(driver, dsn)
	require.NoError(t, err)
	defer db.Close()
	ms, err := migrations(d)
	require.NoError(t, err)
	require.Equal(t, 1, ms[0].version)
	s := &Store{dialect: d, opts: options(nil)}
	_, err = db.ExecContext(ctx, createVersionTable)
	require.NoError(t, err)
	for _, stmt := range statements(ms[0].sql) {
		_, err := db.ExecContext(ctx, stmt)
		require.NoError(t, err)
	}
	_, err = db.ExecContext(ctx, s.rebind("INSERT INTO oops_schema_version (version, name, applied_ns) VALUES (?, ?, ?)"), 1, ms[0].name, 1)
	require.NoError(t, err)
	for _, r := range reports {
		rw, err := s.row(r)
		require.NoError(t, err)
		var rid int64
		require.NoError(t, db.QueryRowContext(ctx, s.rebind(upsertSQL), rw.args()...).Scan(&rid))
		_, err = db.ExecContext(ctx, s.rebind(upsertBodySQL), rid, rw.report)
		require.NoError(t, err)
	}
}

// TestUpgradeFromVersion1 opens a database of schema version 1 that holds
// reports: migration 0002 counts them into the group summaries, so that
// Groups answers as store.Grouper over them, and what is published next is
// counted with them.
func TestUpgradeFromVersion1(t *testing.T) {
	day := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(8, 9))
	var reports []*oops.Report
	for range 300 {
		r := benchReport(rng, day.Add(time.Duration(rng.Int64N(int64(50*time.Hour)))))
		if rng.IntN(4) == 0 {
			r.Signature = ""
		}
		reports = append(reports, r)
	}
	for _, c := range []struct {
		name   string
		d      Dialect
		driver string
		dsn    func(testing.TB) string // given the subtest, which a skip ends
	}{
		{"sqlite", SQLite, "sqlite", func(t testing.TB) string { return filepath.Join(t.TempDir(), "v1.db") }},
		{"postgres", PostgreSQL, "pgx", benchPostgres},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			dsn := c.dsn(t)
			makeV1(t, c.d, c.driver, dsn, reports[:250])
			s, err := Open(ctx, c.driver, dsn, nil)
			require.NoError(t, err)
			defer s.Close()
			v, err := s.Version(ctx)
			require.NoError(t, err)
			assert.Equal(t, 2, v)
			for _, r := range reports[250:] {
				_, err := s.Publish(ctx, r)
				require.NoError(t, err)
			}
			for i, q := range []store.Query{
				{},
				{From: day.Add(24 * time.Hour), To: day.Add(48 * time.Hour)},
				{From: day.Add(5*time.Hour + time.Minute), To: day.Add(30 * time.Hour)},
				{Signature: "sig0001", Limit: 3},
			} {
				var g store.Grouper
				for _, r := range reports {
					if sum := store.SummaryOf(r); q.Matches(sum) {
						g.Add(sum)
					}
				}
				got, err := s.Groups(ctx, q)
				require.NoError(t, err)
				assert.Equal(t, g.Groups(q.Limit), got, fmt.Sprintf("query %d: %+v", i, q))
			}
			got, err := s.Get(ctx, reports[0].ID)
			require.NoError(t, err)
			assert.Equal(t, reports[0].ID, got.ID)
		})
	}
}
