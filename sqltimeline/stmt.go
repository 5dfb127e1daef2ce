//lint:file-ignore SA1019 the wrapper forwards the deprecated context-free driver interfaces, as database/sql still uses them.

package sqltimeline

import (
	"context"
	"database/sql/driver"
	"fmt"
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
//
// A stmt is always a NamedValueChecker, so that it sees the arguments
// database/sql refuses (see CheckNamedValue); the statement's entry then
// records the error the application got.
type stmt struct {
	inner driver.Stmt
	conn  *conn
	query string
	kind  stmtKind
	// adopted is the entry of the conn's fast-path call that returned
	// driver.ErrSkip; the next run finishes it.
	adopted timeline.Action
	// ctx is the context the statement was prepared with: a refusal of its
	// arguments, which comes with no context, is recorded in its timeline.
	ctx context.Context
	// A round is one checking of arguments by database/sql, which begins
	// with NumInput: want is what NumInput answered, got how many arguments
	// were accepted; the round ends when the statement runs or an argument
	// is refused.
	round     bool
	want, got int
	// neverDone says ctx can never be done (its Done is nil, which it
	// stays): a run with that same context need not check it again.
	neverDone bool
}

// database/sql consults a statement's ColumnConverter only when it is
// there, so the wrapper has it exactly when the inner statement does:
// convStmt adds it to stmt.
type convStmt struct{ stmt }

func (s *convStmt) ColumnConverter(idx int) driver.ValueConverter {
	return s.inner.(driver.ColumnConverter).ColumnConverter(idx)
}

var (
	_ driver.StmtExecContext   = (*stmt)(nil)
	_ driver.StmtQueryContext  = (*stmt)(nil)
	_ driver.NamedValueChecker = (*stmt)(nil)
	_ driver.ColumnConverter   = (*convStmt)(nil)
)

// newPlainStmt is newStmt for a statement that adopts no entry, the common
// case, kept small: of the spare, only the fields that change are written.
func (c *conn) newPlainStmt(ctx context.Context, si driver.Stmt, query string, neverDone bool) driver.Stmt {
	var k stmtKind
	if t := stmtTypeOf(si); t == c.stmtType && t != nil {
		k = c.stmtKind // stmtKindOf, written out
	} else {
		k = c.stmtKindOf(si)
	}
	if k&stmtConv == 0 && c.spareFree {
		// A free spare (never nil) already points at c and, when the same
		// statement runs again, at the same text; its adopted entry is
		// the zero Action, which Close and the runs leave.
		s := c.spare
		c.spareFree = false
		s.inner = si
		if !sameString(s.query, query) {
			s.query = query
		}
		s.kind = k
		if !sameContext(s.ctx, ctx) {
			s.ctx = ctx
		}
		s.round = false
		s.neverDone = neverDone
		return s
	}
	return newStmt(ctx, si, c, query, timeline.Action{})
}

// newStmt wraps si, prepared on c, to finish adopted (the entry of the
// fast-path call that answered driver.ErrSkip, if any) when it runs.
//
// A conn keeps one plain wrapper (its spare) for reuse: database/sql
// prepares a statement for every Exec or Query on a driver without
// ExecerContext or QueryerContext and closes it right after, and it prepares
// and closes statements of a conn only while holding that conn's lock, so
// the spare needs no synchronisation of its own.
func newStmt(ctx context.Context, si driver.Stmt, c *conn, query string, adopted timeline.Action) driver.Stmt {
	k := c.stmtKindOf(si)
	if k&stmtConv != 0 {
		return &convStmt{stmt{inner: si, conn: c, query: query, kind: k, adopted: adopted, ctx: ctx}}
	}
	if s := c.spare; s != nil && c.spareFree {
		c.spareFree = false
		s.inner = si
		if !sameString(s.query, query) {
			s.query = query
		}
		s.kind = k
		s.adopted = adopted
		s.ctx = ctx
		s.round = false
		s.neverDone = false
		return s
	}
	s := &stmt{inner: si, conn: c, query: query, kind: k, adopted: adopted, ctx: ctx}
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
	t := stmtTypeOf(si)
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

// entry returns the adopted entry, or starts one in tl (which may be nil).
func (s *stmt) entry(ctx context.Context, tl *timeline.Timeline, args []driver.NamedValue) timeline.Action {
	if a := s.adopted; a.Timeline() != nil {
		s.adopted = timeline.Action{}
		return a
	}
	if tl == nil {
		return timeline.Action{}
	}
	if cfg := s.conn.cfg; cfg.plain {
		return tl.Start(cfg.rec.Category, s.query) // startIn, one call less
	}
	return s.conn.cfg.rec.Start(ctx, tl, s.query, args)
}

// NumInput begins a round of argument checks (database/sql calls it for
// nothing else), ending the previous one.
func (s *stmt) NumInput() int {
	n := s.inner.NumInput()
	s.endRound()
	s.round, s.want, s.got = true, n, 0
	return n
}

// CheckNamedValue checks an argument as database/sql would without the
// wrapper: the inner statement's checker, else the inner conn's; when they
// answer driver.ErrSkip (or there is none), the inner statement's column
// converter, then driver.DefaultParameterConverter. So the application sees
// the same conversions and errors, and a refused argument is recorded: on
// the entry of the conn's fast path that answered driver.ErrSkip, else as an
// entry of its own in the timeline of the context the statement was
// prepared with.
func (s *stmt) CheckNamedValue(nv *driver.NamedValue) error {
	// skip says the checkers so far answered driver.ErrSkip. A flag rather
	// than err == driver.ErrSkip tests: comparing two errors of one type
	// is a runtime call, and this runs for every argument.
	skip := true
	var err error
	if s.kind&stmtChecker != 0 {
		err = s.inner.(driver.NamedValueChecker).CheckNamedValue(nv)
		skip = err != nil && err == driver.ErrSkip
	} else if s.conn.checker != nil {
		err = s.conn.checker.CheckNamedValue(nv)
		skip = err != nil && err == driver.ErrSkip
	}
	if skip && s.kind&stmtConv != 0 {
		err = s.convertColumn(nv)
		skip = err != nil && err == driver.ErrSkip
	}
	if skip {
		nv.Value, err = driver.DefaultParameterConverter.ConvertValue(nv.Value)
	}
	switch {
	case err == nil:
		s.got++
	case err == driver.ErrRemoveArgument:
	default:
		s.round = false
		// database/sql's own words around the checker's error.
		s.refused(fmt.Errorf("sql: converting argument %s type: %w", describeNamedValue(nv), err))
	}
	return err
}

// convertColumn is what database/sql does with a statement's
// ColumnConverter.
func (s *stmt) convertColumn(nv *driver.NamedValue) error {
	index := nv.Ordinal - 1
	if s.want <= index {
		// database/sql leaves arguments the statement does not expect to
		// its count check.
		return nil
	}
	if vr, ok := nv.Value.(driver.Valuer); ok {
		sv, err := callValuerValue(vr)
		if err != nil {
			return err
		}
		if !driver.IsValue(sv) {
			return fmt.Errorf("non-subset type %T returned from Value", sv)
		}
		nv.Value = sv
	}
	arg := nv.Value
	var err error
	nv.Value, err = s.inner.(driver.ColumnConverter).ColumnConverter(index).ConvertValue(arg)
	if err != nil {
		return err
	}
	if !driver.IsValue(nv.Value) {
		return fmt.Errorf("driver ColumnConverter error converted %T to unsupported type %T", arg, nv.Value)
	}
	return nil
}

// callValuerValue is database/sql's: a nil pointer whose element type
// implements Valuer with a value receiver is NULL.
func callValuerValue(vr driver.Valuer) (driver.Value, error) {
	if rv := reflect.ValueOf(vr); rv.Kind() == reflect.Pointer && rv.IsNil() &&
		rv.Type().Elem().Implements(reflect.TypeFor[driver.Valuer]()) {
		return nil, nil
	}
	return vr.Value()
}

func describeNamedValue(nv *driver.NamedValue) string {
	if len(nv.Name) == 0 {
		return fmt.Sprintf("$%d", nv.Ordinal)
	}
	return fmt.Sprintf("with name %q", nv.Name)
}

// endRound ends a round of checks the statement did not run after: if every
// argument was accepted but their number is not what the statement wants,
// database/sql refused them for that.
func (s *stmt) endRound() {
	if !s.round {
		return
	}
	s.round = false
	if s.want >= 0 && s.got != s.want {
		s.refused(fmt.Errorf("sql: expected %d arguments, got %d", s.want, s.got))
	}
}

// refused records err, database/sql's refusal of the statement's arguments.
func (s *stmt) refused(err error) {
	if a := s.adopted; a.Timeline() != nil {
		s.adopted = timeline.Action{}
		a.FinishErr(err)
		return
	}
	if s.ctx != nil {
		s.conn.recordNow(s.ctx, s.query, err)
	}
}

func (s *stmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), valuesToNamed(args))
}

