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
	// Under the lock, copy what each entry holds straight into the result;
	// outside it, render what is lazy (a Stringer may be slow, or log) and
	// turn stacks into text.
	t.mu.Lock()
	now := time.Since(t.start)
	out := make([]Entry, t.len())
	var buf [8]pending // a request's timeline seldom has more
	later := buf[:0]
	for i := range out {
		e := t.slot(i)
		end := atomic.LoadInt64(&e.end)
		lazy, x := e.parts()
		o := Entry{Start: e.start, End: time.Duration(end), Category: e.category, Detail: e.detail, Err: x.error()}
		if isOpen(end) {
			o.End, o.Unfinished = now, true
		}
		if lazy != nil || len(x.stack()) > 0 {
			o.Detail = ""
			s, _ := lazy.(fmt.Stringer)
			later = append(later, pending{i: i, detail: e.detail, lazy: s, pcs: x.stack()})
		}
		out[i] = o
	}
	if len(later) > 0 {
		t.readers++ // details in later must not be released while rendered
	}
	t.mu.Unlock()

	if len(later) > 0 {
		defer func() {
			t.mu.Lock()
			t.readers--
			t.mu.Unlock()
		}()
		for _, p := range later {
			out[p.i].Detail = detailString(p.detail, p.lazy)
			if len(p.pcs) > 0 {
				out[p.i].Stack = stack.Format(p.pcs)
			}
		}
	}
	// Entries are stored in the order they started, but for those added
	// with a start of their own (Add): most timelines need no sorting.
	if !slices.IsSortedFunc(out, compareStart) {
		slices.SortStableFunc(out, compareStart)
	}
	return out
}

// A pending entry is one Entries renders once the lock is released.
type pending struct {
	i      int
	detail string
	lazy   fmt.Stringer
	pcs    []uintptr
}

func compareStart(a, b Entry) int { return cmp.Compare(a.Start, b.Start) }

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
