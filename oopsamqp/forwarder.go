package oopsamqp

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/datedir"
)

// DefaultForwardInterval is how often a Forwarder looks at its spool.
const DefaultForwardInterval = time.Second

// ForwarderOptions configure NewForwarder.
type ForwarderOptions struct {
	// Interval is the time between two passes over the spool; zero means
	// DefaultForwardInterval. A pass also starts as soon as a Publisher
	// destination reconnects.
	Interval time.Duration
	// Logger receives a record for each pass that forwarded reports or met
	// errors; nil means slog.Default().
	Logger *slog.Logger
}

// ForwarderStats counts what a Forwarder did.
type ForwarderStats struct {
	Forwarded uint64 // reports the destination took, removed from the spool
	Passes    uint64 // passes over the spool
}

// A Forwarder drains a spool (a datedir.Repo that took reports while the
// broker was away, through oops.WithFallback) into a destination, usually a
// Publisher: it hands on each report, oldest first, and removes its file only
// once the destination returned its id, which a Publisher does only after
// the broker's confirm. A pass stops at the first report the destination
// refuses (the broker is away again) and the next pass starts over. Files
// that hold no report stay, and are logged each pass.
//
// Several forwarders (in several processes) may drain one spool; a report
// two of them send at once arrives twice under one id, which the stores keep
// once. A Forwarder is safe for concurrent use.
type Forwarder struct {
	spool *datedir.Repo
	dest  oops.Publisher
	opts  ForwarderOptions
	log   *slog.Logger

	mu sync.Mutex // one pass at a time

	forwarded, passes atomic.Uint64
}

// NewForwarder returns a Forwarder from spool to dest; nil opts means the
// defaults.
func NewForwarder(spool *datedir.Repo, dest oops.Publisher, o *ForwarderOptions) *Forwarder {
	var opts ForwarderOptions
	if o != nil {
		opts = *o
	}
	if opts.Interval <= 0 {
		opts.Interval = DefaultForwardInterval
	}
	return &Forwarder{spool: spool, dest: dest, opts: opts, log: logger(opts.Logger)}
}

// readier is what a destination implements to tell it is connected
// (Publisher does).
type readier interface{ Ready() <-chan struct{} }

// Run forwards until ctx is done, a pass every Interval (or as soon as a
// Publisher destination is connected again), and returns nil then.
func (f *Forwarder) Run(ctx context.Context) error {
	for {
		if rd, ok := f.dest.(readier); ok {
			select {
			case <-rd.Ready():
			case <-ctx.Done():
				return nil
			}
		}
		if _, err := f.Forward(ctx); err != nil && ctx.Err() == nil {
			f.log.Warn("oopsamqp: forwarding the spool", "spool", f.spool.Root(), "err", err)
		}
		if !sleep(ctx, f.opts.Interval) {
			return nil
		}
	}
}

// Forward makes one pass over the spool and returns how many reports it
// forwarded (and removed). It stops at the first report the destination
// refuses, returning that error; errors about files that hold no report are
// joined to it.
func (f *Forwarder) Forward(ctx context.Context) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.passes.Add(1)
	pass, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	var refused error
	guard := oops.PublisherFunc(func(ctx context.Context, r *oops.Report) ([]string, error) {
		ids, err := f.dest.Publish(ctx, r)
		if len(ids) == 0 {
			if err == nil {
				err = errors.New("destination kept nothing")
			}
			// The destination is down: stop the pass here rather than
			// fail once per spooled report.
			refused = err
			stop(err)
		}
		return ids, err
	})
	n, err := f.spool.Republish(pass, guard)
	f.forwarded.Add(uint64(n))
	if n > 0 {
		f.log.Info("oopsamqp: forwarded spooled reports", "spool", f.spool.Root(), "reports", n)
	}
	if refused != nil {
		// Republish's joined errors hold the refusal and the cancellation
		// it caused; say it once.
		return n, errors.Join(refused, withoutCancel(err))
	}
	return n, err
}

// withoutCancel returns err without its context.Canceled part.
func withoutCancel(err error) error {
	if err == nil {
		return nil
	}
	var keep []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			if !errors.Is(e, context.Canceled) && !errors.Is(e, ErrUnavailable) && !errors.Is(e, ErrNotConfirmed) {
				keep = append(keep, e)
			}
		}
		return errors.Join(keep...)
	}
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// Stats returns the counters so far.
func (f *Forwarder) Stats() ForwarderStats {
	return ForwarderStats{Forwarded: f.forwarded.Load(), Passes: f.passes.Load()}
}
