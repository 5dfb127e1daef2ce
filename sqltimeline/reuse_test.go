package sqltimeline

import (
	"context"
	"database/sql"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReusedWrappers: a conn reuses its statement and rows wrappers, so
// overlapping rows, a prepared statement kept open while others come and go,
// and a failed query followed by good ones on the same conn must each still
// be their own entry with their own outcome.
func TestReusedWrappers(t *testing.T) {
	for _, tc := range []struct {
		name string
		full bool
	}{{"minimal", false}, {"full", true}} {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := openMem(t, tc.full, true, nil)
			ctx, tl := traced()
			conn, err := db.Conn(ctx)
			require.NoError(t, err)
			defer conn.Close()

			count := func(rows *sql.Rows) (n int) {
				t.Helper()
				for rows.Next() {
					n++
				}
				return n
			}

			// A failing query, then a good one: the error stays on the first.
			rows, err := conn.QueryContext(ctx, "midfail 1")
			require.NoError(t, err)
			assert.Equal(t, 1, count(rows))
			assert.ErrorIs(t, rows.Err(), errBoom)
			require.NoError(t, rows.Close())
			rows, err = conn.QueryContext(ctx, "rows 2 a")
			require.NoError(t, err)
			assert.Equal(t, 2, count(rows))
			require.NoError(t, rows.Close())

			// Overlapping rows on one conn, closed out of order.
			r1, err := conn.QueryContext(ctx, "rows 1 b")
			require.NoError(t, err)
			r2, err := conn.QueryContext(ctx, "rows 3 c")
			require.NoError(t, err)
			r3, err := conn.QueryContext(ctx, "rows 2 d")
			require.NoError(t, err)
			assert.Equal(t, 3, count(r2))
			require.NoError(t, r2.Close())
			r4, err := conn.QueryContext(ctx, "rows 1 e")
			require.NoError(t, err)
			assert.Equal(t, 1, count(r1))
			assert.Equal(t, 2, count(r3))
			assert.Equal(t, 1, count(r4))
			require.NoError(t, r1.Close())
			require.NoError(t, r3.Close())
			require.NoError(t, r4.Close())
			// A closed Rows stays closed while its wrapper serves another query.
			r5, err := conn.QueryContext(ctx, "rows 1 f")
			require.NoError(t, err)
			_, err = r1.Columns()
			assert.Error(t, err)
			assert.False(t, r1.Next())
			assert.Equal(t, 1, count(r5))
			require.NoError(t, r5.Close())

			// A prepared statement kept open while statements come and go.
			st, err := conn.PrepareContext(ctx, "update kept")
			require.NoError(t, err)
			_, err = conn.ExecContext(ctx, "update other", 1)
			require.NoError(t, err)
			_, err = st.ExecContext(ctx, 1)
			require.NoError(t, err)
			_, err = conn.ExecContext(ctx, "fail now")
			assert.ErrorIs(t, err, errBoom)
			_, err = st.ExecContext(ctx, 2)
			require.NoError(t, err)
			require.NoError(t, st.Close())
			_, err = conn.ExecContext(ctx, "update last", 1)
			require.NoError(t, err)

			assert.Equal(t, []string{
				"SQL-mem: midfail 1 !boom",
				"SQL-mem: rows 2 a",
				"SQL-mem: rows 1 b",
				"SQL-mem: rows 3 c",
				"SQL-mem: rows 2 d",
				"SQL-mem: rows 1 e",
				"SQL-mem: rows 1 f",
				"SQL-mem: update other",
				"SQL-mem: update kept",
				"SQL-mem: fail now !boom",
				"SQL-mem: update kept",
				"SQL-mem: update last",
			}, details(tl))
			for _, e := range tl.Entries() {
				assert.False(t, e.Unfinished, e.Detail)
			}
		})
	}
}

// TestReusedWrappersNoTimeline: statements run without a timeline between
// recorded ones on the same conn leave nothing, and leave the recorded ones
// whole.
func TestReusedWrappersNoTimeline(t *testing.T) {
	db, _ := openMem(t, false, true, nil)
	db.SetMaxOpenConns(1)
	ctx, tl := traced()
	for i := range 3 {
		c := ctx
		if i == 1 {
			c = context.Background()
		}
		rows, err := db.QueryContext(c, "rows 1")
		require.NoError(t, err)
		require.NoError(t, rows.Close())
		_, err = db.ExecContext(c, "update")
		require.NoError(t, err)
	}
	assert.Equal(t, []string{"SQL-mem: rows 1", "SQL-mem: update", "SQL-mem: rows 1", "SQL-mem: update"}, details(tl))
}

// TestReusedRowsTakeEachQuerysContext: a conn's spare rows wrapper keeps the
// context of its last query until the next one; a query of another request
// must be judged by its own context when its rows close early (canceled:
// the entry records the context's error; live: no error), whichever
// context the spare held before.
func TestReusedRowsTakeEachQuerysContext(t *testing.T) {
	for _, full := range []bool{false, true} {
		synctest.Test(t, func(t *testing.T) {
			db, _ := openMem(t, full, true, nil)
			db.SetMaxOpenConns(1)
			read := func(ctx context.Context, cancel func()) error {
				t.Helper()
				rows, err := db.QueryContext(ctx, "rows 3")
				require.NoError(t, err)
				require.True(t, rows.Next())
				if cancel != nil {
					cancel()
					synctest.Wait() // database/sql's watcher has closed the rows
					for rows.Next() {
					}
				}
				require.NoError(t, rows.Close())
				return rows.Err()
			}
			ctx1, tl1 := traced()
			ctx2, tl2 := traced()
			ctx2, cancel := context.WithCancel(ctx2)
			assert.NoError(t, read(ctx1, nil))
			assert.ErrorIs(t, read(ctx2, cancel), context.Canceled)
			assert.NoError(t, read(ctx1, nil))
			es1, es2 := tl1.Entries(), tl2.Entries()
			require.Len(t, es1, 2)
			require.Len(t, es2, 1)
			assert.NoError(t, es1[0].Err)
			assert.NoError(t, es1[1].Err)
			assert.ErrorIs(t, es2[0].Err, context.Canceled)
			for _, e := range append(es1, es2...) {
				assert.False(t, e.Unfinished)
			}
		})
	}
}
