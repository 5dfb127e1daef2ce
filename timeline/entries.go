package timeline

import (
	"cmp"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"github.com/oops-go/oops/internal/stack"
)

// An Entry is one action of a timeline as Entries reports it.
type Entry struct {
	// Start and End are offsets from the timeline's start. An unfinished
	// action ends "now", when Entries was called.
	Start, End time.Duration
	Category   string
	Detail     string
	// Stack is the goroutine-dump text of the stack that started the action,
	// or "" when stacks are off.
	Stack string
	// Err is the error the action finished with, if any.
	Err error
	// Unfinished is true for an action that had not finished yet.
	Unfinished bool
}

// Entries returns the timeline's entries ordered by start time. Details given
// as fmt.Stringer and stacks are rendered now; a Stringer that panics gives a
// placeholder detail.
func (t *Timeline) Entries() []Entry {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	now := time.Since(t.start)
	raw := make([]entry, t.n)
	for i := range raw {
		e := t.slot(i)
		raw[i] = entry{start: e.start, end: atomic.LoadInt64(&e.end), category: e.category,
			detail: e.detail, lazy: e.lazy, x: e.x}
	}
	t.readers++ // details in raw must not be released while rendered
	t.mu.Unlock()
	defer func() {
		t.mu.Lock()
		t.readers--
		t.mu.Unlock()
	}()

	out := make([]Entry, len(raw))
	for i, e := range raw {
		o := Entry{Start: e.start, End: time.Duration(e.end), Category: e.category, Detail: detailString(e.detail, e.lazy), Err: e.x.error()}
		if isOpen(e.end) {
			o.End, o.Unfinished = now, true
		}
		if pcs := e.x.stack(); len(pcs) > 0 {
			o.Stack = stack.Format(pcs)
		}
		out[i] = o
	}
	slices.SortStableFunc(out, func(a, b Entry) int { return cmp.Compare(a.Start, b.Start) })
	return out
}

func detailString(detail string, lazy fmt.Stringer) (s string) {
	if lazy == nil {
		return detail
	}
	defer func() {
		if r := recover(); r != nil {
			s = fmt.Sprintf("<detail panicked: %v>", r)
		}
	}()
	return lazy.String()
}
