package sqltimeline

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"
)

// pgCode records PostgreSQL's SQLSTATE alone, as the package documentation
// suggests.
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return "SQLSTATE " + pe.Code
	}
	return "<redacted>"
}

// TestRedactErrorPostgres: PostgreSQL quotes the argument in its message
// even with Args off; RedactError keeps it out of the timeline, and the
// caller still gets the driver's error.
func TestRedactErrorPostgres(t *testing.T) {
	dsn := postgresDSN(t)
	const secret = "4111 1111 1111 1111"
	for _, redact := range []bool{false, true} {
		opts := &Options{}
		if redact {
			opts.RedactError = pgCode
		}
		db, err := Open("pgx", dsn, opts)
		require.NoError(t, err)
		defer db.Close()
		ctx, tl := traced()
		var n int
		err = db.QueryRowContext(ctx, `SELECT $1::text::int`, secret).Scan(&n)
		require.Error(t, err)
		assert.Contains(t, err.Error(), secret, "the caller's error is the driver's")
		entries := tl.Entries()
		require.NotEmpty(t, entries)
		got := entries[len(entries)-1]
		require.Error(t, got.Err)
		if redact {
			assert.Equal(t, "SQLSTATE 22P02", got.Err.Error())
			assert.NotContains(t, got.Detail, secret, "Args is off")
		} else {
			assert.Contains(t, got.Err.Error(), secret, "without the hook the value is in the timeline: the risk documented")
		}
	}
}

// TestRedactErrorEveryPath covers exec, query, prepared statements,
// transactions and a hook that panics, on SQLite.
func TestRedactErrorEveryPath(t *testing.T) {
	calls := 0
	db, err := Open("sqlite", "file:redact?mode=memory&cache=shared", &Options{RedactError: func(err error) string {
		calls++
		if calls == 3 {
			panic("broken hook")
		}
		return "redacted"
	}})
	require.NoError(t, err)
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx, tl := traced()
	_, err = db.ExecContext(ctx, `INSERT INTO nowhere VALUES ('secret-1')`)
	require.ErrorContains(t, err, "nowhere")
	_, err = db.QueryContext(ctx, `SELECT 'secret-2' FROM nowhere`)
	require.ErrorContains(t, err, "nowhere")
	_, err = db.PrepareContext(ctx, `SELECT 'secret-3' FROM nowhere`)
	require.Error(t, err)
	tx, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	_, err = tx.ExecContext(ctx, `UPDATE nowhere SET x = 'secret-4'`)
	require.Error(t, err)
	require.NoError(t, tx.Rollback())

	var texts []string
	for _, e := range tl.Entries() {
		if e.Err != nil {
			text := e.Err.Error()
			texts = append(texts, text)
			assert.NotContains(t, text, "nowhere")
		}
	}
	assert.Equal(t, []string{"redacted", "redacted", "<RedactError panicked: broken hook>", "redacted"}, texts)

	// Without a timeline nothing is recorded and the hook is not asked.
	before := calls
	_, err = db.ExecContext(context.Background(), `INSERT INTO nowhere VALUES (1)`)
	require.Error(t, err)
	assert.Equal(t, before, calls)
	var _ *sql.DB = db
}
