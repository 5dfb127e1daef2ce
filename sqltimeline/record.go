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

// start begins the entry of one statement, or returns the zero Action (whose
// Finish does nothing) when ctx carries no timeline or the filter says no.
func (c *config) start(ctx context.Context, query string, args []driver.NamedValue) timeline.Action {
	return c.startIn(ctx, timeline.FromContext(ctx), query, args)
}

// startIn is start for a caller that has looked ctx's timeline tl up.
func (c *config) startIn(ctx context.Context, tl *timeline.Timeline, query string, args []driver.NamedValue) timeline.Action {
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
