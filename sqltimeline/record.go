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
	if tl == nil {
		return timeline.Action{}
	}
	if c.filter != nil && !c.filter(ctx, query) {
		return timeline.Action{}
	}
	if c.args && len(args) > 0 {
		query = c.withArgs(query, args)
	}
	if c.stacks {
		return tl.StartStack(c.category, query)
	}
	return tl.Start(c.category, query)
}

// finish ends a with err, except for driver.ErrSkip, which is control flow
// and never the statement's outcome.
func finish(a timeline.Action, err error) {
	if err == driver.ErrSkip {
		err = nil
	}
	a.FinishErr(err)
}
