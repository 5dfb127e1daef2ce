package flight

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/oops-go/oops"
)

// Reasons a report was not stored, as DropReason names them. A log line
// whose report was not stored carries one of them instead of an id (slogoops
// and zapoops: the attribute oops_dropped), so that every id a line quotes
// names a stored report.
const (
	DropFiltered  = "filtered"   // a Config filter dropped it
	DropQueueFull = "queue_full" // an oops.Async queue was full
	DropClosed    = "closed"     // the oops.Async was closed
	DropError     = "error"      // the publisher failed
	DropNotStored = "not_stored" // no publisher, or none returned an id
	// DropSuppressed is for a record whose report a rate limit held back
	// (VerdictSuppress); it is counted in Stats.Suppressed, not here.
	DropSuppressed = "suppressed"
)

// DropReason names why a publication that returned no ids stored nothing,
// from the error Config.Publish returned: one of the Drop constants.
func DropReason(err error) string {
	switch {
	case err == nil:
		return DropNotStored
	case errors.Is(err, oops.ErrFiltered):
		return DropFiltered
	case errors.Is(err, oops.ErrQueueFull):
		return DropQueueFull
	case errors.Is(err, oops.ErrClosed):
		return DropClosed
	}
	return DropError
}

// Drops counts reports not stored, by reason.
type Drops struct {
	Filtered, QueueFull, Closed, Error, NotStored uint64
}

// Total returns the sum of the counts.
func (d Drops) Total() uint64 { return d.Filtered + d.QueueFull + d.Closed + d.Error + d.NotStored }

func (d *Drops) add(reason string) {
	switch reason {
	case DropFiltered:
		d.Filtered++
	case DropQueueFull:
		d.QueueFull++
	case DropClosed:
		d.Closed++
	case DropError:
		d.Error++
	default:
		d.NotStored++
	}
}

// A DropSummary tells Options.OnDrops about the reports not stored since
// the last summary. Reports a filter dropped, or that a Config publishing
// nowhere did not store, are not in it: that was chosen.
type DropSummary struct {
	Since   time.Time // when the interval began
	Drops   Drops     // counts by reason (Filtered and NotStored are zero)
	LastErr error     // the last publisher error of the interval, if any
}

// String formats s as one line.
func (s DropSummary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "oops: %d reports not stored since %s:", s.Drops.Total(), s.Since.UTC().Format(time.RFC3339))
	for _, c := range []struct {
		n    uint64
		name string
	}{{s.Drops.QueueFull, DropQueueFull}, {s.Drops.Closed, DropClosed}, {s.Drops.Error, DropError}} {
		if c.n > 0 {
			fmt.Fprintf(&b, " %s=%d", c.name, c.n)
		}
	}
	if s.LastErr != nil {
		fmt.Fprintf(&b, " (last error: %v)", s.LastErr)
	}
	return b.String()
}

// dropLog counts drops and reports them at most once per interval, so that
// a storm of failures writes a line a minute rather than a line a failure.
type dropLog struct {
	every time.Duration
	emit  func(DropSummary)

	mu      sync.Mutex
	total   Drops       // since the start
	cur     DropSummary // since the last summary
	pending bool        // cur holds drops not yet reported
	armed   bool        // a timer will report cur at the interval's end
}

func newDropLog(every time.Duration, emit func(DropSummary)) *dropLog {
	if emit == nil {
		emit = func(s DropSummary) { fmt.Fprintln(os.Stderr, s.String()) }
	}
	// A summary is told from a log call or a timer: one that panics must
	// break neither.
	safe := func(s DropSummary) {
		defer func() { _ = recover() }()
		emit(s)
	}
	return &dropLog{every: every, emit: safe}
}

func (l *dropLog) add(reason string, err error) {
	l.mu.Lock()
	l.total.add(reason)
	if reason == DropFiltered || reason == DropNotStored {
		// Chosen: a filter, or a Config that publishes nowhere.
		l.mu.Unlock()
		return
	}
	if !l.pending {
		l.cur = DropSummary{Since: time.Now()}
		l.pending = true
	}
	l.cur.Drops.add(reason)
	if err != nil {
		l.cur.LastErr = err
	}
	if l.armed {
		l.mu.Unlock()
		return
	}
	// The first drop after a quiet interval is told at once.
	s := l.take()
	l.armed = true
	time.AfterFunc(l.every, l.tick)
	l.mu.Unlock()
	l.emit(s)
}

// tick ends an interval: it reports what it gathered, or goes quiet.
func (l *dropLog) tick() {
	l.mu.Lock()
	if !l.pending {
		l.armed = false
		l.mu.Unlock()
		return
	}
	s := l.take()
	time.AfterFunc(l.every, l.tick)
	l.mu.Unlock()
	l.emit(s)
}

// take returns cur and starts a new interval. l.mu is held.
func (l *dropLog) take() DropSummary {
	s := l.cur
	l.cur, l.pending = DropSummary{}, false
	return s
}

func (l *dropLog) totals() Drops {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.total
}
