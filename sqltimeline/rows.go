package sqltimeline

//go:generate go run ./internal/rowsgen

import (
	"context"
	"database/sql"
	"database/sql/driver"

	"github.com/oops-go/oops/timeline"
)

// rows is the state shared by the generated rows types (rows_combos.go), one
// per combination of the optional driver.Rows interfaces; newRows picks the
// one matching the inner rows, so type assertions through the wrapper give
// the driver's own answers. Each has a Next of its own, which notes the
// error (see note). The statement's entry ends when the rows are
// closed, so iteration time counts, with the first error iteration met.
//
// A conn keeps one closed wrapper (its spare, see conn.newRows) for reuse;
// c is that conn, nil for rows not made by one. A closed spare keeps its
// pointers (the driver's closed rows, the entry and so the timeline, the
// context) until the conn's next recorded query overwrites them or the conn
// closes, as a closed statement wrapper does: while the collector marks,
// every pointer written costs a write barrier, and clearing them at Close
// would write each twice per query.
//
// ctx is the query's context. When it is done before the rows reached their
// end, database/sql closes the rows itself and the application gets ctx's
// error from Rows.Err, although the driver's Close (SQLite's, and many
// others') returns nil: the entry records that error, as the application saw
// it.
type rows struct {
	inner driver.Rows
	act   timeline.Action
	err   error
	c     *conn
	ctx   context.Context
	eof   bool // Next returned io.EOF
}

func (r *rows) Columns() []string { return r.inner.Columns() }

func (r *rows) Close() error {
	err := r.inner.Close()
	if err != nil || r.err != nil || !r.eof {
		r.closeErr(err)
		return err
	}
	// Read to the end and closed: the entry ends without error.
	r.act.FinishErr(nil)
	r.eof = false
	// A spare keeps its inner rows, entry and context until the next
	// query overwrites them (see rows).
	if c := r.c; c != nil && c.rowsSpare == r {
		c.rowsSpareFree = true
	}
	return nil
}

// closeErr is Close's work for rows not read to the end, or that failed, or
// whose driver's Close returned err, kept out of Close's common case.
func (r *rows) closeErr(err error) {
	r.finishErr(err)
	r.err, r.eof = nil, false
	if c := r.c; c != nil && c.rowsSpare == r {
		c.rowsSpareFree = true
	}
}

// finishErr ends the entry of rows not read to the end or that failed,
// err being what the driver's Close returned.
func (r *rows) finishErr(err error) {
	var rec error
	switch {
	case r.err != nil:
		rec = r.err
	case err != nil:
		rec = err
	case !r.eof && r.ctx != nil && r.ctx.Err() != nil:
		// database/sql closes the rows when the query's context ends
		// while they are read: the application gets ctx's error.
		rec = r.ctx.Err()
	}
	if rec != nil && r.c != nil {
		rec = r.c.cfg.recorded(rec)
	}
	r.act.FinishErr(rec)
}

// note remembers the first error other than io.EOF, the statement's failure
// when a row or result set could not be read.
func (r *rows) note(err error) error {
	if err != nil {
		if isEOF(err) {
			r.eof = true
		} else if r.err == nil {
			r.err = err
		}
	}
	return err
}

func isolationName(l driver.IsolationLevel) string { return sql.IsolationLevel(l).String() }
