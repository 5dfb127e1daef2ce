//lint:file-ignore SA1019 the wrapper forwards the deprecated context-free driver interfaces, as database/sql still uses them.

package sqltimeline

import (
	"context"
	"database/sql/driver"
	"errors"
	"time"
	"unsafe"

	"github.com/oops-go/oops/timeline"
)

// conn wraps a driver.Conn. It always implements ConnPrepareContext,
// ConnBeginTx and Pinger, doing what database/sql does when the inner conn
// lacks them (a context check before Prepare; the same refusals of isolation
// levels and read-only; no ping), so that behaviour through the wrapper is the
// driver's own.
//
// ExecerContext, QueryerContext, NamedValueChecker, SessionResetter and
// Validator, which database/sql uses on every statement, are there exactly
// when the inner conn has them (ExecerContext and QueryerContext also for the
// older context-free forms). Always having them, answering driver.ErrSkip,
// nil or true, would behave the same, but would cost every statement calls
// the unwrapped driver does not make, and for ErrSkip a second conversion of
// its arguments. fullConn has all five methods; the generated types of
// conn_combos.go embed it and hide those of the interfaces the inner conn
// lacks behind a field of the same name (a field at a shallower depth than a
// promoted method leaves the method out of the type's method set), and a
// conn whose inner conn has none of them is a plain *conn. A method
// promoted that way is reached through a jump, not a call, where a method of
// the generated type calling conn's would cost every statement a call.
//
// database/sql never uses a conn from two goroutines at once, so its fields
// need no lock.
type conn struct {
	inner driver.Conn
	cfg   *config

	execer     driver.ExecerContext
	execerOld  driver.Execer
	queryer    driver.QueryerContext
	queryerOld driver.Queryer
	preparer   driver.ConnPrepareContext
	beginner   driver.ConnBeginTx
	pinger     driver.Pinger
	resetter   driver.SessionResetter
	validator  driver.Validator
	checker    driver.NamedValueChecker

	// pending is the entry of a statement whose fast path (ExecContext or
	// QueryContext) the driver refused with driver.ErrSkip. database/sql
	// then prepares the same query on this conn and runs it as a statement:
	// that statement finishes this entry rather than starting a second one.
	pending      timeline.Action
	pendingQuery string
	hasPending   bool

	// spare is a plain statement wrapper kept for reuse (see newStmt),
	// free when spareFree is set.
	spare     *stmt
	spareFree bool

	// rowsSpare is a rows wrapper (as rowsSpareW, for inner rows of the
	// type rowsSpareType, see rowsTypeOf) kept for reuse, free when
	// rowsSpareFree is set (see newRows). rowsSpareFree implies a spare.
	rowsSpare     *rows
	rowsSpareW    driver.Rows
	rowsSpareType unsafe.Pointer
	rowsSpareFree bool

	// rowsType and rowsMask cache the mask of the last rows type the
	// driver returned (see rowsMaskOf).
	rowsType unsafe.Pointer
	rowsMask int

	// stmtType and stmtKind cache the kind of the last statement type
	// prepared (see stmtKindOf).
	stmtType unsafe.Pointer
	stmtKind stmtKind
}

// fullConn is a conn with every optional method database/sql uses on every
// statement; the generated conn types embed it (see conn).
type fullConn struct{ conn }

// hidden is the type of the fields by which a generated conn type hides a
// method of *fullConn (see conn). It takes no room.
type hidden struct{}

var (
	_ driver.Conn               = (*conn)(nil)
	_ driver.ExecerContext      = (*conn31)(nil)
	_ driver.QueryerContext     = (*conn31)(nil)
	_ driver.NamedValueChecker  = (*conn31)(nil)
	_ driver.SessionResetter    = (*conn31)(nil)
	_ driver.Validator          = (*conn31)(nil)
	_ driver.ConnPrepareContext = (*conn)(nil)
	_ driver.ConnBeginTx        = (*conn)(nil)
	_ driver.Pinger             = (*conn)(nil)
)

// newConn wraps inner in the conn type (conn_combos.go) with the same
// optional interfaces as inner among those database/sql uses on every
// statement.
func newConn(inner driver.Conn, cfg *config) driver.Conn {
	c := conn{inner: inner, cfg: cfg}
	c.execer, _ = inner.(driver.ExecerContext)
	c.execerOld, _ = inner.(driver.Execer)
	c.queryer, _ = inner.(driver.QueryerContext)
	c.queryerOld, _ = inner.(driver.Queryer)
	c.preparer, _ = inner.(driver.ConnPrepareContext)
	c.beginner, _ = inner.(driver.ConnBeginTx)
	c.pinger, _ = inner.(driver.Pinger)
	c.resetter, _ = inner.(driver.SessionResetter)
	c.validator, _ = inner.(driver.Validator)
	c.checker, _ = inner.(driver.NamedValueChecker)
	return connFor(c)
}

