package flight

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/internal/release"
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
	DefaultDropEvery      = time.Minute
)

// Options configure a Recorder. The zero value gives the defaults: rings of
// 100 records per level, no trailing window, a burst of 10 reports per
// signature then one a minute.
type Options struct {
	// RingSize is how many records each level's ring keeps. Zero (or less)
	// means DefaultRingSize.
	RingSize int
	// NoRings turns the process-wide rings off: records kept without a
	// ctx timeline are dropped (records kept into a ctx timeline are still
	// kept there).
	NoRings bool

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
	// rate limit applies; zero (or less) means DefaultBurst.
	Burst int
	// NoRateLimit turns the per-signature rate limit off: every report is
	// published.
	NoRateLimit bool
	// Every is how often one more report of a signature is let through
	// after the burst; zero means DefaultEvery.
	Every time.Duration
	// MaxSignatures bounds how many signatures get a bucket of their own;
	// past it, new signatures share one. Zero means DefaultMaxSignatures.
	MaxSignatures int

	// OnDrops is told about reports that no store took (refused by a full
	// or closed queue, or failed), at most once per DropEvery: the first
	// drop after a quiet interval at once, then a summary of the interval's
	// drops at its end. Reports a filter dropped, or that a Config with no
	// publisher (or one that stores nothing, as oops.Discard) did not
	// store, are counted (Stats) but not summarized: that was chosen. Nil
	// writes one line per summary to os.Stderr. It is called on its own
	// goroutine or the log call's, never with a lock held; a panic in it is
	// recovered.
	OnDrops func(DropSummary)
	// DropEvery is the interval of OnDrops; zero means DefaultDropEvery.
	DropEvery time.Duration
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
	drops   *dropLog

	// Suppressed verdicts are counted by the limiter (limiter.suppressed),
	// with the signature's own count.
	reported, folded, windows atomic.Uint64
}

// New returns a Recorder with the given options; nil means the defaults.
func New(o *Options) *Recorder {
	var opts Options
	if o != nil {
		opts = *o
	}
	if opts.RingSize <= 0 {
		opts.RingSize = DefaultRingSize
	}
	if opts.WindowRecords <= 0 {
		opts.WindowRecords = DefaultWindowRecords
	}
	if opts.WindowDuration <= 0 {
		opts.WindowDuration = DefaultWindowDuration
	}
	if opts.Burst <= 0 {
		opts.Burst = DefaultBurst
	}
	if opts.Every <= 0 {
		opts.Every = DefaultEvery
	}
	if opts.MaxSignatures <= 0 {
		opts.MaxSignatures = DefaultMaxSignatures
	}
	if opts.DropEvery <= 0 {
		opts.DropEvery = DefaultDropEvery
	}
	burst := opts.Burst
	if opts.NoRateLimit {
		burst = -1 // newLimiter: no limit
	}
	r := &Recorder{opts: opts, limit: newLimiter(burst, opts.Every, opts.MaxSignatures),
		drops: newDropLog(opts.DropEvery, opts.OnDrops)}
	for i := range r.rings {
		if !opts.NoRings {
			r.rings[i].size = opts.RingSize
		}
	}
	return r
}

var defaultRecorder = sync.OnceValue(func() *Recorder { return New(nil) })

// Default returns the process-wide Recorder, made with the zero Options on
// first use. Integrations use it when not given one, so that all of a
// process's loggers share its rings and rate limits.
func Default() *Recorder { return defaultRecorder() }

// Options returns the options r was made with, defaults filled in.
func (r *Recorder) Options() Options { return r.opts }

