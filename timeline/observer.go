package timeline

import (
	"context"
	"time"
)

// An Observer is told of every action of a timeline as it starts and as it
// finishes, for example to mirror actions as tracing spans. Its methods are
// called outside the timeline's lock, from the goroutine that starts or
// finishes the action; they must be safe for concurrent use and fast.
// Entries added with Add are not observed: they describe steps that other
// instrumentation already saw.
type Observer interface {
	// Started is called when a is started.
	Started(a Action, category, detail string, start time.Time)
	// Finished is called once, when a is first finished. For an action the
	// cap has already dropped the timeline no longer knows whether it was
	// finished, so every Finish of it is passed on.
	Finished(a Action, end time.Time, err error)
}

// A ContextObserver is an Observer that is also told of the context a
// timeline is put in, so that one observer shared by many timelines (as a
// middleware's options give every request's timeline the same one) can tell
// their surroundings apart: for example, to make the spans it mirrors
// actions as children of each request's own span.
type ContextObserver interface {
	Observer
	// Attached is called by NewContext(ctx, t), with the context NewContext
	// returns, when t's Observer is a ContextObserver. A timeline put in
	// several contexts is attached once per NewContext call.
	Attached(ctx context.Context, t *Timeline)
}
