package analysis_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/analysis"
	"github.com/oops-go/oops/sqltimeline"
	"github.com/oops-go/oops/timeline"
)

// shop opens a wrapped SQLite database with orders and their lines.
func shop(t testing.TB) *sql.DB {
	db, err := sqltimeline.Open("sqlite", filepath.Join(t.TempDir(), "shop.db"), nil)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	ctx := context.Background() // no timeline: the set-up is not recorded
	_, err = db.ExecContext(ctx, `CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT NOT NULL)`)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `CREATE TABLE lines (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL, item TEXT NOT NULL)`)
	require.NoError(t, err)
	for i := 1; i <= 12; i++ {
		_, err = db.ExecContext(ctx, `INSERT INTO orders (id, customer) VALUES (?, ?)`, i, "ann")
		require.NoError(t, err)
		_, err = db.ExecContext(ctx, `INSERT INTO lines (order_id, item) VALUES (?, 'pen'), (?, 'ink')`, i, i)
		require.NoError(t, err)
	}
	return db
}

// record runs fn with a fresh timeline and returns the report it makes.
func record(t testing.TB, fn func(ctx context.Context)) *oops.Report {
	tl := timeline.New()
	fn(timeline.NewContext(context.Background(), tl))
	return &oops.Report{ID: oops.NewID(), Duration: -1, Timeline: oops.FlattenTimeline(tl)}
}

func ids(t testing.TB, ctx context.Context, db *sql.DB) []int {
	rows, err := db.QueryContext(ctx, `SELECT id FROM orders WHERE customer = 'ann' ORDER BY id`)
	require.NoError(t, err)
	defer rows.Close()
	var out []int
	for rows.Next() {
		var id int
		require.NoError(t, rows.Scan(&id))
		out = append(out, id)
	}
	require.NoError(t, rows.Err())
	return out
}

func TestPerRowLoopIsNPlusOne(t *testing.T) {
	db := shop(t)
	r := record(t, func(ctx context.Context) {
		for _, id := range ids(t, ctx, db) {
			// Literals inline, as code that formats its SQL does: the
			// texts differ, their normalised text does not.
			var n int
			require.NoError(t, db.QueryRowContext(ctx,
				`SELECT count(*) FROM lines WHERE order_id = `+itoa(id)).Scan(&n))
		}
		var n int
		require.NoError(t, db.QueryRowContext(ctx, `SELECT count(*) FROM orders`).Scan(&n))
	})
	require.Len(t, r.Timeline, 14)
	a := analysis.Of(r, nil)
	assert.Equal(t, 14, a.Statements)
	require.Len(t, a.NPlusOne, 1)
	run := a.NPlusOne[0]
	assert.Equal(t, 0, run.Source)
	assert.Equal(t, 12, run.Count)
	assert.Equal(t, 1, run.First)
	assert.Equal(t, 12, run.Last)
	assert.Equal(t, "SELECT count(*) FROM lines WHERE order_id = ?", run.Normalized)
	assert.Equal(t, "SQL-sqlite", run.Category)
	var total time.Duration
	for i := 1; i <= 12; i++ {
		total += r.Timeline[i].End - r.Timeline[i].Start
		assert.Equal(t, 0, a.Entries[i].NPlusOne)
	}
	assert.Equal(t, total, run.Total)
	assert.Positive(t, run.Total, "microsecond offsets: a fast statement is not 0")
	assert.Equal(t, 0, a.Entries[0].Source)
	assert.Equal(t, -1, a.Entries[13].NPlusOne)

	require.Len(t, a.Repeated, 1)
	rp := a.Repeated[0]
	assert.Equal(t, 12, rp.Count)
	assert.Equal(t, total, rp.Total)
	assert.Equal(t, total/12, rp.Mean)
	assert.Equal(t, total-total/12, rp.Saved)
	assert.Len(t, a.Longest, analysis.DefaultLongest)
	for k := 1; k < len(a.Longest); k++ {
		assert.GreaterOrEqual(t, a.Longest[k-1].Duration, a.Longest[k].Duration)
	}
}

func TestBatchedQueryIsNotNPlusOne(t *testing.T) {
	db := shop(t)
	r := record(t, func(ctx context.Context) {
		ids := ids(t, ctx, db)
		rows, err := db.QueryContext(ctx, `SELECT order_id, count(*) FROM lines WHERE order_id IN (`+list(ids)+`) GROUP BY order_id`)
		require.NoError(t, err)
		for rows.Next() {
		}
		require.NoError(t, rows.Close())
	})
	a := analysis.Of(r, nil)
	assert.Equal(t, 2, a.Statements)
	assert.Empty(t, a.NPlusOne)
	assert.Empty(t, a.Repeated)
}