// Keep keeps rec, a record at level logged at time t: as a timeline entry of
// category "log-<LEVEL>" when ctx carries a timeline, else in the ring of
// its level (and in the open trailing window, if any). The process rings
// and windows thus hold only records logged without a request's context: a
// request's records stay in its own timeline and never reach another
// request's report. rec must not change afterwards (see Record: an
// integration keeps a snapshot). Keep does not render rec, and for the four
// standard levels it allocates nothing itself outside a trailing window (a
// timeline's entries grow as the timeline's own amortized appends).
func (r *Recorder) Keep(ctx context.Context, level slog.Level, t time.Time, rec Record) {
	if rec == nil {
		return
	}
	if tl := timeline.FromContext(ctx); tl != nil {
		// A rec that is a release.Releaser is released once the
		// timeline's cap drops it; the timeline asks, not this hot path.
		c, ok := standardCategory(level)
		if !ok {
			c = category(level)
		}
		release.AddToTimeline(tl, c, t, rec)
		return
	}
	w := r.win.Load()
	r.rings[ringOf(level)].put(kept{t: t, level: level, rec: rec, shared: w != nil})
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
	// VerdictReport: make a report and hand it to Publish.
	VerdictReport Verdict = iota
	// VerdictFold: the record joined the open trailing window, whose report has the
	// id Decision.ID; make no new report.
	VerdictFold
	// VerdictSuppress: the signature's rate limit held the report back; it is
	// counted and the count goes on the next report of the signature.
	VerdictSuppress
)

// String names the verdict.
func (v Verdict) String() string {
	switch v {
	case VerdictReport:
		return "report"
	case VerdictFold:
		return "fold"
	case VerdictSuppress:
		return "suppress"
	}
	return "verdict(?)"
}

// A Decision is Trigger's answer, to be handed to Publish when its Verdict
// is VerdictReport.
type Decision struct {
	Verdict Verdict
	// ID is the report's id, decided here once: the open window's (VerdictFold),
	// or the new report's (VerdictReport), which Publish gives the report (create
	// it with oops.Event.ID set to it, so that the create hooks see it).
	// Empty for VerdictSuppress.
	ID string
	// Signature is the signature Trigger was given.
	Signature string
	// Suppressed counts the reports of this signature held back since the
	// last one published (Report only).
	Suppressed int

	w *window
}

// Trigger decides what becomes of rec, a record at the report level with
// signature sig (see Signature), logged without a request's context. It is
// TriggerContext with context.Background().
func (r *Recorder) Trigger(sig string, rec Record) Decision {
	return r.TriggerContext(context.Background(), sig, rec)
}

