package sqltimeline

import (
	"context"
	"database/sql/driver"
	"errors"

	"github.com/oops-go/oops/timeline"
)

// errNotRun finishes an entry whose statement database/sql prepared but then
// did not run (its arguments failed to convert, or the connection went away).
var errNotRun = errors.New("sqltimeline: statement prepared but not run")

// startIn begins the entry of one statement in tl, ctx's timeline, or
// returns the zero Action (whose Finish does nothing) when tl is nil or the
// filter says no.
func (c *config) startIn(ctx context.Context, tl *timeline.Timeline, query string, args []driver.NamedValue) timeline.Action {
	if c.plain && tl != nil {
		return tl.Start(c.rec.Category, query)
	}
	return c.rec.Start(ctx, tl, query, args)
}

// withArgs returns query followed by its recorded arguments (see
// sqlrec.Config.WithArgs).
func (c *config) withArgs(query string, args []driver.NamedValue) string {
	return c.rec.WithArgs(query, args)
}

// finish ends a with err, except for driver.ErrSkip, which is control flow
// and never the statement's outcome.
func finish(a timeline.Action, err error) {
	if err == driver.ErrSkip {
		err = nil
	}
	a.FinishErr(err)
}