// setPending keeps a, the entry of a statement refused with ErrSkip.
func (c *conn) setPending(a timeline.Action, query string) {
	c.dropPending()
	if a.Timeline() == nil {
		return
	}
	c.pending, c.pendingQuery, c.hasPending = a, query, true
}

// takePending returns the pending entry if it is query's.
func (c *conn) takePending(query string) timeline.Action {
	if !c.hasPending {
		return timeline.Action{}
	}
	a, q := c.pending, c.pendingQuery
	c.pending, c.pendingQuery, c.hasPending = timeline.Action{}, "", false
	if q != query {
		a.FinishErr(errNotRun)
		return timeline.Action{}
	}
	return a
}

// dropPending finishes a pending entry that database/sql did not follow up.
// It is small enough to inline: most statements have no pending entry.
func (c *conn) dropPending() {
	if c.hasPending {
		c.finishPending()
	}
}

// finishPending is dropPending's work, kept out of line so that
// dropPending inlines.
//
//go:noinline
func (c *conn) finishPending() {
	c.pending.FinishErr(errNotRun)
	c.pending, c.pendingQuery, c.hasPending = timeline.Action{}, "", false
}

// ExecContext and QueryContext look ctx's timeline up first: without one
// there is nothing to record, and the statement goes to the driver with no
// more work than that lookup, ErrSkip included (database/sql then prepares
// the statement, whose run looks the timeline up again).
func (c *fullConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	c.dropPending()
	tl := timeline.FromContext(ctx)
	if tl == nil {
		if c.execer != nil {
			return c.execer.ExecContext(ctx, query, args)
		}
		return execOld(ctx, c.execerOld, query, args)
	}
	// The recorded path written out rather than called: a call more
	// shows at this size.
	var a timeline.Action
	if c.cfg.plain {
		a = tl.Start(c.cfg.rec.Category, query) // startIn, one call less
	} else {
		a = c.cfg.rec.Start(ctx, tl, query, args)
	}
	var res driver.Result
	var err error
	if c.execer != nil {
		res, err = c.execer.ExecContext(ctx, query, args)
	} else {
		res, err = execOld(ctx, c.execerOld, query, args)
	}
	if err == driver.ErrSkip {
		c.setPending(a, query)
		return nil, err
	}
	a.FinishErr(c.cfg.recorded(err))
	return res, err
}

func (c *fullConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	c.dropPending()
	tl := timeline.FromContext(ctx)
	if tl == nil {
		if c.queryer != nil {
			return c.queryer.QueryContext(ctx, query, args)
		}
		return queryOld(ctx, c.queryerOld, query, args)
	}
	// The recorded path written out, as in ExecContext.
	var a timeline.Action
	if c.cfg.plain {
		a = tl.Start(c.cfg.rec.Category, query) // startIn, one call less
	} else {
		a = c.cfg.rec.Start(ctx, tl, query, args)
	}
	var rows driver.Rows
	var err error
	if c.queryer != nil {
		rows, err = c.queryer.QueryContext(ctx, query, args)
	} else {
		rows, err = queryOld(ctx, c.queryerOld, query, args)
	}
	if err == driver.ErrSkip {
		c.setPending(a, query)
		return nil, err
	}
	if err != nil {
		a.FinishErr(c.cfg.recorded(err))
		return nil, err
	}
	if a.Timeline() == nil {
		return rows, nil
	}
	if c.rowsSpareFree && rowsTypeOf(rows) == c.rowsSpareType {
		return c.reusedRows(ctx, rows, a), nil
	}
	return c.newRows(ctx, rows, a), nil
}

// reusedRows wraps inner in the conn's spare rows wrapper, which must be
// free and made for inner's type. database/sql makes and closes the rows of
// a conn only while holding that conn's lock, and never uses rows once
// closed, so the spare needs no synchronisation of its own, and a query
// recorded in a timeline allocates no wrapper. Of the pointers, only those
// that changed are written (see rows).
//
// Its callers write the test out (if c.rowsSpareFree && rowsTypeOf(inner)
// == c.rowsSpareType) and call it only when it holds, so that the common
// case costs no call to find out.
func (c *conn) reusedRows(ctx context.Context, inner driver.Rows, a timeline.Action) driver.Rows {
	r := c.rowsSpare
	c.rowsSpareFree = false
	r.inner, r.act = inner, a
	if !sameContext(r.ctx, ctx) {
		// The statements of a request share its context: most
		// queries skip this pointer's write barrier.
		r.ctx = ctx
	}
	return c.rowsSpareW
}

