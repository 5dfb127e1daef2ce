//lint:file-ignore SA1019 the tests check that deprecated driver interfaces are forwarded.

package sqltimeline

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops/timeline"
)

// TestRowsExposeExactInterfaces: for every combination of optional Rows
// interfaces, the wrapped rows implement exactly the inner rows' ones.
func TestRowsExposeExactInterfaces(t *testing.T) {
	tl := timeline.New()
	for m := 0; m < comboCount; m++ {
		inner := comboRows(m)
		require.NotNil(t, inner, "mask %d", m)
		w := newRows(inner, tl.Start("SQL", "q"))
		for i, check := range comboChecks {
			assert.Equal(t, check(inner), check(w), "mask %d interface %d", m, i)
			assert.Equal(t, m&(1<<i) != 0, check(w), "mask %d interface %d", m, i)
		}
		require.NoError(t, w.Close())
	}
}

func columnTypes(t *testing.T, db *sql.DB, query string, args ...any) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), query, args...)
	require.NoError(t, err)
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	require.NoError(t, err)
	var out []string
	for _, ct := range cts {
		nullable, nok := ct.Nullable()
		length, lok := ct.Length()
		prec, scale, pok := ct.DecimalSize()
		out = append(out, fmt.Sprintf("%s %s null=%v/%v len=%d/%v dec=%d,%d/%v scan=%v",
			ct.Name(), ct.DatabaseTypeName(), nullable, nok, length, lok, prec, scale, pok, ct.ScanType()))
	}
	return out
}

// TestColumnTypesSameSQLite: ColumnTypes are the driver's own through the
// wrapper, with and without a timeline.
func TestColumnTypesSameSQLite(t *testing.T) {
	const q = `SELECT id, name, score, data FROM t`
	plain := openSQLite(t, false, nil)
	wrapped := openSQLite(t, true, nil)
	want := columnTypes(t, plain, q)
	require.Len(t, want, 4)
	assert.Contains(t, want[1], "name TEXT", "the driver reports types, so the comparison means something")
	assert.Equal(t, want, columnTypes(t, wrapped, q))

	ctx, tl := traced()
	rows, err := wrapped.QueryContext(ctx, q)
	require.NoError(t, err)
	cts, err := rows.ColumnTypes()
	require.NoError(t, err)
	require.NoError(t, rows.Close())
	assert.Equal(t, "TEXT", cts[1].DatabaseTypeName())
	assert.Equal(t, []string{"SQL-sqlite: " + q}, details(tl))
}

// TestColumnTypesWithTimeline compares the wrapped rows (a timeline in ctx,
// so the rows are wrapped) with the driver's on the full memory driver.
func TestColumnTypesWithTimeline(t *testing.T) {
	plain, _ := openMem(t, true, false, nil)
	wrapped, _ := openMem(t, true, true, nil)
	ctx, _ := traced()
	get := func(db *sql.DB) []string {
		rows, err := db.QueryContext(ctx, "rows 1")
		require.NoError(t, err)
		defer rows.Close()
		cts, err := rows.ColumnTypes()
		require.NoError(t, err)
		var out []string
		for _, ct := range cts {
			_, lok := ct.Length()
			out = append(out, fmt.Sprintf("%s %s %v %v", ct.Name(), ct.DatabaseTypeName(), ct.ScanType(), lok))
		}
		return out
	}
	want := get(plain)
	assert.Equal(t, []string{"id BIGINT int64 false", "name TEXT string false"}, want)
	assert.Equal(t, want, get(wrapped))
}

// TestMultipleResultSets: NextResultSet reaches the driver; the statement is
// one entry that ends when the rows are closed.
func TestMultipleResultSets(t *testing.T) {
	db, _ := openMem(t, true, true, nil)
	ctx, tl := traced()
	rows, err := db.QueryContext(ctx, "multi")
	require.NoError(t, err)
	sets := 0
	for {
		for rows.Next() {
			var id int64
			var name string
			require.NoError(t, rows.Scan(&id, &name))
		}
		sets++
		if !rows.NextResultSet() {
			break
		}
	}
	require.NoError(t, rows.Err())
	require.NoError(t, rows.Close())
	assert.Equal(t, 2, sets)
	assert.Equal(t, []string{"SQL-mem: multi"}, details(tl))
}

var txOptionCases = []*sql.TxOptions{
	nil,
	{Isolation: sql.LevelSerializable},
	{ReadOnly: true},
	{Isolation: sql.LevelReadCommitted, ReadOnly: true},
	{Isolation: sql.LevelLinearizable},
}

