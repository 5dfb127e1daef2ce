//lint:file-ignore SA1019 the wrapper forwards the deprecated context-free driver interfaces, as database/sql still uses them.

package sqltimeline

import (
	"context"
	"database/sql/driver"
	"reflect"

	"github.com/oops-go/oops/timeline"
)

// stmt wraps a driver.Stmt; every Exec and Query is one entry whose detail
// is the statement's text. database/sql never uses a stmt from two goroutines
// at once.
//
// Its fields are few, and the inner statement's optional interfaces are
// asserted when used rather than kept, because on a driver without
// ExecerContext or QueryerContext database/sql prepares a statement for every
// Exec and Query: setting the wrapper up is part of every statement's cost,
// and every pointer it writes costs a write barrier while the collector
// marks.
type stmt struct {
	inner driver.Stmt
	conn  *conn
	query string
	kind  stmtKind
	// adopted is the entry of the conn's fast-path call that returned
	// driver.ErrSkip; the next run finishes it.
	adopted timeline.Action
}

// database/sql consults a statement's NamedValueChecker (else the conn's)
// and its ColumnConverter only when they are there, so the wrapper has them
// exactly when the inner statement does: stmtNVC, convStmt and convStmtNVC
// add them to stmt.
type (
	stmtNVC struct {
		stmt
		checker driver.NamedValueChecker
	}
	convStmt    struct{ stmt }
	convStmtNVC struct {
		stmt
		checker driver.NamedValueChecker
	}
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

// newStmt wraps si. A conn keeps one plain wrapper (its spare) for reuse:
// database/sql prepares a statement for every Exec or Query on a driver
// without ExecerContext or QueryerContext and closes it right after, and it
// prepares and closes statements of a conn only while holding that conn's
// lock, so the spare needs no synchronisation of its own.
func newStmt(si driver.Stmt, c *conn, query string, adopted timeline.Action) driver.Stmt {
	k := c.stmtKindOf(si)
	switch k & (stmtConv | stmtChecker) {
	case stmtConv | stmtChecker:
		return &convStmtNVC{stmt{inner: si, conn: c, query: query, kind: k, adopted: adopted}, si.(driver.NamedValueChecker)}
	case stmtConv:
		return &convStmt{stmt{inner: si, conn: c, query: query, kind: k, adopted: adopted}}
	case stmtChecker:
		return &stmtNVC{stmt{inner: si, conn: c, query: query, kind: k, adopted: adopted}, si.(driver.NamedValueChecker)}
	}
	if s := c.spare; s != nil && c.spareFree {
		// The spare already points at c and, when the same statement runs
		// again, at the same text: write only what changed.
		c.spareFree = false
		s.inner = si
		if s.query != query {
			s.query = query
		}
		s.kind = k
		if adopted.Timeline() != nil {
			s.adopted = adopted
		}
		return s
	}
	s := &stmt{inner: si, conn: c, query: query, kind: k, adopted: adopted}
	if c.spare == nil {
		c.spare = s
	}
	return s
}

// stmtKind tells which optional interfaces a driver's statement implements.
type stmtKind uint8

const (
	stmtConv     stmtKind = 1 << iota // driver.ColumnConverter
	stmtChecker                       // driver.NamedValueChecker
	stmtExecCtx                       // driver.StmtExecContext
	stmtQueryCtx                      // driver.StmtQueryContext
)

// stmtKindOf returns si's stmtKind. The statements of one connection are
// nearly always of one type, so the conn remembers the last type's kind:
// one comparison instead of four type assertions per statement. Like newStmt
// it runs under the conn's lock.
func (c *conn) stmtKindOf(si driver.Stmt) stmtKind {
	t := reflect.TypeOf(si)
	if t == c.stmtType && t != nil {
		return c.stmtKind
	}
	var k stmtKind
	if _, ok := si.(driver.ColumnConverter); ok {
		k |= stmtConv
	}
	if _, ok := si.(driver.NamedValueChecker); ok {
		k |= stmtChecker
	}
	if _, ok := si.(driver.StmtExecContext); ok {
		k |= stmtExecCtx
	}
	if _, ok := si.(driver.StmtQueryContext); ok {
		k |= stmtQueryCtx
	}
	c.stmtType, c.stmtKind = t, k
	return k
}

// entry returns the adopted entry, or starts one.
func (s *stmt) entry(ctx context.Context, args []driver.NamedValue) timeline.Action {
	if a := s.adopted; a.Timeline() != nil {
		s.adopted = timeline.Action{}
		return a
	}
	tl := timeline.FromContext(ctx)
	if tl == nil {
		return timeline.Action{}
	}
	return s.conn.cfg.startIn(ctx, tl, s.query, args)
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
	if s.kind&stmtExecCtx != 0 {
		res, err = s.inner.(driver.StmtExecContext).ExecContext(ctx, args)
	} else {
		res, err = s.execOld(ctx, args)
	}
	finish(a, s.conn.cfg.recorded(err))
	return res, err
}

func (s *stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	a := s.entry(ctx, args)
	var rows driver.Rows
	var err error
	if s.kind&stmtQueryCtx != 0 {
		rows, err = s.inner.(driver.StmtQueryContext).QueryContext(ctx, args)
	} else {
		rows, err = s.queryOld(ctx, args)
	}
	if err != nil {
		finish(a, s.conn.cfg.recorded(err))
		return nil, err
	}
	if a.Timeline() == nil {
		return rows, nil
	}
	return s.conn.newRows(rows, a), nil
}

// execOld is what database/sql does for a statement without StmtExecContext.
func (s *stmt) execOld(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	dargs, err := namedValueToValue(args)
	if err != nil {
		return nil, err
	}
	if err := canceled(ctx); err != nil {
		return nil, err
	}
	return s.inner.Exec(dargs)
}

// queryOld is what database/sql does for a statement without StmtQueryContext.
func (s *stmt) queryOld(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	dargs, err := namedValueToValue(args)
	if err != nil {
		return nil, err
	}
	if err := canceled(ctx); err != nil {
		return nil, err
	}
	return s.inner.Query(dargs)
}

// Close makes a closed plain wrapper the conn's spare. It keeps its
// fields (the next statement overwrites them) rather than clearing them:
// the closed inner statement stays reachable until then, which saves two
// write barriers per statement.
func (s *stmt) Close() error {
	err := s.close()
	c := s.conn
	if c.spare != s {
		if c.spare != nil && c.spareFree {
			return err
		}
		// No spare, or one still open (a statement prepared and kept
		// by the application): this one takes its place.
		c.spare = s
	}
	c.spareFree = true
	return err
}

func (s *stmtNVC) Close() error     { return s.close() }
func (s *convStmt) Close() error    { return s.close() }
func (s *convStmtNVC) Close() error { return s.close() }

func (s *stmt) close() error {
	if s.adopted.Timeline() != nil {
		s.adopted.FinishErr(errNotRun)
		s.adopted = timeline.Action{}
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
