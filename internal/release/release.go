// Package release is the memory-reuse plumbing between timeline, flight and
// the logger integrations: a kept log record whose storage its owner takes
// back once nothing can read it any more.
package release

import (
	"fmt"
	"time"
)

// A Releaser is a kept record, or a lazy timeline detail, whose storage its
// owner reuses. Release tells the owner that nothing will read it again: it is
// called once, outside any lock, from the goroutine that dropped it, and must
// be fast. From then on the owner may overwrite it.
type Releaser interface {
	fmt.Stringer
	Release()
}

// AddToTimeline is set by package timeline (which imports this one, so this
// one cannot name its type): it adds an entry at time at (start == end) to
// tl, a *timeline.Timeline (a nil one adds nothing), whose lazy detail is
// detail, a fmt.Stringer. When detail is also a Releaser, the timeline
// releases it when its cap drops the entry and no Entries call can still be
// rendering it. A timeline that is simply dropped releases nothing: its
// details go to the garbage collector with it. detail is an any so that the
// caller, holding it as an interface of its own (such as flight.Record),
// passes it on without a conversion between interface types (a look-up of
// their method table at run time) or a test of whether it is a Releaser:
// the timeline asks that only of the entries its cap drops.
var AddToTimeline func(tl any, category string, at time.Time, detail any)