// newRows wraps inner, when the conn's spare wrapper is not free or was made
// for another type of rows (see reusedRows), in a new wrapper, which becomes
// the spare unless the spare is in use (rows still open).
func (c *conn) newRows(ctx context.Context, inner driver.Rows, a timeline.Action) driver.Rows {
	w, r := newRowsMask(inner, a, c.rowsMaskOf(inner))
	r.c, r.ctx = c, ctx
	if c.rowsSpare == nil || c.rowsSpareFree {
		c.rowsSpare, c.rowsSpareW, c.rowsSpareType, c.rowsSpareFree = r, w, rowsTypeOf(inner), false
	}
	return w
}

// rowsMaskOf returns rowsMask(r), remembering it for r's type: a driver's
// rows are nearly always of one type, so this is one comparison instead of
// a type assertion per optional interface.
func (c *conn) rowsMaskOf(r driver.Rows) int {
	t := rowsTypeOf(r)
	if t == c.rowsType && t != nil {
		return c.rowsMask
	}
	m := rowsMask(r)
	c.rowsType, c.rowsMask = t, m
	return m
}

func (c *conn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// PrepareContext records nothing when preparing succeeds: the statement's
// entries are its runs. A failed prepare is recorded, since it is the only
// trace of that statement. It does not look ctx's timeline up: a statement
// prepared without one may run with one, and the run looks it up.
func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if c.hasPending {
		return c.prepareAdopting(ctx, query)
	}
	if s := c.spare; c.spareFree && s.neverDone && sameContext(s.ctx, ctx) {
		return c.prepareAgain(ctx, query)
	}
	// c.prepare, written out: this runs for every statement on a driver
	// without ExecerContext or QueryerContext.
	var si driver.Stmt
	var err error
	neverDone := false
	if c.preparer != nil {
		si, err = c.preparer.PrepareContext(ctx, query)
	} else if done := ctx.Done(); done == nil {
		// The statement's runs with ctx need not check it either.
		neverDone = true
		si, err = c.inner.Prepare(query)
	} else if err = doneErr(ctx, done); err == nil {
		si, err = c.inner.Prepare(query)
	}
	if err != nil {
		c.prepareFailed(ctx, query, timeline.Action{}, err)
		return nil, err
	}
	if t := stmtTypeOf(si); c.spareFree && t == c.stmtType && t != nil && c.stmtKind&stmtConv == 0 {
		// newPlainStmt's reuse of the spare, written out: only the
		// fields that change are written.
		s := c.spare
		c.spareFree = false
		s.inner = si
		if !sameString(s.query, query) {
			s.query = query
		}
		s.kind = c.stmtKind
		if !sameContext(s.ctx, ctx) {
			// A request's statements share its context: most skip
			// this pointer's write barrier.
			s.ctx = ctx
		}
		s.round = false
		s.neverDone = neverDone
		return s, nil
	}
	return c.newPlainStmt(ctx, si, query, neverDone), nil
}

// prepareAgain is PrepareContext on a driver without ConnPrepareContext
// when the spare is free and was prepared with ctx, which can never be done.
// database/sql prepares every statement of a request with the request's
// context there, so this is its common case: ctx need not be asked for its
// Done channel again (a context returns the same one every time), and when
// the driver's statement is of the spare's last one's type, the spare's
// kind, context and flags already hold (Close left round false and nothing
// adopted), so only its statement and text are written.
func (c *conn) prepareAgain(ctx context.Context, query string) (driver.Stmt, error) {
	si, err := c.inner.Prepare(query)
	if err != nil {
		c.prepareFailed(ctx, query, timeline.Action{}, err)
		return nil, err
	}
	s := c.spare
	if stmtTypeOf(si) != stmtTypeOf(s.inner) {
		return c.newPlainStmt(ctx, si, query, true), nil
	}
	c.spareFree = false
	s.inner = si
	if !sameString(s.query, query) {
		s.query = query
	}
	return s, nil
}

// prepareAdopting is PrepareContext when a fast-path call left an entry
// pending: the statement, if it is that call's, finishes it.
func (c *conn) prepareAdopting(ctx context.Context, query string) (driver.Stmt, error) {
	adopted := c.takePending(query)
	si, err := c.prepare(ctx, query)
	if err != nil {
		c.prepareFailed(ctx, query, adopted, err)
		return nil, err
	}
	return newStmt(ctx, si, c, query, adopted), nil
}

func (c *conn) prepare(ctx context.Context, query string) (driver.Stmt, error) {
	if c.preparer != nil {
		return c.preparer.PrepareContext(ctx, query)
	}
	if err := canceled(ctx); err != nil {
		return nil, err
	}
	return c.inner.Prepare(query)
}