func (s *stmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), valuesToNamed(args))
}

// ExecContext and QueryContext look ctx's timeline up first: with none, and
// no adopted entry, there is nothing to record and the statement goes to
// the driver with no more work than that lookup and test.
func (s *stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	s.round = false
	tl := timeline.FromContext(ctx)
	// The recorded path written out, as in conn.ExecContext, and
	// s.entry's common case with it.
	var a timeline.Action
	if s.adopted.Timeline() == nil {
		if tl == nil {
			if s.kind&stmtExecCtx != 0 {
				return s.inner.(driver.StmtExecContext).ExecContext(ctx, args)
			}
			return s.execOld(ctx, args)
		}
		if cfg := s.conn.cfg; cfg.plain {
			a = tl.Start(cfg.rec.Category, s.query)
		} else {
			a = cfg.rec.Start(ctx, tl, s.query, args)
		}
	} else {
		a = s.entry(ctx, tl, args)
	}
	var res driver.Result
	var err error
	if s.kind&stmtExecCtx != 0 {
		res, err = s.inner.(driver.StmtExecContext).ExecContext(ctx, args)
	} else if s.neverDone && sameContext(ctx, s.ctx) {
		// s.execOld written out for a run with the context the
		// statement was prepared with, which can never be done: on a
		// driver without ExecerContext, every Exec.
		var dargs []driver.Value
		if dargs, err = namedValueToValue(args); err == nil {
			res, err = s.inner.Exec(dargs)
		}
	} else {
		res, err = s.execOld(ctx, args)
	}
	finish(a, s.conn.cfg.recorded(err))
	return res, err
}