// TriggerContext decides what becomes of rec, a record at the report level
// with signature sig (see Signature) logged with ctx. An open trailing
// window takes it (VerdictFold) when ctx carries no timeline or the timeline of the
// window's report: a trigger of another request makes its own report, so
// that the id its log line quotes is about it. Otherwise the signature's
// rate limit decides between VerdictReport and VerdictSuppress. With the window on, a
// Report verdict opens a new window at once, so triggers that follow fold
// into it even before the report is published. rec may be nil; if not, it
// must not change afterwards.
func (r *Recorder) TriggerContext(ctx context.Context, sig string, rec Record) Decision {
	// The wall clock and the ctx timeline are wanted only by an open
	// window; the rate limit runs on the monotonic clock alone (see
	// limiter.elapsed). A storm's suppressed records pay for neither.
	var tl *timeline.Timeline
	if r.win.Load() != nil {
		tl = timeline.FromContext(ctx)
		if d, ok := r.fold(rec, tl, time.Now()); ok {
			return d
		}
	}
	ok, suppressed := true, 0
	if r.limit != nil {
		ok, suppressed = r.limit.allowAt(sig, r.limit.elapsed())
	}
	if !ok {
		return Decision{Verdict: VerdictSuppress, Signature: sig}
	}
	d := Decision{Verdict: VerdictReport, Signature: sig, Suppressed: suppressed}
	if !r.opts.Window {
		r.reported.Add(1)
		d.ID = oops.NewID()
		return d
	}
	r.mu.Lock()
	if w := r.win.Load(); w != nil {
		// Another trigger opened a window meanwhile: join it when it may.
		// The token taken stays taken, and the count of suppressed reports
		// goes back.
		r.mu.Unlock()
		if suppressed > 0 {
			r.limit.giveBack(sig, suppressed)
		}
		if tl == nil {
			tl = timeline.FromContext(ctx)
		}
		if d, ok := r.fold(rec, tl, time.Now()); ok {
			return d
		}
		r.reported.Add(1)
		return Decision{Verdict: VerdictReport, Signature: sig, ID: oops.NewID()}
	}
	if tl == nil {
		tl = timeline.FromContext(ctx)
	}
	w := &window{id: oops.NewID(), max: r.opts.WindowRecords, tl: tl}
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

func (r *Recorder) fold(rec Record, tl *timeline.Timeline, now time.Time) (Decision, bool) {
	w := r.win.Load()
	if w == nil || (tl != nil && tl != w.tl) {
		return Decision{}, false
	}
	if tl != nil {
		// The record is in the window's own timeline, which the window's
		// report reads again when it closes.
		rec = nil
	}
	if !r.addToWindow(w, kept{t: now, level: slog.LevelError, rec: rec}) {
		return Decision{}, false
	}
	r.folded.Add(1)
	return Decision{Verdict: VerdictFold, ID: w.id}, true
}

// ErrNotReport is returned by Publish for a Decision whose Verdict is not
// VerdictReport.
var ErrNotReport = errors.New("flight: decision is not to report")

// Publish completes rep, made by cfg.Create for a Decision d whose Verdict
// is VerdictReport (with oops.Event.ID set to d.ID), and publishes it through cfg:
// it sets rep.ID to d.ID, rep.Signature (unless set), adds d.Suppressed to
// rep.Suppressed and appends the rings' records (Records) to rep.Log.
//
// When the report will be published again under the same id (a trailing
// window, or an oops.Incident in ctx that adopts it, such as the request
// oopshttp serves), it goes out with Report.Pending set, and an oops.Draft
// of it is kept for the revisions; when no store takes it, the draft is
// abandoned and its window closed, so that nothing quotes an id that was
// never stored.
//
// It returns the id to quote with the log line (the last id the publisher
// returned; empty when none did), the publisher's ids and its error
// (oops.ErrFiltered when a filter dropped the report). rep must not be read
// or changed afterwards: the publisher (an oops.Async) may be reading it on
// another goroutine. Each report not stored is counted (Stats) and
// summarized at most once per Options.DropEvery (Options.OnDrops).
func (r *Recorder) Publish(ctx context.Context, cfg *oops.Config, d Decision, rep *oops.Report) (id string, ids []string, err error) {
	if d.Verdict != VerdictReport {
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
	var draft *oops.Draft
	if d.w != nil {
		// The window and the incident (when this is its first report)
		// share one draft, so that revisions count up across both and only
		// the last goes out without Pending. Without a window, Config.Publish
		// does the incident's part.
		draft = oops.NewDraft(rep)
		draft.Hold()
		if inc := oops.IncidentFromContext(ctx); inc != nil {
			inc.Adopt(draft)
		}
		rep.Pending = true
	}
	ids, err = cfg.Publish(ctx, rep)
	stored := len(ids) > 0
	if stored {
		id = ids[len(ids)-1]
	} else {
		if draft != nil {
			draft.Abandon()
		}
		r.drops.add(DropReason(err), err)
	}
	if d.w != nil {
		r.setWindowReport(d.w, context.WithoutCancel(ctx), cfg, draft, stored)
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
	Folded     uint64 // Trigger verdicts VerdictFold
	Suppressed uint64 // Trigger verdicts VerdictSuppress
	Windows    uint64 // trailing windows opened
	Signatures int    // signatures with a rate-limit bucket of their own now
	Dropped    Drops  // reports Publish handed over that no store took, by reason
}

// Stats returns the counters so far.
func (r *Recorder) Stats() Stats {
	return Stats{
		Reported:   r.reported.Load(),
		Folded:     r.folded.Load(),
		Suppressed: uint64(r.limit.suppressedTotal()),
		Windows:    r.windows.Load(),
		Signatures: r.limit.tracked(),
		Dropped:    r.drops.totals(),
	}
}
