package timeline

import "time"

// An Observer is told of every action of a timeline as it starts and as it
// finishes, for example to mirror actions as tracing spans. Its methods are
// called outside the timeline's lock, from the goroutine that starts or
// finishes the action; they must be safe for concurrent use and fast.
// Entries added with Add are not observed: they describe steps that other
// instrumentation already saw.
type Observer interface {
	// Started is called when a is started.
	Started(a Action, category, detail string, start time.Time)
	// Finished is called once, when a is first finished.
	Finished(a Action, end time.Time, err error)
}