func beginOutcome(db *sql.DB, ctx context.Context, opts *sql.TxOptions) string {
	tx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return "error: " + err.Error()
	}
	if err := tx.Rollback(); err != nil {
		return "rollback error: " + err.Error()
	}
	return "ok"
}

// TestTxOptions: isolation and read-only reach a driver with ConnBeginTx, and
// fail exactly as without the wrapper otherwise.
func TestTxOptions(t *testing.T) {
	t.Run("full", func(t *testing.T) {
		db, d := openMem(t, true, true, nil)
		ctx, tl := traced()
		for _, o := range txOptionCases[1:] {
			assert.Equal(t, "ok", beginOutcome(db, ctx, o))
		}
		assert.Equal(t, []driver.TxOptions{
			{Isolation: driver.IsolationLevel(sql.LevelSerializable)},
			{ReadOnly: true},
			{Isolation: driver.IsolationLevel(sql.LevelReadCommitted), ReadOnly: true},
			{Isolation: driver.IsolationLevel(sql.LevelLinearizable)},
		}, d.txOpts)
		assert.Equal(t, []string{
			"SQL-mem: BEGIN ISOLATION LEVEL SERIALIZABLE", "SQL-mem: ROLLBACK",
			"SQL-mem: BEGIN READ ONLY", "SQL-mem: ROLLBACK",
			"SQL-mem: BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY", "SQL-mem: ROLLBACK",
			"SQL-mem: BEGIN ISOLATION LEVEL LINEARIZABLE", "SQL-mem: ROLLBACK",
		}, details(tl))
	})
	t.Run("minimal", func(t *testing.T) {
		plain, _ := openMem(t, false, false, nil)
		wrapped, _ := openMem(t, false, true, nil)
		ctx, tl := traced()
		for _, o := range txOptionCases {
			want := beginOutcome(plain, ctx, o)
			assert.Equal(t, want, beginOutcome(wrapped, ctx, o), "%+v", o)
		}
		assert.Equal(t, "error: sql: driver does not support read-only transactions", beginOutcome(wrapped, ctx, &sql.TxOptions{ReadOnly: true}))
		// The refused BEGINs are recorded with their error.
		assert.Contains(t, details(tl), "SQL-mem: BEGIN READ ONLY !sql: driver does not support read-only transactions")
	})
	t.Run("sqlite", func(t *testing.T) {
		plain := openSQLite(t, false, nil)
		wrapped := openSQLite(t, true, nil)
		ctx, _ := traced()
		for _, o := range txOptionCases {
			want := beginOutcome(plain, ctx, o)
			assert.Equal(t, want, beginOutcome(wrapped, ctx, o), "%+v", o)
		}
	})
}

// TestPing: Ping reaches a driver that implements Pinger, and succeeds like
// database/sql's own when the driver does not.
func TestPing(t *testing.T) {
	db, d := openMem(t, true, true, nil)
	require.NoError(t, db.PingContext(context.Background()))
	assert.Equal(t, int64(1), d.pings.Load())

	minimal, _ := openMem(t, false, true, nil)
	require.NoError(t, minimal.Ping())
}

// TestBadConnsDiscarded: a connection the driver calls bad, through
// SessionResetter or Validator, is closed and replaced by database/sql.
func TestBadConnsDiscarded(t *testing.T) {
	use := func(db *sql.DB) {
		_, err := db.Exec("insert")
		require.NoError(t, err)
	}
	t.Run("SessionResetter", func(t *testing.T) {
		db, d := openMem(t, true, true, nil)
		use(db)
		use(db)
		require.Equal(t, int64(1), d.opened.Load(), "a healthy conn is reused")
		d.badReset.Store(true)
		use(db) // ResetSession says ErrBadConn: database/sql discards and opens another
		assert.Equal(t, int64(1), d.closed.Load())
		assert.GreaterOrEqual(t, d.opened.Load(), int64(2))
	})
	t.Run("Validator", func(t *testing.T) {
		db, d := openMem(t, true, true, nil)
		use(db)
		require.Equal(t, int64(0), d.closed.Load())
		d.invalid.Store(true)
		use(db) // IsValid false on return to the pool: closed
		assert.Equal(t, int64(1), d.closed.Load())
		use(db)
		assert.Equal(t, int64(2), d.opened.Load(), "the next use needed a new conn")
		assert.Equal(t, int64(2), d.closed.Load())
	})
}

