//lint:file-ignore SA1019 the wrapper forwards the deprecated context-free driver interfaces, as database/sql still uses them.

package sqltimeline

import (
	"context"
	"database/sql/driver"

	"github.com/oops-go/oops/timeline"
)

// stmt wraps a driver.Stmt; every Exec and Query is one entry whose detail
// is the statement's text. database/sql never uses a stmt from two goroutines
// at once.
type stmt struct {
	inner   driver.Stmt
	conn    *conn
	query   string
	execer  driver.StmtExecContext
	queryer driver.StmtQueryContext
	checker driver.NamedValueChecker
	// adopted is the entry of the conn's fast-path call that returned
	// driver.ErrSkip; the next run finishes it.
	adopted timeline.Action
}

// database/sql consults a statement's NamedValueChecker (else the conn's)
// and its ColumnConverter only when they are there, so the wrapper has them
// exactly when the inner statement does: stmtNVC, convStmt and convStmtNVC
// add them to stmt.
type (
	stmtNVC     struct{ stmt }
	convStmt    struct{ stmt }
	convStmtNVC struct{ stmt }
)

func (s *stmtNVC) CheckNamedValue(nv *driver.NamedValue) error { return s.checker.CheckNamedValue(nv) }
func (s *convStmtNVC) CheckNamedValue(nv *driver.NamedValue) error {
	return s.checker.CheckNamedValue(nv)
}

func (s *convStmt) ColumnConverter(idx int) driver.ValueConverter {
	return s.inner.(driver.ColumnConverter).ColumnConverter(idx)
}

func (s *convStmtNVC) ColumnConverter(idx int) driver.ValueConverter {
	return s.inner.(driver.ColumnConverter).ColumnConverter(idx)
}

var (
	_ driver.StmtExecContext   = (*stmt)(nil)
	_ driver.StmtQueryContext  = (*stmt)(nil)
	_ driver.NamedValueChecker = (*stmtNVC)(nil)
	_ driver.ColumnConverter   = (*convStmt)(nil)
	_ driver.NamedValueChecker = (*convStmtNVC)(nil)
	_ driver.ColumnConverter   = (*convStmtNVC)(nil)
)

// newStmt wraps si. A conn keeps one closed plain wrapper for reuse:
// database/sql prepares a statement for every Exec or Query on a driver
// without ExecerContext or QueryerContext and closes it right after, and it
// prepares and closes statements of a conn only while holding that conn's
// lock, so the spare needs no synchronisation of its own.
func newStmt(si driver.Stmt, c *conn, query string, adopted timeline.Action) driver.Stmt {
	_, conv := si.(driver.ColumnConverter)
	_, nvc := si.(driver.NamedValueChecker)
	switch {
	case conv && nvc:
		s := new(convStmtNVC)
		s.init(si, c, query, adopted)
		return s
	case conv:
		s := new(convStmt)
		s.init(si, c, query, adopted)
		return s
	case nvc:
		s := new(stmtNVC)
		s.init(si, c, query, adopted)
		return s
	}
	s := c.spare
	if s != nil {
		c.spare = nil
	} else {
		s = new(stmt)
	}
	s.init(si, c, query, adopted)
	return s
}

func (s *stmt) init(si driver.Stmt, c *conn, query string, adopted timeline.Action) {
	*s = stmt{inner: si, conn: c, query: query, adopted: adopted}
	s.execer, _ = si.(driver.StmtExecContext)
	s.queryer, _ = si.(driver.StmtQueryContext)
	s.checker, _ = si.(driver.NamedValueChecker)
}

// entry returns the adopted entry, or starts one.
func (s *stmt) entry(ctx context.Context, args []driver.NamedValue) timeline.Action {
	if a := s.adopted; a.Timeline() != nil {
		s.adopted = timeline.Action{}
		return a
	}
	return s.conn.cfg.start(ctx, s.query, args)
}

func (s *stmt) NumInput() int { return s.inner.NumInput() }

func (s *stmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), valuesToNamed(args))
}

func (s *stmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), valuesToNamed(args))
}

func (s *stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	a := s.entry(ctx, args)
	var res driver.Result
	var err error
	if s.execer != nil {
		res, err = s.execer.ExecContext(ctx, args)
	} else {
		res, err = s.execOld(ctx, args)
	}
	finish(a, err)
	return res, err
}

func (s *stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	a := s.entry(ctx, args)
	var rows driver.Rows
	var err error
	if s.queryer != nil {
		rows, err = s.queryer.QueryContext(ctx, args)
	} else {
		rows, err = s.queryOld(ctx, args)
	}
	if err != nil {
		finish(a, err)
		return nil, err
	}
	if a.Timeline() == nil {
		return rows, nil
	}
	return newRows(rows, a), nil
}

// execOld is what database/sql does for a statement without StmtExecContext.
func (s *stmt) execOld(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	dargs, err := namedValueToValue(args)
	if err != nil {
		return nil, err
	}
	select {
	default:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return s.inner.Exec(dargs)
}

// queryOld is what database/sql does for a statement without StmtQueryContext.
func (s *stmt) queryOld(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	dargs, err := namedValueToValue(args)
	if err != nil {
		return nil, err
	}
	select {
	default:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return s.inner.Query(dargs)
}

func (s *stmt) Close() error {
	c := s.conn
	err := s.close()
	*s = stmt{}
	if c.spare == nil {
		c.spare = s
	}
	return err
}

func (s *stmtNVC) Close() error     { return s.close() }
func (s *convStmt) Close() error    { return s.close() }
func (s *convStmtNVC) Close() error { return s.close() }

func (s *stmt) close() error {
	if s.adopted.Timeline() != nil {
		s.adopted.FinishErr(errNotRun)
	}
	return s.inner.Close()
}

func valuesToNamed(args []driver.Value) []driver.NamedValue {
	nv := make([]driver.NamedValue, len(args))
	for i, v := range args {
		nv[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return nv
}
