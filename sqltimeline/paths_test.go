package sqltimeline

import (
	"context"
	"database/sql"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type pathCase struct {
	name      string
	open      func(t *testing.T) *sql.DB
	category  string
	exec      string // takes one argument
	query     string // returns at least one row of two columns
	queryRows int
}

func pathCases() []pathCase {
	return []pathCase{
		{
			name:     "minimal",
			open:     func(t *testing.T) *sql.DB { db, _ := openMem(t, false, true, nil); return db },
			category: "SQL-mem", exec: "insert one", query: "rows 2 of t", queryRows: 2,
		},
		{
			name:     "full",
			open:     func(t *testing.T) *sql.DB { db, _ := openMem(t, true, true, nil); return db },
			category: "SQL-mem", exec: "insert one", query: "rows 2 of t", queryRows: 2,
		},
		{
			name: "sqlite",
			open: func(t *testing.T) *sql.DB {
				db := openSQLite(t, true, nil)
				_, err := db.Exec(`INSERT INTO t(name) VALUES ('a'), ('b')`)
				require.NoError(t, err)
				return db
			},
			category: "SQL-sqlite", exec: "INSERT INTO t(name) VALUES (?)", query: "SELECT id, name FROM t ORDER BY id LIMIT 2", queryRows: 2,
		},
	}
}

// TestOneEntryPerStatement runs every path of database/sql once and checks
// that each left exactly one entry, with the statement as written.
func TestOneEntryPerStatement(t *testing.T) {
	for _, tc := range pathCases() {
		t.Run(tc.name, func(t *testing.T) {
			db := tc.open(t)
			ctx, tl := traced()
			scan := func(rows *sql.Rows, err error) {
				t.Helper()
				require.NoError(t, err)
				n := 0
				for rows.Next() {
					var id int64
					var name string
					require.NoError(t, rows.Scan(&id, &name))
					n++
				}
				require.NoError(t, rows.Err())
				require.NoError(t, rows.Close())
				assert.Equal(t, tc.queryRows, n)
			}
			exec := func(_ sql.Result, err error) { t.Helper(); require.NoError(t, err) }

			// DB
			exec(db.ExecContext(ctx, tc.exec, "x"))
			scan(db.QueryContext(ctx, tc.query))
			var id int64
			var name string
			require.NoError(t, db.QueryRowContext(ctx, tc.query).Scan(&id, &name))

			// Conn
			conn, err := db.Conn(ctx)
			require.NoError(t, err)
			exec(conn.ExecContext(ctx, tc.exec, "x"))
			scan(conn.QueryContext(ctx, tc.query))
			require.NoError(t, conn.Close())

			// Tx, committed and rolled back
			tx, err := db.BeginTx(ctx, nil)
			require.NoError(t, err)
			exec(tx.ExecContext(ctx, tc.exec, "x"))
			scan(tx.QueryContext(ctx, tc.query))
			require.NoError(t, tx.Commit())
			tx, err = db.BeginTx(ctx, nil)
			require.NoError(t, err)
			require.NoError(t, tx.Rollback())

			// Prepared statements: preparing records nothing, each run one entry.
			st, err := db.PrepareContext(ctx, tc.exec)
			require.NoError(t, err)
			exec(st.ExecContext(ctx, "x"))
			exec(st.ExecContext(ctx, "y"))
			require.NoError(t, st.Close())
			st, err = db.PrepareContext(ctx, tc.query)
			require.NoError(t, err)
			scan(st.QueryContext(ctx))
			require.NoError(t, st.Close())

			// A statement prepared in a transaction.
			tx, err = db.BeginTx(ctx, nil)
			require.NoError(t, err)
			st, err = tx.PrepareContext(ctx, tc.exec)
			require.NoError(t, err)
			exec(st.ExecContext(ctx, "x"))
			require.NoError(t, tx.Commit())

			c := tc.category + ": "
			assert.Equal(t, []string{
				c + tc.exec, c + tc.query, c + tc.query,
				c + tc.exec, c + tc.query,
				c + "BEGIN", c + tc.exec, c + tc.query, c + "COMMIT",
				c + "BEGIN", c + "ROLLBACK",
				c + tc.exec, c + tc.exec, c + tc.query,
				c + "BEGIN", c + tc.exec, c + "COMMIT",
			}, details(tl))
		})
	}
}

// TestNoTimelineRecordsNothing: without a timeline in ctx the wrapper only
// forwards.
func TestNoTimelineRecordsNothing(t *testing.T) {
	db, _ := openMem(t, true, true, nil)
	ctx := context.Background()
	_, err := db.ExecContext(ctx, "insert")
	require.NoError(t, err)
	rows, err := db.QueryContext(ctx, "rows 3")
	require.NoError(t, err)
	n := 0
	for rows.Next() {
		n++
	}
	require.NoError(t, rows.Close())
	assert.Equal(t, 3, n)
	tx, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	require.NoError(t, tx.Commit())
}

// TestErrSkipNeverRecorded: a driver whose fast path answers driver.ErrSkip
// (as go-sql-driver/mysql does for arguments without interpolation) makes
// database/sql prepare and run the statement instead. That is one statement:
// one entry, started when the fast path was tried, with no error.
func TestErrSkipNeverRecorded(t *testing.T) {
	db, _ := openMem(t, true, true, nil)
	ctx, tl := traced()

	_, err := db.ExecContext(ctx, "skip insert", 1)
	require.NoError(t, err)
	rows, err := db.QueryContext(ctx, "skip rows", 1)
	require.NoError(t, err)
	assert.Equal(t, []string{"SQL-mem: skip insert", "SQL-mem: skip rows (unfinished)"}, details(tl),
		"the query's entry stays open while its rows are")
	require.NoError(t, rows.Close())

	// Through a Conn and a Tx too.
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	_, err = conn.ExecContext(ctx, "skip conn")
	require.NoError(t, err)
	require.NoError(t, conn.Close())
	tx, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	_, err = tx.ExecContext(ctx, "skip tx")
	require.NoError(t, err)
	require.NoError(t, tx.Rollback())

	assert.Equal(t, []string{
		"SQL-mem: skip insert", "SQL-mem: skip rows",
		"SQL-mem: skip conn",
		"SQL-mem: BEGIN", "SQL-mem: skip tx", "SQL-mem: ROLLBACK",
	}, details(tl))
	for _, e := range tl.Entries() {
		assert.NoError(t, e.Err)
	}
}

// TestErrorsRecorded: a failing statement's entry carries its error, whether
// it failed at once, while its rows were read, or when it was prepared.
func TestErrorsRecorded(t *testing.T) {
	for _, full := range []bool{false, true} {
		name := map[bool]string{false: "minimal", true: "full"}[full]
		t.Run(name, func(t *testing.T) {
			db, _ := openMem(t, full, true, nil)
			ctx, tl := traced()

			_, err := db.ExecContext(ctx, "fail exec")
			require.ErrorIs(t, err, errBoom)
			_, err = db.QueryContext(ctx, "fail query")
			require.ErrorIs(t, err, errBoom)

			rows, err := db.QueryContext(ctx, "midfail")
			require.NoError(t, err)
			for rows.Next() {
			}
			require.ErrorIs(t, rows.Err(), errBoom)
			require.NoError(t, rows.Close())

			_, err = db.ExecContext(ctx, "badprep exec")
			if full {
				// The full driver's fast path never prepares.
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, errBoom)
			}
			_, err = db.PrepareContext(ctx, "badprep explicit")
			require.ErrorIs(t, err, errBoom)

			want := []string{
				"SQL-mem: fail exec !boom",
				"SQL-mem: fail query !boom",
				"SQL-mem: midfail !boom",
			}
			if full {
				want = append(want, "SQL-mem: badprep exec")
			} else {
				want = append(want, "SQL-mem: badprep exec !boom")
			}
			want = append(want, "SQL-mem: badprep explicit !boom")
			assert.Equal(t, want, details(tl))
		})
	}
}

// TestQueryEntryEndsAtClose: iteration time belongs to the query.
func TestQueryEntryEndsAtClose(t *testing.T) {
	db := openSQLite(t, true, nil)
	ctx, tl := traced()
	rows, err := db.QueryContext(ctx, "SELECT 1 UNION ALL SELECT 2")
	require.NoError(t, err)
	require.True(t, rows.Next())
	assert.Equal(t, []string{"SQL-sqlite: SELECT 1 UNION ALL SELECT 2 (unfinished)"}, details(tl))
	for rows.Next() {
	}
	require.NoError(t, rows.Close())
	assert.Equal(t, []string{"SQL-sqlite: SELECT 1 UNION ALL SELECT 2"}, details(tl))
}