// TestNamedValueChecker: the driver's checker decides what arguments it
// takes, through the wrapper as without it.
func TestNamedValueChecker(t *testing.T) {
	arr := []string{"a", "b"}
	t.Run("full", func(t *testing.T) {
		db, _ := openMem(t, true, true, nil)
		ctx, tl := traced()
		_, err := db.ExecContext(ctx, "insert", arr)
		require.NoError(t, err, "the driver's CheckNamedValue accepts []string")
		st, err := db.PrepareContext(ctx, "insert")
		require.NoError(t, err)
		_, err = st.ExecContext(ctx, arr)
		require.NoError(t, err, "and so does the prepared statement, which asks the conn")
		require.NoError(t, st.Close())
		assert.Len(t, tl.Entries(), 2)
	})
	t.Run("minimal", func(t *testing.T) {
		plain, _ := openMem(t, false, false, nil)
		wrapped, _ := openMem(t, false, true, nil)
		_, perr := plain.Exec("insert", arr)
		_, werr := wrapped.Exec("insert", arr)
		require.Error(t, perr, "the default converter refuses []string")
		require.Error(t, werr)
		assert.Equal(t, perr.Error(), werr.Error())
	})
}

// closingConnector is a memConnector with io.Closer.
type closingConnector struct {
	memConnector
	closed *bool
}

func (c closingConnector) Close() error { *c.closed = true; return nil }

// ctxDriver is a memDriver with DriverContext.
type ctxDriver struct{ *memDriver }

func (d ctxDriver) OpenConnector(string) (driver.Connector, error) {
	return memConnector{d.memDriver}, nil
}

// TestDriverAndConnectorInterfaces: DriverContext and the connector's
// io.Closer are there exactly when the wrapped ones have them, and forwarded.
func TestDriverAndConnectorInterfaces(t *testing.T) {
	d := &memDriver{}
	_, ok := WrapDriver("mem", d, nil).(driver.DriverContext)
	assert.False(t, ok)
	wd := WrapDriver("mem", ctxDriver{d}, nil)
	dc, ok := wd.(driver.DriverContext)
	require.True(t, ok)
	conn, err := dc.OpenConnector("")
	require.NoError(t, err)
	assert.Same(t, wd, conn.Driver())

	_, ok = WrapConnector("mem", memConnector{d}, nil).(io.Closer)
	assert.False(t, ok)
	closed := false
	wc := WrapConnector("mem", closingConnector{memConnector{d}, &closed}, nil)
	_, ok = wc.(io.Closer)
	require.True(t, ok)
	db := sql.OpenDB(wc)
	require.NoError(t, db.Ping())
	require.NoError(t, db.Close())
	assert.True(t, closed, "sql.DB.Close reached the connector")
}

func TestRegisterAndOpen(t *testing.T) {
	require.NoError(t, Register("sqltimeline-test-mem", &memDriver{full: true}, nil))
	err := Register("sqltimeline-test-mem", &memDriver{}, nil)
	require.Error(t, err, "a duplicate name is an error, not a panic")
	assert.Contains(t, err.Error(), "sqltimeline-test-mem")
	require.Error(t, Register("sqltimeline-test-nil", nil, nil))

	db, err := sql.Open("sqltimeline-test-mem", "")
	require.NoError(t, err)
	defer db.Close()
	ctx, tl := traced()
	_, err = db.ExecContext(ctx, "insert")
	require.NoError(t, err)
	assert.Equal(t, []string{"SQL-sqltimeline-test-mem: insert"}, details(tl))

	_, err = Open("no-such-driver", "", nil)
	require.ErrorContains(t, err, `unknown driver "no-such-driver"`)

	// Open on a driver without DriverContext.
	sql.Register("sqltimeline-test-plain", &memDriver{full: true})
	db2, err := Open("sqltimeline-test-plain", "", &Options{Category: "SQL-main"})
	require.NoError(t, err)
	defer db2.Close()
	_, err = db2.ExecContext(ctx, "update")
	require.NoError(t, err)
	assert.Equal(t, []string{"SQL-sqltimeline-test-mem: insert", "SQL-main: update"}, details(tl))
}