func (s *stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	s.round = false
	tl := timeline.FromContext(ctx)
	// The recorded path written out, as in conn.QueryContext, and
	// s.entry's common case with it.
	var a timeline.Action
	if s.adopted.Timeline() == nil {
		if tl == nil {
			if s.kind&stmtQueryCtx != 0 {
				return s.inner.(driver.StmtQueryContext).QueryContext(ctx, args)
			}
			return s.queryOld(ctx, args)
		}
		if cfg := s.conn.cfg; cfg.plain {
			a = tl.Start(cfg.rec.Category, s.query)
		} else {
			a = cfg.rec.Start(ctx, tl, s.query, args)
		}
	} else {
		a = s.entry(ctx, tl, args)
	}
	var rows driver.Rows
	var err error
	if s.kind&stmtQueryCtx != 0 {
		rows, err = s.inner.(driver.StmtQueryContext).QueryContext(ctx, args)
	} else if s.neverDone && sameContext(ctx, s.ctx) {
		// s.queryOld written out, as in ExecContext.
		var dargs []driver.Value
		if dargs, err = namedValueToValue(args); err == nil {
			rows, err = s.inner.Query(dargs)
		}
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
	if c := s.conn; c.rowsSpareFree && rowsTypeOf(rows) == c.rowsSpareType {
		return c.reusedRows(ctx, rows, a), nil
	}
	return s.conn.newRows(ctx, rows, a), nil
}

// execOld is what database/sql does for a statement without StmtExecContext.
func (s *stmt) execOld(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	dargs, err := namedValueToValue(args)
	if err != nil {
		return nil, err
	}
	if !s.neverDone || !sameContext(ctx, s.ctx) {
		if err := canceled(ctx); err != nil {
			return nil, err
		}
	}
	return s.inner.Exec(dargs)
}

// queryOld is what database/sql does for a statement without StmtQueryContext.
func (s *stmt) queryOld(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	dargs, err := namedValueToValue(args)
	if err != nil {
		return nil, err
	}
	if !s.neverDone || !sameContext(ctx, s.ctx) {
		if err := canceled(ctx); err != nil {
			return nil, err
		}
	}
	return s.inner.Query(dargs)
}

// Close makes a closed plain wrapper the conn's spare. It keeps its
// fields (the next statement overwrites them) rather than clearing them:
// the closed inner statement stays reachable until then, which saves two
// write barriers per statement.
func (s *stmt) Close() error {
	// s.close, written out: this runs for every statement on a driver
	// without ExecerContext or QueryerContext.
	if s.round || s.adopted.Timeline() != nil {
		s.endUnrun()
	}
	err := s.inner.Close()
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

func (s *convStmt) Close() error { return s.close() }

func (s *stmt) close() error {
	if s.round || s.adopted.Timeline() != nil {
		s.endUnrun()
	}
	return s.inner.Close()
}

// endUnrun records what a statement closed without running leaves: a round
// of checks database/sql refused, an adopted entry never finished.
func (s *stmt) endUnrun() {
	s.endRound()
	if s.adopted.Timeline() != nil {
		s.adopted.FinishErr(errNotRun)
		s.adopted = timeline.Action{}
	}
}

func valuesToNamed(args []driver.Value) []driver.NamedValue {
	nv := make([]driver.NamedValue, len(args))
	for i, v := range args {
		nv[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return nv
}
