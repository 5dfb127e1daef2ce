package oops

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// DefaultQueueSize is the queue size of an Async made with a zero size.
const DefaultQueueSize = 1024

// ErrQueueFull is returned by Async.Publish when the queue has no room.
var ErrQueueFull = errors.New("oops: async publisher queue is full")

// ErrClosed is returned by Async.Publish after Close.
var ErrClosed = errors.New("oops: async publisher is closed")

// ErrPublisherPanicked is wrapped by the error an Async hands to OnError for
// a report whose inner publisher panicked.
var ErrPublisherPanicked = errors.New("oops: publisher panicked")

// AsyncStats counts what an Async did with the reports it was given.
type AsyncStats struct {
	Queued        uint64 // accepted into the queue
	Published     uint64 // handed to the inner publisher, which returned no error
	DroppedFull   uint64 // refused because the queue was full
	DroppedError  uint64 // the inner publisher returned an error
	DroppedPanic  uint64 // the inner publisher panicked
	DroppedClosed uint64 // refused after Close, or still queued or in flight when Close gave up
	// Superseded counts queued pending revisions that a later revision of
	// the same report replaced before a worker took them: the later one was
	// published in their place (and is counted on its own).
	Superseded uint64
}

// An AbandonedError is what Close returns when its context ends before the
// queue has drained.
type AbandonedError struct {
	// Abandoned counts the reports still queued or being published when
	// Close gave up on them. Queued ones are dropped; the one being
	// published sees its context canceled, and may still be published by an
	// inner publisher that ignores its context.
	Abandoned int
	Err       error // the context's error
}

func (e *AbandonedError) Error() string {
	return fmt.Sprintf("oops: async publisher closed with %d reports abandoned: %v", e.Abandoned, e.Err)
}

// Unwrap returns the context's error, so that errors.Is(err,
// context.DeadlineExceeded) holds.
func (e *AbandonedError) Unwrap() error { return e.Err }

// Async is a Publisher that puts reports on a bounded queue and publishes
// them from one goroutine (AsyncOptions.Workers for more), so that the caller
// never waits for the inner publisher's I/O. It counts what it drops and why
// (see Stats). Flush waits for the queue to drain; Close drains it and stops
// the goroutines.
//
// A panic in the inner publisher never takes the program down: the worker
// recovers, counts the report as DroppedPanic, hands OnError an error
// wrapping ErrPublisherPanicked, and goes on with the next report.
//
// Publish returns the report's own id at once: the inner publisher must keep
// r.ID (the stores in this module do). The caller must not change a report
// after handing it to Publish. Async is safe for concurrent use.
//
// A revision replaces a queued earlier one: when a report with Pending set is
// still on the queue as a later revision of it (same id, higher Revision)
// arrives, the later one takes its place in the queue and the earlier one is
// never handed to the inner publisher (see AsyncStats.Superseded). Stores
// keep the latest revision of an id anyway, so this writes once what would
// have been written twice (a request's report made at a logged error and
// completed when the request ends, a moment later), and a crash loses no
// more than it would have: both were in memory. A revision that arrives once
// the earlier one is being published is queued as any report.
type Async struct {
	inner  Publisher
	queue  chan *Report
	ctx    context.Context // given to the inner publisher; canceled when Close gives up
	cancel context.CancelFunc
	done   chan struct{} // closed when every worker goroutine has exited

	mu      sync.Mutex // guards closed, pending, idle, latest; held while sending to queue
	closed  bool
	pending int           // queued or being published
	idle    chan struct{} // made by a waiting Flush; closed and cleared when pending drops to zero
	// latest holds, by id, the queued reports with Pending set, each mapped
	// to the latest revision published since (itself when none): the worker
	// that takes the queued one publishes that instead.
	latest map[string]*Report

	queued, published, full, failed, panicked, dropClosed, superseded atomic.Uint64
	onError                                                           func(*Report, error)
}

// AsyncOptions configure NewAsync.
type AsyncOptions struct {
	// QueueSize bounds the queue; zero means DefaultQueueSize.
	QueueSize int
	// OnError, if set, is called from a worker goroutine with each report
	// the inner publisher failed to publish (returned an error or
	// panicked). A panic in OnError is recovered and ignored.
	OnError func(r *Report, err error)
	// Workers is how many goroutines publish to the inner publisher at once;
	// zero means one. More than one suits a publisher that waits on a round
	// trip per report but takes many at once, such as a message broker with
	// publisher confirms; reports are then published out of queue order, and
	// the inner publisher must be safe for concurrent use.
	Workers int
}

// NewAsync starts the goroutines that publish to inner and returns the Async
// in front of it. A nil opts means the defaults.
func NewAsync(inner Publisher, o *AsyncOptions) *Async {
	var opts AsyncOptions
	if o != nil {
		opts = *o
	}
	n := opts.QueueSize
	if n <= 0 {
		n = DefaultQueueSize
	}
	ctx, cancel := context.WithCancel(context.Background())
	a := &Async{
		inner:   inner,
		queue:   make(chan *Report, n),
		ctx:     ctx,
		cancel:  cancel,
		done:    make(chan struct{}),
		onError: opts.OnError,
	}
	workers := max(opts.Workers, 1)
	var wg sync.WaitGroup
	wg.Add(workers)
	for range workers {
		go func() {
			defer wg.Done()
			a.run()
		}()
	}
	go func() {
		wg.Wait()
		close(a.done)
	}()
	return a
}