// prepareFailed records a failed prepare: on the entry of the statement
// being run if there is one, else as an entry of its own. That entry takes
// no time: looking the timeline up only now keeps successful prepares cheap.
func (c *conn) prepareFailed(ctx context.Context, query string, adopted timeline.Action, err error) {
	if adopted.Timeline() != nil {
		finish(adopted, c.cfg.recorded(err))
		return
	}
	if err != driver.ErrSkip {
		c.recordNow(ctx, query, err)
	}
}

// recordNow records query as an entry of no duration that failed with err,
// in ctx's timeline if any and the filter lets it.
func (c *conn) recordNow(ctx context.Context, query string, err error) {
	tl := timeline.FromContext(ctx)
	if tl == nil || err == driver.ErrSkip || !c.cfg.rec.Records(ctx, tl, query) {
		return
	}
	now := time.Now()
	tl.AddErr(c.cfg.rec.Category, now, now, query, c.cfg.recorded(err))
}

func (c *conn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

// Errors database/sql returns for options a driver without ConnBeginTx cannot
// honour; the wrapper returns the same text.
var (
	errIsolation = errors.New("sql: driver does not support non-default isolation level")
	errReadOnly  = errors.New("sql: driver does not support read-only transactions")
)

func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	c.dropPending()
	tl := timeline.FromContext(ctx)
	var a timeline.Action
	if tl != nil {
		a = c.cfg.startIn(ctx, tl, beginDetail(opts), nil)
	}
	tx, err := c.begin(ctx, opts)
	a.FinishErr(c.cfg.recorded(err))
	if err != nil {
		return nil, err
	}
	if tl == nil {
		return tx, nil
	}
	return &wrappedTx{inner: tx, ctx: ctx, tl: tl, cfg: c.cfg}, nil
}

func (c *conn) begin(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if c.beginner != nil {
		return c.beginner.BeginTx(ctx, opts)
	}
	// What database/sql does for a driver without ConnBeginTx.
	if opts.Isolation != 0 {
		return nil, errIsolation
	}
	if opts.ReadOnly {
		return nil, errReadOnly
	}
	tx, err := c.inner.Begin()
	if err == nil && ctx.Done() != nil {
		select {
		default:
		case <-ctx.Done():
			_ = tx.Rollback()
			return nil, ctx.Err()
		}
	}
	return tx, err
}

func (c *conn) Ping(ctx context.Context) error {
	if c.pinger == nil {
		return nil
	}
	return c.pinger.Ping(ctx)
}

// CheckNamedValue is the inner conn's: the driver decides which arguments
// pass, as it does without the wrapper.
func (c *fullConn) CheckNamedValue(nv *driver.NamedValue) error {
	return c.checker.CheckNamedValue(nv)
}

func (c *fullConn) ResetSession(ctx context.Context) error {
	c.dropPending()
	return c.resetter.ResetSession(ctx)
}

func (c *fullConn) IsValid() bool { return c.validator.IsValid() }

func (c *conn) Close() error {
	c.dropPending()
	c.spare, c.spareFree = nil, false
	c.rowsSpare, c.rowsSpareW, c.rowsSpareFree = nil, nil, false
	return c.inner.Close()
}

// canceled returns ctx.Err() when ctx is done, else nil, without a
// channel operation for a context that can never be done.
func canceled(ctx context.Context) error {
	done := ctx.Done()
	if done == nil {
		return nil
	}
	return doneErr(ctx, done)
}

// doneErr returns ctx.Err() when done, ctx's Done channel, is closed.
func doneErr(ctx context.Context, done <-chan struct{}) error {
	select {
	case <-done:
		return ctx.Err()
	default:
		return nil
	}
}

// errNamedArgs is database/sql's error for named arguments given to a driver
// that predates contexts.
var errNamedArgs = errors.New("sql: driver does not support the use of Named Parameters")

func namedValueToValue(named []driver.NamedValue) ([]driver.Value, error) {
	dargs := make([]driver.Value, len(named))
	for n := range named {
		// Indexed, not ranged over by value: a NamedValue is five words.
		if len(named[n].Name) > 0 {
			return nil, errNamedArgs
		}
		dargs[n] = named[n].Value
	}
	return dargs, nil
}

// execOld is what database/sql does for a conn with only driver.Execer.
func execOld(ctx context.Context, e driver.Execer, query string, args []driver.NamedValue) (driver.Result, error) {
	dargs, err := namedValueToValue(args)
	if err != nil {
		return nil, err
	}
	if err := canceled(ctx); err != nil {
		return nil, err
	}
	return e.Exec(query, dargs)
}

// queryOld is what database/sql does for a conn with only driver.Queryer.
func queryOld(ctx context.Context, q driver.Queryer, query string, args []driver.NamedValue) (driver.Rows, error) {
	dargs, err := namedValueToValue(args)
	if err != nil {
		return nil, err
	}
	if err := canceled(ctx); err != nil {
		return nil, err
	}
	return q.Query(query, dargs)
}
