package sqltimeline

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// memDriver is an in-memory driver for the tests and benchmarks. A minimal
// one (full == false) implements only the required interfaces: no
// ExecerContext, QueryerContext, NamedValueChecker, ConnBeginTx, Pinger,
// SessionResetter or Validator, and plain Rows; database/sql then takes its
// fallbacks. A full one implements all of them.
//
// Its language:
//
//	"rows N ..."   a query returning N rows (id BIGINT, name TEXT)
//	"multi ..."    a query with two result sets of one row each
//	"fail ..."     fails with errBoom when run
//	"badprep ..."  fails with errBoom when prepared
//	"midfail ..."  one row, then errBoom
//	"skip ..."     (full) the fast path answers driver.ErrSkip
//	anything else  an Exec reporting len(args) rows affected, or no rows
type memDriver struct {
	full bool

	opened, closed, pings atomic.Int64
	badReset, invalid     atomic.Bool // make ResetSession / IsValid report a bad conn

	mu     sync.Mutex
	txOpts []driver.TxOptions // what BeginTx received
}

var errBoom = errors.New("boom")

func (d *memDriver) Open(string) (driver.Conn, error) {
	d.opened.Add(1)
	c := &memConn{d: d}
	if d.full {
		return &memFullConn{c}, nil
	}
	return c, nil
}

type memConn struct{ d *memDriver }

func (c *memConn) Prepare(query string) (driver.Stmt, error) {
	if strings.HasPrefix(query, "badprep") {
		return nil, errBoom
	}
	s := &memStmt{c: c, query: query}
	if c.d.full {
		return &memFullStmt{s}, nil
	}
	return s, nil
}

func (c *memConn) Close() error { c.d.closed.Add(1); return nil }

func (c *memConn) Begin() (driver.Tx, error) { return memTx{}, nil }

type memTx struct{}

func (memTx) Commit() error   { return nil }
func (memTx) Rollback() error { return nil }

type memStmt struct {
	c     *memConn
	query string
}

func (s *memStmt) Close() error { return nil }

// NumInput counts the statement's "?" placeholders; -1 (do not check) when
// it has none.
func (s *memStmt) NumInput() int {
	if n := strings.Count(s.query, "?"); n > 0 {
		return n
	}
	return -1
}

func (s *memStmt) Exec(args []driver.Value) (driver.Result, error) {
	return run(s.query, len(args))
}

func (s *memStmt) Query([]driver.Value) (driver.Rows, error) {
	return s.c.query(s.query)
}

func run(query string, n int) (driver.Result, error) {
	if strings.HasPrefix(query, "fail") {
		return nil, errBoom
	}
	return driver.RowsAffected(n), nil
}

func (c *memConn) query(q string) (driver.Rows, error) {
	switch {
	case strings.HasPrefix(q, "fail"):
		return nil, errBoom
	case strings.HasPrefix(q, "midfail"):
		return c.rows(1, true, 1), nil
	case strings.HasPrefix(q, "multi"):
		return c.rows(1, false, 2), nil
	case strings.HasPrefix(q, "rows "):
		f := strings.Fields(q)
		n, _ := strconv.Atoi(f[1])
		return c.rows(n, false, 1), nil
	}
	return c.rows(0, false, 1), nil
}

func (c *memConn) rows(n int, fail bool, sets int) driver.Rows {
	r := &memRows{n: n, fail: fail, sets: sets}
	if c.d.full {
		return &memFullRows{r}
	}
	return r
}

type memRows struct {
	i, n int
	fail bool
	sets int // result sets left, this one included
}

var memCols = []string{"id", "name"}

func (r *memRows) Columns() []string { return memCols }
func (r *memRows) Close() error      { return nil }

func (r *memRows) Next(dest []driver.Value) error {
	if r.i >= r.n {
		if r.fail {
			return errBoom
		}
		return io.EOF
	}
	r.i++
	dest[0] = int64(r.i)
	dest[1] = "row"
	return nil
}

// The full driver's extra interfaces.

type memFullConn struct{ *memConn }

func (c *memFullConn) ExecContext(_ context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if strings.HasPrefix(query, "skip") {
		return nil, driver.ErrSkip
	}
	return run(query, len(args))
}

func (c *memFullConn) QueryContext(_ context.Context, query string, _ []driver.NamedValue) (driver.Rows, error) {
	if strings.HasPrefix(query, "skip") {
		return nil, driver.ErrSkip
	}
	return c.query(query)
}

func (c *memFullConn) PrepareContext(_ context.Context, query string) (driver.Stmt, error) {
	return c.Prepare(query)
}

func (c *memFullConn) BeginTx(_ context.Context, opts driver.TxOptions) (driver.Tx, error) {
	c.d.mu.Lock()
	c.d.txOpts = append(c.d.txOpts, opts)
	c.d.mu.Unlock()
	return memTx{}, nil
}

func (c *memFullConn) Ping(context.Context) error { c.d.pings.Add(1); return nil }

func (c *memFullConn) ResetSession(context.Context) error {
	if c.d.badReset.Load() {
		return driver.ErrBadConn
	}
	return nil
}

func (c *memFullConn) IsValid() bool { return !c.d.invalid.Load() }

// CheckNamedValue lets []string through as is, like pgx does for arrays.
func (c *memFullConn) CheckNamedValue(nv *driver.NamedValue) error {
	if _, ok := nv.Value.([]string); ok {
		return nil
	}
	return driver.ErrSkip
}

type memFullStmt struct{ *memStmt }

func (s *memFullStmt) ExecContext(_ context.Context, args []driver.NamedValue) (driver.Result, error) {
	return run(s.query, len(args))
}

func (s *memFullStmt) QueryContext(context.Context, []driver.NamedValue) (driver.Rows, error) {
	return s.c.query(s.query)
}

type memFullRows struct{ *memRows }

func (r *memFullRows) ColumnTypeScanType(i int) reflect.Type {
	if i == 0 {
		return reflect.TypeFor[int64]()
	}
	return reflect.TypeFor[string]()
}

func (r *memFullRows) ColumnTypeDatabaseTypeName(i int) string {
	if i == 0 {
		return "BIGINT"
	}
	return "TEXT"
}

func (r *memFullRows) HasNextResultSet() bool { return r.sets > 1 }

func (r *memFullRows) NextResultSet() error {
	if r.sets <= 1 {
		return io.EOF
	}
	r.sets--
	r.i = 0
	return nil
}

// plainRows is the base of the generated innerRowsN types.
type plainRows struct{}

func (plainRows) Columns() []string         { return nil }
func (plainRows) Close() error              { return nil }
func (plainRows) Next([]driver.Value) error { return io.EOF }