// TestRewrapReplacesOptions: wrapping a wrapped driver or connector wraps the
// original again with the new options, so no statement is recorded twice.
func TestRewrapReplacesOptions(t *testing.T) {
	ctx, tl := traced()
	d := &memDriver{full: true}
	w := WrapDriver("b", WrapDriver("a", d, nil), nil)
	c, err := w.Open("")
	require.NoError(t, err)
	_, err = c.(driver.ExecerContext).ExecContext(ctx, "insert", nil)
	require.NoError(t, err)

	wc := WrapConnector("d", WrapConnector("c", memConnector{d}, nil), nil)
	db := sql.OpenDB(wc)
	defer db.Close()
	_, err = db.ExecContext(ctx, "update")
	require.NoError(t, err)
	assert.Equal(t, []string{"SQL-b: insert", "SQL-d: update"}, details(tl))
}

// TestConnAndStmtInterfaces: the optional Conn interfaces database/sql uses
// on every statement, and ColumnConverter on a wrapped statement, are there
// exactly when the driver's are; a wrapped statement is always a
// NamedValueChecker.
func TestConnAndStmtInterfaces(t *testing.T) {
	checks := []func(any) bool{
		func(c any) bool { _, ok := c.(driver.ExecerContext); return ok },
		func(c any) bool { _, ok := c.(driver.QueryerContext); return ok },
		func(c any) bool { _, ok := c.(driver.NamedValueChecker); return ok },
		func(c any) bool { _, ok := c.(driver.SessionResetter); return ok },
		func(c any) bool { _, ok := c.(driver.Validator); return ok },
	}
	for _, full := range []bool{false, true} {
		d := &memDriver{full: full}
		inner, err := d.Open("")
		require.NoError(t, err)
		c, err := WrapDriver("mem", d, nil).Open("")
		require.NoError(t, err)
		for i, check := range checks {
			assert.Equal(t, full, check(inner), "interface %d", i)
			assert.Equal(t, check(inner), check(c), "interface %d", i)
		}
		for _, always := range []func(any) bool{
			func(c any) bool { _, ok := c.(driver.Pinger); return ok },
			func(c any) bool { _, ok := c.(driver.ConnBeginTx); return ok },
			func(c any) bool { _, ok := c.(driver.ConnPrepareContext); return ok },
		} {
			assert.True(t, always(c))
		}
	}

	// Every combination the generated conn types cover.
	impl := &memFullConn{&memConn{&memDriver{full: true}}}
	for m := 0; m < 32; m++ {
		c := conn{inner: impl, cfg: newConfig("x", nil)}
		if m&1 != 0 {
			c.execer = impl
		}
		if m&2 != 0 {
			c.queryer = impl
		}
		if m&4 != 0 {
			c.checker = impl
		}
		if m&8 != 0 {
			c.resetter = impl
		}
		if m&16 != 0 {
			c.validator = impl
		}
		w := connFor(c)
		for i, check := range checks {
			assert.Equal(t, m&(1<<i) != 0, check(w), "mask %d interface %d", m, i)
		}
	}

	cc := &conn{cfg: newConfig("x", nil)}
	s := newStmt(context.Background(), &convertingStmt{}, cc, "q", timeline.Action{})
	_, ok := s.(driver.ColumnConverter)
	assert.True(t, ok)
	assert.Equal(t, driver.Int32, s.(driver.ColumnConverter).ColumnConverter(0))
	require.NoError(t, s.Close())
	s = newStmt(context.Background(), &memStmt{}, cc, "q", timeline.Action{})
	_, ok = s.(driver.ColumnConverter)
	assert.False(t, ok)
	// Always a checker, doing what database/sql does without one.
	nv := &driver.NamedValue{Ordinal: 1, Value: 3}
	require.NoError(t, s.(driver.NamedValueChecker).CheckNamedValue(nv))
	assert.Equal(t, int64(3), nv.Value)
	require.NoError(t, s.Close())
	s = newStmt(context.Background(), &checkingStmt{}, cc, "q", timeline.Action{})
	_, ok = s.(driver.NamedValueChecker)
	assert.True(t, ok)
	assert.Equal(t, driver.ErrRemoveArgument, s.(driver.NamedValueChecker).CheckNamedValue(&driver.NamedValue{}))
	require.NoError(t, s.Close())
}

type checkingStmt struct{ memStmt }

func (*checkingStmt) CheckNamedValue(*driver.NamedValue) error { return driver.ErrRemoveArgument }

type convertingStmt struct{ memStmt }

var _ driver.ColumnConverter = (*convertingStmt)(nil)

func (convertingStmt) ColumnConverter(int) driver.ValueConverter { return driver.Int32 }
