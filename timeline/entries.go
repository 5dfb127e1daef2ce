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
	// Under the lock, copy what each entry holds straight into the result,
	// field by field into the zeroed slice; outside it, render what is lazy
	// (a Stringer may be slow, or log) and turn stacks into text. The lists
	// of what is left to render live on the stack, with room for a
	// request's timeline.
	var (
		lazyBuf  [16]pendingLazy
		stackBuf [8]pendingStack
	)
	p := pendings{lazies: lazyBuf[:0], stacks: stackBuf[:0]}
	t.mu.Lock()
	now := time.Since(t.start)
	n := t.len()
	out := make([]Entry, n)
	sorted := true
	for pos := 0; pos < n; {
		run := t.run(pos)
		run = run[:min(len(run), n-pos)]
		for j := range run {
			e, o := &run[j], &out[pos+j]
			o.Start, o.Category = e.start(), t.categoryOf(e)
			if pos+j > 0 && o.Start < out[pos+j-1].Start {
				sorted = false
			}
			if end := atomic.LoadInt64(&e.end); isOpen(end) {
				o.End, o.Unfinished = now, true
			} else {
				o.End = time.Duration(end)
			}
			if e.lazy == nil {
				o.Detail = e.detail
				continue
			}
			lazy, x := e.parts()
			if lazy != nil {
				p.lazies = appendPending(p.lazies, pendingLazy{i: pos + j, lazy: lazy}, n-pos-j)
			} else {
				o.Detail = e.detail
			}
			if x != nil {
				o.Err = x.err
				if len(x.pcs) > 0 {
					p.stacks = appendPending(p.stacks, pendingStack{i: pos + j, pcs: x.pcs}, n-pos-j)
				}
			}
		}
		pos += len(run)
	}
	if len(p.lazies) > 0 {
		t.readers++ // details in p.lazies must not be released while rendered
	}
	t.mu.Unlock()

	if len(p.lazies) > 0 {
		defer t.doneReading()
		for i := 0; i < len(p.lazies); {
			i = renderLazies(out, p.lazies, i)
		}
	}
	for _, s := range p.stacks {
		out[s.i].Stack = stack.Format(s.pcs)
	}
	// Entries are stored in the order they started, but for those added
	// with a start of their own (Add): most timelines need no sorting.
	if !sorted {
		slices.SortStableFunc(out, compareStart)
	}
	return out
}

// doneReading ends what Entries began by counting itself in t.readers.
func (t *Timeline) doneReading() {
	t.mu.Lock()
	t.readers--
	t.mu.Unlock()
}

// pendings are what Entries renders once the lock is released.
type pendings struct {
	lazies []pendingLazy
	stacks []pendingStack
}

// A pendingLazy is an entry's lazy detail, a fmt.Stringer, to render.
type pendingLazy struct {
	i    int
	lazy any
}

// A pendingStack is an entry's stack to turn into text.
type pendingStack struct {
	i   int
	pcs []uintptr
}

// appendPending appends p to s, growing it at most once for the entries
// left, of which p is the first: a timeline with more lazy details or
// stacks than Entries has room for on its stack costs one allocation more.
func appendPending[P any](s []P, p P, left int) []P {
	if len(s) == cap(s) {
		s = append(make([]P, 0, len(s)+left), s...)
	}
	return append(s, p)
}

// renderLazies renders the lazy details from lazies[i] on into out and
// returns the index of the next one to render: len(lazies) when done, or
// the one after a Stringer that panicked, whose entry gets a placeholder
// detail. One deferred recover serves all the details up to a panic.
func renderLazies(out []Entry, lazies []pendingLazy, i int) (next int) {
	defer func() {
		if r := recover(); r != nil {
			out[lazies[next].i].Detail = panicDetail(r)
			next++
		}
	}()
	for next = i; next < len(lazies); next++ {
		if s, ok := lazies[next].lazy.(fmt.Stringer); ok {
			out[lazies[next].i].Detail = s.String()
		}
	}
	return next
}

func compareStart(a, b Entry) int { return cmp.Compare(a.Start, b.Start) }

func detailString(detail string, lazy fmt.Stringer) (s string) {
	if lazy == nil {
		return detail
	}
	defer func() {
		if r := recover(); r != nil {
			s = panicDetail(r)
		}
	}()
	return lazy.String()
}

// panicDetail is the detail of an entry whose lazy detail panicked with r.
func panicDetail(r any) string { return fmt.Sprintf("<detail panicked: %v>", r) }