func TestRunWithoutSourceOrTooShortIsNotNPlusOne(t *testing.T) {
	db := shop(t)
	r := record(t, func(ctx context.Context) {
		for i := 1; i <= 6; i++ { // no source before it
			_, err := db.ExecContext(ctx, `UPDATE orders SET customer = ? WHERE id = ?`, "bob", i)
			require.NoError(t, err)
		}
		var n int
		require.NoError(t, db.QueryRowContext(ctx, `SELECT count(*) FROM orders`).Scan(&n))
		for i := 1; i <= 4; i++ { // a source, but four repeats
			_, err := db.ExecContext(ctx, `DELETE FROM lines WHERE id = ?`, i)
			require.NoError(t, err)
		}
	})
	a := analysis.Of(r, nil)
	assert.Empty(t, a.NPlusOne)
	assert.Len(t, a.Repeated, 2)
	a = analysis.Of(r, &analysis.Options{NPlusOne: analysis.NPlusOneRule{MinRepeats: 4}})
	require.Len(t, a.NPlusOne, 1)
	assert.Equal(t, 6, a.NPlusOne[0].Source)
	a = analysis.Of(r, &analysis.Options{NPlusOne: analysis.NPlusOneRule{MinRepeats: 4, MinTotal: time.Hour}})
	assert.Empty(t, a.NPlusOne, "below the time threshold")
}

func TestTimes(t *testing.T) {
	ms := time.Millisecond
	r := &oops.Report{Duration: 0.1, Timeline: []oops.TimelineEntry{
		{Start: 0, End: 10 * ms, Category: "SQL-main", Detail: "SELECT 1"},
		{Start: 5 * ms, End: 15 * ms, Category: "SQL-main", Detail: "SELECT 2"}, // in parallel
		{Start: 20 * ms, End: 30 * ms, Category: "http-GET", Detail: "https://x"},
		{Start: 40 * ms, End: 41 * ms, Category: "SQL", Detail: "SELECT 'a'"},
		{Start: 50 * ms, End: 45 * ms, Category: "SQL-main", Detail: "bad entry"},
	}}
	a := analysis.Of(r, &analysis.Options{Longest: 2})
	assert.Equal(t, 100*ms, a.Total)
	assert.Equal(t, 21*ms, a.SQL)
	assert.Equal(t, 100*ms-16*ms, a.Other)
	assert.Equal(t, 4, a.Statements)
	assert.Equal(t, []analysis.Statement{{Index: 0, Duration: 10 * ms}, {Index: 1, Duration: 10 * ms}}, a.Longest)
	assert.True(t, a.Entries[0].Longest)
	assert.False(t, a.Entries[2].SQL)
	require.Len(t, a.Repeated, 1, "SELECT 1, SELECT 2 and SELECT 'a' normalise alike, but SELECT 'a' is another database")
	assert.Equal(t, []int{0, 1}, a.Repeated[0].Indexes)

	r.Duration = -1
	assert.Equal(t, 50*ms, analysis.Of(r, nil).Total, "the timeline's end")
	assert.Empty(t, analysis.Of(r, &analysis.Options{NoLongest: true}).Longest)
	assert.Zero(t, analysis.Of(nil, nil).Statements)
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"select * from t where id=7":                   "SELECT * FROM t WHERE id = ?",
		"SELECT name FROM users WHERE id IN (1, 2, 3)": "SELECT name FROM users WHERE id IN (?)",
		"SELECT name FROM users WHERE id IN ($1,$2)":   "SELECT name FROM users WHERE id IN (?)",
		"SELECT a FROM t2 WHERE b = 'it''s' /* c */":   "SELECT a FROM t2 WHERE b = ?",
		"UPDATE t SET done = true, x = NULL":           "UPDATE t SET done = ?, x = ?",
		"  ":                                           "",
		"SELECT count(*) FROM lines l WHERE l.order_id=?2 AND y = :n AND z=@p1": "SELECT count(*) FROM lines l WHERE l.order_id = ? AND y = ? AND z = ?",
		"insert into t (a,b) values (1,'x'),(2,'y'), (3, 'z')":                  "INSERT INTO t (a, b) VALUES (?)",
		"SELECT x::int FROM \"T\" WHERE a.b IN ( 1 ,2 ) -- why\n LIMIT 10":      "SELECT x::int FROM \"T\" WHERE a.b IN (?) LIMIT ?",
		"SELECT 'unterminated": "SELECT ?",
	} {
		assert.Equal(t, want, analysis.Normalize(in), in)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func list(ids []int) string {
	s := ""
	for i, id := range ids {
		if i > 0 {
			s += ", "
		}
		s += itoa(id)
	}
	return s
}

// A viewer's copy keeps the timeline's shape without statement texts:
// nothing is repeated, no N+1 is claimed, the times stay.
func TestStatementsWithoutText(t *testing.T) {
	db := shop(t)
	r := record(t, func(ctx context.Context) {
		for _, id := range ids(t, ctx, db) {
			var n int
			require.NoError(t, db.QueryRowContext(ctx, `SELECT count(*) FROM lines WHERE order_id = ?`, id).Scan(&n))
		}
	})
	full := analysis.Of(r, nil)
	require.Len(t, full.NPlusOne, 1)
	for i := range r.Timeline {
		r.Timeline[i].Detail = ""
	}
	a := analysis.Of(r, nil)
	assert.Equal(t, full.Statements, a.Statements)
	assert.Equal(t, full.SQL, a.SQL)
	assert.Empty(t, a.Repeated)
	assert.Empty(t, a.NPlusOne)
	assert.Len(t, a.Longest, analysis.DefaultLongest)
}
