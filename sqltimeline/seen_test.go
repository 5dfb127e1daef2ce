package sqltimeline

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops/timeline"
)

// TestRowsCanceledBetweenRows: when the query's context ends while its rows
// are read, database/sql closes them and the application gets the context's
// error, although SQLite's Close returns nil; the entry records that error.
func TestRowsCanceledBetweenRows(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openSQLite(t, true, nil)
		ctx, tl := traced()
		ctx, cancel := context.WithCancel(ctx)
		rows, err := db.QueryContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 1000) SELECT i FROM n`)
		require.NoError(t, err)
		require.True(t, rows.Next())
		cancel()
		synctest.Wait() // database/sql's watcher has closed the rows
		for rows.Next() {
		}
		appErr := rows.Err()
		require.ErrorIs(t, appErr, context.Canceled, "what the application got")
		require.NoError(t, rows.Close())
		es := tl.Entries()
		require.Len(t, es, 1)
		assert.ErrorIs(t, es[0].Err, context.Canceled, "the entry records what the application saw")
		assert.False(t, es[0].Unfinished)
	})
}

// TestRowsReadToTheEndThenCanceled: rows read to their end are a success,
// whatever happens to the context afterwards; rows closed early by the
// application with a live context too.
func TestRowsReadToTheEndThenCanceled(t *testing.T) {
	db := openSQLite(t, true, nil)
	_, err := db.Exec(`INSERT INTO t(name) VALUES ('a'), ('b')`)
	require.NoError(t, err)
	ctx, tl := traced()
	ctx, cancel := context.WithCancel(ctx)
	rows, err := db.QueryContext(ctx, `SELECT name FROM t`)
	require.NoError(t, err)
	for rows.Next() {
	}
	require.NoError(t, rows.Err())
	cancel()
	require.NoError(t, rows.Close())

	rows, err = db.QueryContext(context.WithoutCancel(ctx), `SELECT name FROM t`)
	require.NoError(t, err)
	require.True(t, rows.Next())
	require.NoError(t, rows.Close())
	assert.Equal(t, []string{"SQL-sqlite: SELECT name FROM t", "SQL-sqlite: SELECT name FROM t"}, details(tl))
}

type unsupported struct{ X int }

// TestRefusedArgumentsRecorded: when database/sql refuses a statement's
// arguments, the entry's error is the one the application got, on a driver
// without ExecerContext (prepared by database/sql), on one whose fast path
// answers driver.ErrSkip, and on a statement the application prepared.
// (database/sql converts the arguments of a driver's fast path before calling
// it, without a context: a refusal there is not recorded.)
func TestRefusedArgumentsRecorded(t *testing.T) {
	cases := []struct {
		name  string
		full  bool
		query string
		args  []any
	}{
		{"no ExecerContext, bad type", false, "insert ?", []any{unsupported{1}}},
		{"no ExecerContext, too many", false, "insert ?", []any{1, 2}},
		{"no ExecerContext, too few", false, "insert ?, ?", []any{1}},
		{"ErrSkip, too many", true, "skip insert ?", []any{1, 2}},
		{"ErrSkip, too few", true, "skip insert ?, ?", []any{[]string{"a"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db, _ := openMem(t, c.full, true, nil)
			for _, op := range []string{"exec", "query"} {
				ctx, tl := traced()
				var appErr error
				if op == "exec" {
					_, appErr = db.ExecContext(ctx, c.query, c.args...)
				} else {
					var rows *sql.Rows
					rows, appErr = db.QueryContext(ctx, c.query, c.args...)
					if rows != nil {
						rows.Close()
					}
				}
				require.Error(t, appErr, op)
				es := tl.Entries()
				require.Len(t, es, 1, "%s: one entry: %v", op, details(tl))
				assert.Equal(t, c.query, es[0].Detail)
				require.Error(t, es[0].Err, op)
				assert.Equal(t, appErr.Error(), es[0].Err.Error(), op)
				assert.False(t, es[0].Unfinished)
			}

			// A statement the application prepared.
			ctx, tl := traced()
			st, err := db.PrepareContext(ctx, c.query)
			require.NoError(t, err)
			_, appErr := st.ExecContext(ctx, c.args...)
			require.Error(t, appErr)
			_, err = st.ExecContext(ctx, make([]any, max(1, len(c.args)-1))...) // may or may not fit
			require.NoError(t, st.Close())
			es := tl.Entries()
			require.NotEmpty(t, es)
			assert.Equal(t, appErr.Error(), es[0].Err.Error())
			if err == nil {
				require.Len(t, es, 2)
				assert.NoError(t, es[1].Err)
			}
		})
	}
}

// TestCheckerAsDatabaseSQL: the wrapped statement converts as database/sql
// does without the wrapper, column converter and Valuers included.
func TestCheckerAsDatabaseSQL(t *testing.T) {
	cc := &conn{cfg: newConfig("x", nil)}
	s := newStmt(context.Background(), &convertingStmt{memStmt{query: "q ?"}}, cc, "q ?", timeline.Action{})
	ch := s.(driver.NamedValueChecker)
	assert.Equal(t, 1, s.NumInput())
	nv := &driver.NamedValue{Ordinal: 1, Value: "12"}
	require.NoError(t, ch.CheckNamedValue(nv))
	assert.Equal(t, int64(12), nv.Value, "the column converter ran")
	nv = &driver.NamedValue{Ordinal: 1, Value: "twelve"}
	assert.Error(t, ch.CheckNamedValue(nv))
	nv = &driver.NamedValue{Ordinal: 1, Value: sql.NullInt64{Int64: 5, Valid: true}}
	require.NoError(t, ch.CheckNamedValue(nv))
	assert.Equal(t, int64(5), nv.Value)
	nv = &driver.NamedValue{Ordinal: 2, Value: "not checked"}
	require.NoError(t, ch.CheckNamedValue(nv), "beyond NumInput: left to the count check")
	require.NoError(t, s.Close())
}