// Publish queues r and returns []string{r.ID} without waiting. It returns
// ErrQueueFull or ErrClosed, and no ids, when r was not queued.
func (a *Async) Publish(_ context.Context, r *Report) ([]string, error) {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		a.dropClosed.Add(1)
		return nil, ErrClosed
	}
	if r.Revision > 0 && len(a.latest) > 0 {
		if q, ok := a.latest[r.ID]; ok && q.Revision < r.Revision {
			// An earlier revision still waits in the queue: this one takes
			// its place there.
			a.latest[r.ID] = r
			a.mu.Unlock()
			a.queued.Add(1)
			a.superseded.Add(1)
			return []string{r.ID}, nil
		}
	}
	select {
	case a.queue <- r:
		a.pending++
		if r.Pending {
			if a.latest == nil {
				a.latest = make(map[string]*Report)
			}
			if _, ok := a.latest[r.ID]; !ok {
				a.latest[r.ID] = r
			}
		}
		a.mu.Unlock()
		a.queued.Add(1)
		return []string{r.ID}, nil
	default:
		a.mu.Unlock()
		a.full.Add(1)
		return nil, ErrQueueFull
	}
}

func (a *Async) run() {
	for r := range a.queue {
		if r.Pending {
			r = a.take(r)
		}
		if a.ctx.Err() != nil {
			a.dropClosed.Add(1)
		} else if panicked, err := a.publish(r); err != nil {
			switch {
			case a.ctx.Err() != nil:
				// Close gave up on it: the reason is the close, not the store.
				a.dropClosed.Add(1)
			case panicked:
				a.panicked.Add(1)
			default:
				a.failed.Add(1)
			}
			a.report(r, err)
		} else {
			a.published.Add(1)
		}
		a.mu.Lock()
		a.pending--
		if a.pending == 0 && a.idle != nil {
			close(a.idle)
			a.idle = nil
		}
		a.mu.Unlock()
	}
}

// take returns what to publish for r, a queued pending report: the latest
// revision of it published since, or r itself. From then on a revision of r
// is queued as any report.
func (a *Async) take(r *Report) *Report {
	a.mu.Lock()
	defer a.mu.Unlock()
	if q, ok := a.latest[r.ID]; ok && (q == r || q.Revision > r.Revision) {
		delete(a.latest, r.ID)
		return q
	}
	return r
}

// publish hands r to the inner publisher, turning a panic into an error: one
// bad report or store must not stop the worker, nor the program.
func (a *Async) publish(r *Report) (panicked bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %v\n%s", ErrPublisherPanicked, p, debug.Stack())
			panicked = true
		}
	}()
	_, err = a.inner.Publish(a.ctx, r)
	return false, err
}

// report hands a failure to OnError, which may not crash the worker either.
func (a *Async) report(r *Report, err error) {
	if a.onError == nil {
		return
	}
	defer func() { _ = recover() }()
	a.onError(r, err)
}

// Flush waits until every report queued so far has been handed to the inner
// publisher, or ctx is done.
func (a *Async) Flush(ctx context.Context) error {
	a.mu.Lock()
	if a.pending == 0 {
		a.mu.Unlock()
		return nil
	}
	if a.idle == nil {
		a.idle = make(chan struct{})
	}
	idle := a.idle
	a.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops accepting reports, publishes what is queued and stops the
// goroutines. If ctx ends first, Close returns at once an *AbandonedError
// (wrapping ctx.Err()) that says how many reports were still queued or being
// published: the report being published sees its context canceled, and the
// rest are counted as DroppedClosed as the goroutines drop them. Close does
// not wait for an inner publisher that ignores its context; a goroutine
// stops when that publisher returns. Close is idempotent.
func (a *Async) Close(ctx context.Context) error {
	a.mu.Lock()
	if !a.closed {
		a.closed = true
		close(a.queue)
	}
	a.mu.Unlock()
	select {
	case <-a.done:
		a.cancel()
		return nil
	case <-ctx.Done():
	}
	a.mu.Lock()
	n := a.pending
	a.mu.Unlock()
	a.cancel()
	if n == 0 {
		// The last report finished as ctx ended.
		return nil
	}
	return &AbandonedError{Abandoned: n, Err: ctx.Err()}
}

// Stats returns the counters so far.
func (a *Async) Stats() AsyncStats {
	return AsyncStats{
		Queued:        a.queued.Load(),
		Published:     a.published.Load(),
		DroppedFull:   a.full.Load(),
		DroppedError:  a.failed.Load(),
		DroppedPanic:  a.panicked.Load(),
		DroppedClosed: a.dropClosed.Load(),
		Superseded:    a.superseded.Load(),
	}
}
