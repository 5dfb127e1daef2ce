package sqltimeline

import (
	"context"
	"database/sql"
	"testing"

	"github.com/jackc/pgx/v5/pgtype"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// openPostgres returns a DB on the test server through pgx's stdlib driver,
// wrapped when wrap is set.
func openPostgres(t *testing.T, wrap bool) *sql.DB {
	dsn := postgresDSN(t)
	var db *sql.DB
	if wrap {
		var err error
		db, err = Open("pgx", dsn, nil)
		require.NoError(t, err)
	} else {
		var err error
		db, err = sql.Open("pgx", dsn)
		require.NoError(t, err)
	}
	t.Cleanup(func() { db.Close() })
	require.NoError(t, db.Ping())
	return db
}

// TestPostgresArrays: pgx's CheckNamedValue lets []string and []int64
// through as they are; through the wrapper they still reach pgx, which
// encodes them as arrays, and they scan back.
func TestPostgresArrays(t *testing.T) {
	db := openPostgres(t, true)
	ctx, tl := traced()
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.ExecContext(ctx, `CREATE TEMP TABLE arrs (tags text[], ids bigint[])`)
	require.NoError(t, err)
	_, err = conn.ExecContext(ctx, `INSERT INTO arrs VALUES ($1, $2)`, []string{"a", "b,c", `"q"`}, []int64{1, 2, 1 << 40})
	require.NoError(t, err)

	// The same through a prepared statement.
	st, err := conn.PrepareContext(ctx, `INSERT INTO arrs VALUES ($1, $2)`)
	require.NoError(t, err)
	_, err = st.ExecContext(ctx, []string{"d"}, []int64{3})
	require.NoError(t, err)
	require.NoError(t, st.Close())

	m := pgtype.NewMap()
	rows, err := conn.QueryContext(ctx, `SELECT tags, ids FROM arrs WHERE $1::bigint = ANY(ids) OR $2::text = ANY(tags) ORDER BY cardinality(ids) DESC`, int64(2), "d")
	require.NoError(t, err)
	var got [][]string
	var gotIDs [][]int64
	for rows.Next() {
		var tags []string
		var ids []int64
		require.NoError(t, rows.Scan(m.SQLScanner(&tags), m.SQLScanner(&ids)))
		got = append(got, tags)
		gotIDs = append(gotIDs, ids)
	}
	require.NoError(t, rows.Err())
	require.NoError(t, rows.Close())
	assert.Equal(t, [][]string{{"a", "b,c", `"q"`}, {"d"}}, got)
	assert.Equal(t, [][]int64{{1, 2, 1 << 40}, {3}}, gotIDs)
	assert.Len(t, tl.Entries(), 4)
	for _, e := range tl.Entries() {
		assert.NoError(t, e.Err)
		assert.Equal(t, "SQL-pgx", e.Category)
	}
}

// TestColumnTypesSamePostgres: names, database type names, nullability,
// lengths, decimal sizes and scan types match the driver's own.
func TestColumnTypesSamePostgres(t *testing.T) {
	const q = `SELECT 1::int4 AS i, 'x'::varchar(10) AS v, 1.5::numeric(10,2) AS n, now() AS ts, ARRAY[1,2]::int8[] AS a, NULL::text AS z, true AS b`
	want := columnTypes(t, openPostgres(t, false), q)
	require.Len(t, want, 7)
	assert.Contains(t, want[1], "v VARCHAR")
	wrapped := openPostgres(t, true)
	assert.Equal(t, want, columnTypes(t, wrapped, q))

	// With a timeline in ctx the rows are wrapped: still the same.
	ctx, _ := traced()
	rows, err := wrapped.QueryContext(ctx, q)
	require.NoError(t, err)
	cts, err := rows.ColumnTypes()
	require.NoError(t, err)
	require.NoError(t, rows.Close())
	var names []string
	for _, ct := range cts {
		names = append(names, ct.DatabaseTypeName())
	}
	assert.Equal(t, []string{"INT4", "VARCHAR", "NUMERIC", "TIMESTAMPTZ", "_INT8", "TEXT", "BOOL"}, names)
}

// TestPostgresTxOptions: isolation and read-only reach PostgreSQL; a level
// pgx refuses fails the same way through the wrapper.
func TestPostgresTxOptions(t *testing.T) {
	plain := openPostgres(t, false)
	db := openPostgres(t, true)
	ctx, tl := traced()
	tx, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelSerializable, ReadOnly: true})
	require.NoError(t, err)
	var iso, ro string
	require.NoError(t, tx.QueryRowContext(ctx, `SHOW transaction_isolation`).Scan(&iso))
	require.NoError(t, tx.QueryRowContext(ctx, `SHOW transaction_read_only`).Scan(&ro))
	assert.Equal(t, "serializable", iso)
	assert.Equal(t, "on", ro)
	_, err = tx.ExecContext(ctx, `CREATE TEMP TABLE ro_check (x int)`)
	require.Error(t, err, "a read-only transaction refuses writes")
	require.NoError(t, tx.Rollback())
	assert.Equal(t, []string{
		"SQL-pgx: BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY",
		"SQL-pgx: SHOW transaction_isolation",
		"SQL-pgx: SHOW transaction_read_only",
		"SQL-pgx: CREATE TEMP TABLE ro_check (x int) !ERROR: cannot execute CREATE TABLE in a read-only transaction (SQLSTATE 25006)",
		"SQL-pgx: ROLLBACK",
	}, details(tl))

	for _, o := range txOptionCases {
		assert.Equal(t, beginOutcome(plain, ctx, o), beginOutcome(db, ctx, o), "%+v", o)
	}
	assert.Contains(t, beginOutcome(db, ctx, &sql.TxOptions{Isolation: sql.LevelLinearizable}), "unsupported isolation")
}

// TestPostgresPingAndBadConn: Ping reaches the server; a connection whose
// backend was killed is discarded (pgx's SessionResetter says ErrBadConn) and
// the next statement runs on a new one.
func TestPostgresPingAndBadConn(t *testing.T) {
	db := openPostgres(t, true)
	admin := openPostgres(t, false)
	db.SetMaxOpenConns(1)
	require.NoError(t, db.PingContext(context.Background()))

	var pid int
	require.NoError(t, db.QueryRow(`SELECT pg_backend_pid()`).Scan(&pid))
	_, err := admin.Exec(`SELECT pg_terminate_backend($1)`, pid)
	require.NoError(t, err)

	// The first use after the kill may fail (the client learns of it then);
	// database/sql must not keep the dead connection.
	var pid2 int
	err = db.QueryRow(`SELECT pg_backend_pid()`).Scan(&pid2)
	if err != nil {
		require.NoError(t, db.QueryRow(`SELECT pg_backend_pid()`).Scan(&pid2))
	}
	assert.NotEqual(t, pid, pid2)
	require.NoError(t, db.Ping())
}
