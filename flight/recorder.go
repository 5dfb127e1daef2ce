package flight

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/timeline"
)

// Defaults for the zero Options.
const (
	DefaultRingSize       = 100
	DefaultWindowRecords  = 100
	DefaultWindowDuration = 5 * time.Second
	DefaultBurst          = 10
	DefaultEvery          = time.Minute
	DefaultMaxSignatures  = 10000
)

// Options configure a Recorder. The zero value gives the defaults: rings of
// 100 records per level, no trailing window, a burst of 10 reports per
// signature then one a minute.
type Options struct {
	// RingSize is how many records each level's ring keeps. Zero means
	// DefaultRingSize; a negative value keeps no rings (records kept into a
	// ctx timeline are still kept there).
	RingSize int

	// Window turns the trailing window on: after a report, keep recording
	// until WindowRecords records have been kept or WindowDuration has
	// passed, then publish the report again, under the same id, with them.
	Window bool
	// WindowRecords closes the window after this many records; zero means
	// DefaultWindowRecords.
	WindowRecords int
	// WindowDuration closes the window after this long; zero means
	// DefaultWindowDuration.
	WindowDuration time.Duration

	// Burst is how many reports of one signature are published before the
	// rate limit applies; zero means DefaultBurst, a negative value turns
	// rate limiting off.
	Burst int
	// Every is how often one more report of a signature is let through
	// after the burst; zero means DefaultEvery.
	Every time.Duration
	// MaxSignatures bounds how many signatures get a bucket of their own;
	// past it, new signatures share one. Zero means DefaultMaxSignatures.
	MaxSignatures int
}

// A Recorder keeps log records, attaches them to reports, runs the trailing
// window and the rate limits. Make one with New, or use Default. It is safe
// for concurrent use.
type Recorder struct {
	opts  Options
	rings [4]ring
	limit *limiter

	win     atomic.Pointer[window] // the open window, if any
	mu      sync.Mutex             // serializes opening windows
	pending pending                // windows being published

	reported, folded, suppressed, windows atomic.Uint64
}

// New returns a Recorder with the given options.
func New(opts Options) *Recorder {
	if opts.RingSize == 0 {
		opts.RingSize = DefaultRingSize
	}
	if opts.WindowRecords <= 0 {
		opts.WindowRecords = DefaultWindowRecords
	}
	if opts.WindowDuration <= 0 {
		opts.WindowDuration = DefaultWindowDuration
	}
	if opts.Burst == 0 {
		opts.Burst = DefaultBurst
	}
	if opts.Every <= 0 {
		opts.Every = DefaultEvery
	}
	if opts.MaxSignatures <= 0 {
		opts.MaxSignatures = DefaultMaxSignatures
	}
	r := &Recorder{opts: opts, limit: newLimiter(opts.Burst, opts.Every, opts.MaxSignatures)}
	for i := range r.rings {
		r.rings[i].size = max(opts.RingSize, 0)
	}
	return r
}

var defaultRecorder = sync.OnceValue(func() *Recorder { return New(Options{}) })

// Default returns the process-wide Recorder, made with the zero Options on
// first use. Integrations use it when not given one, so that all of a
// process's loggers share its rings and rate limits.
func Default() *Recorder { return defaultRecorder() }

// Options returns the options r was made with, defaults filled in.
func (r *Recorder) Options() Options { return r.opts }

// Keep keeps rec, a record at level logged at time t: as a timeline entry of
// category level.Category() when ctx carries a timeline, else in the ring of
// its level; and in the open trailing window, if any. rec must not change
// afterwards. Keep does not render rec, and for the four standard levels it
// allocates nothing itself outside a trailing window (a timeline's entries
// grow as the timeline's own amortized appends).
func (r *Recorder) Keep(ctx context.Context, level Level, t time.Time, rec Record) {
	if rec == nil {
		return
	}
	w := r.win.Load()
	if tl := timeline.FromContext(ctx); tl != nil {
		// A Record is a timeline.Releaser when it is a Releaser. One the
		// window also reads must outlive the timeline entry: not released.
		if rel, ok := rec.(timeline.Releaser); ok && w == nil {
			tl.AddReleasable(level.Category(), t, t, rel)
		} else {
			tl.AddLazy(level.Category(), t, t, rec)
		}
	} else {
		r.rings[level.bucket()].put(kept{t: t, level: level, rec: rec, shared: w != nil})
	}
	if w != nil {
		r.addToWindow(w, kept{t: t, level: level, rec: rec})
	}
}

// Records renders what the rings hold now, oldest first.
func (r *Recorder) Records() []oops.LogRecord {
	var parts [len(r.rings)][]kept
	n := 0
	for i := range r.rings {
		parts[i] = r.rings[i].acquire(nil)
		n += len(parts[i])
	}
	defer func() {
		for i := range r.rings {
			r.rings[i].done()
		}
	}()
	if n == 0 {
		return nil
	}
	out := make([]oops.LogRecord, 0, n)
	// Each ring is in the order records were kept: merge them by time.
	for len(out) < n {
		best := -1
		for i, p := range parts {
			if len(p) > 0 && (best < 0 || p[0].t.Before(parts[best][0].t)) {
				best = i
			}
		}
		k := parts[best][0]
		parts[best] = parts[best][1:]
		out = append(out, render(k.rec, k.t, k.level))
	}
	return out
}

// Reset empties the rings (tests use it to start clean).
func (r *Recorder) Reset() {
	for i := range r.rings {
		r.rings[i].reset()
	}
}

// A Verdict says what to do with a record at the report level.
type Verdict int

