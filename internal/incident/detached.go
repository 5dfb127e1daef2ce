package incident

import (
	"context"
	"time"
)

// Detached is what context.WithoutCancel(Parent) returns: a context with
// Parent's values that is never canceled and has no deadline, so that a
// unit's reports are published even after its client went away. Unlike
// context.WithoutCancel's, it can live inside the owner's own state (no
// allocation to make it), and its Value makes none (context.WithoutCancel's
// Value allocates on every call). Parent must be set before use and not
// changed.
type Detached struct {
	Parent context.Context
}

// Deadline returns no deadline.
func (*Detached) Deadline() (time.Time, bool) { return time.Time{}, false }

// Done returns nil: a Detached is never canceled.
func (*Detached) Done() <-chan struct{} { return nil }

// Err returns nil: a Detached is never canceled.
func (*Detached) Err() error { return nil }

// Value returns Parent's value for key. The context package asks a
// context for its cancellation by a key too, but only once it reports an
// error (context.Cause) or a Done channel (context.WithCancel and the
// others), which a Detached never does: the parent's cancellation stays
// the parent's.
func (c *Detached) Value(key any) any { return c.Parent.Value(key) }

// String names the context as context.WithoutCancel's names itself.
func (c *Detached) String() string {
	if s, ok := c.Parent.(interface{ String() string }); ok {
		return s.String() + ".WithoutCancel"
	}
	return "context.WithoutCancel"
}