const (
	// Report: make a report and hand it to Publish.
	Report Verdict = iota
	// Fold: the record joined the open trailing window, whose report has the
	// id Decision.ID; make no new report.
	Fold
	// Suppress: the signature's rate limit held the report back; it is
	// counted and the count goes on the next report of the signature.
	Suppress
)

// String names the verdict.
func (v Verdict) String() string {
	switch v {
	case Report:
		return "report"
	case Fold:
		return "fold"
	case Suppress:
		return "suppress"
	}
	return "verdict(?)"
}

// A Decision is Trigger's answer, to be handed to Publish when its Verdict
// is Report.
type Decision struct {
	Verdict Verdict
	// ID is the report's id when a trailing window is involved: the open
	// window's (Fold) or the new window's (Report). Publish sets it on the
	// report. Empty otherwise.
	ID string
	// Signature is the signature Trigger was given.
	Signature string
	// Suppressed counts the reports of this signature held back since the
	// last one published (Report only).
	Suppressed int

	w *window
}

// Trigger decides what becomes of rec, a record at the report level with
// signature sig (see Signature). An open trailing window takes it (Fold);
// else the signature's rate limit decides between Report and Suppress. With
// the window on, a Report verdict opens a new window at once, so triggers
// that follow fold into it even before the report is published. rec may be
// nil; if not, it must not change afterwards.
func (r *Recorder) Trigger(sig string, rec Record) Decision {
	now := time.Now()
	if d, ok := r.fold(rec, now); ok {
		return d
	}
	ok, suppressed := r.limit.allow(sig, now)
	if !ok {
		r.suppressed.Add(1)
		return Decision{Verdict: Suppress, Signature: sig}
	}
	d := Decision{Verdict: Report, Signature: sig, Suppressed: suppressed}
	if !r.opts.Window {
		r.reported.Add(1)
		return d
	}
	r.mu.Lock()
	if w := r.win.Load(); w != nil {
		// Another trigger opened a window meanwhile: join it. The token
		// taken stays taken, and the count of suppressed reports goes back.
		r.mu.Unlock()
		if suppressed > 0 {
			r.limit.giveBack(sig, suppressed)
		}
		if d, ok := r.fold(rec, now); ok {
			return d
		}
		r.reported.Add(1)
		return Decision{Verdict: Report, Signature: sig}
	}
	w := &window{id: oops.NewID(), max: r.opts.WindowRecords}
	r.win.Store(w)
	r.mu.Unlock()
	w.mu.Lock()
	w.timer = time.AfterFunc(r.opts.WindowDuration, func() { r.closeWindow(w) })
	w.mu.Unlock()
	r.windows.Add(1)
	r.reported.Add(1)
	d.ID, d.w = w.id, w
	return d
}

func (r *Recorder) fold(rec Record, now time.Time) (Decision, bool) {
	w := r.win.Load()
	if w == nil {
		return Decision{}, false
	}
	if !r.addToWindow(w, kept{t: now, level: LevelError, rec: rec}) {
		return Decision{}, false
	}
	r.folded.Add(1)
	return Decision{Verdict: Fold, ID: w.id}, true
}

// ErrNotReport is returned by Publish for a Decision whose Verdict is not
// Report.
var ErrNotReport = errors.New("flight: decision is not to report")

// Publish completes rep, made by cfg.Create for a Decision d whose Verdict
// is Report, and publishes it through cfg: it sets rep.ID to d.ID (when a
// window is open), rep.Signature (unless set), adds d.Suppressed to
// rep.Suppressed and appends the rings' records (Records) to rep.Log. With a
// window, a copy is kept to publish again when the window closes.
//
// It publishes with cfg.Publish and returns the id to quote with the log
// line (the last id the publisher returned, or rep.ID as it was handed
// over), the publisher's ids and its error (oops.ErrFiltered when a filter
// dropped the report). rep must not be read or changed afterwards: the
// publisher (an oops.Async) may be reading it on another goroutine.
func (r *Recorder) Publish(ctx context.Context, cfg *oops.Config, d Decision, rep *oops.Report) (id string, ids []string, err error) {
	if d.Verdict != Report {
		return "", nil, ErrNotReport
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if d.ID != "" {
		rep.ID = d.ID
	}
	if rep.Signature == "" {
		rep.Signature = d.Signature
	}
	rep.Suppressed += d.Suppressed
	rep.Log = append(rep.Log, r.Records()...)
	id = rep.ID
	var base *oops.Report
	if d.w != nil {
		base = rep.Clone()
	}
	ids, err = cfg.Publish(ctx, rep)
	if len(ids) > 0 {
		id = ids[len(ids)-1]
	}
	if d.w != nil {
		r.setWindowReport(d.w, context.WithoutCancel(ctx), cfg, base)
	}
	return id, ids, err
}

// Flush closes the open trailing window, if any, and waits until every
// closed window's report has been handed to its Config's publisher, or ctx
// is done.
func (r *Recorder) Flush(ctx context.Context) error {
	if w := r.win.Load(); w != nil {
		r.closeWindow(w)
	}
	return r.pending.wait(ctx)
}

// Stats counts what a Recorder decided.
type Stats struct {
	Reported   uint64 // Trigger verdicts Report
	Folded     uint64 // Trigger verdicts Fold
	Suppressed uint64 // Trigger verdicts Suppress
	Windows    uint64 // trailing windows opened
	Signatures int    // signatures with a rate-limit bucket of their own now
}

// Stats returns the counters so far.
func (r *Recorder) Stats() Stats {
	return Stats{
		Reported:   r.reported.Load(),
		Folded:     r.folded.Load(),
		Suppressed: r.suppressed.Load(),
		Windows:    r.windows.Load(),
		Signatures: r.limit.tracked(),
	}
}
