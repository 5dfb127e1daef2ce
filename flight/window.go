package flight

import (
	"context"
	"sync"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/timeline"
)

// window is a trailing window: the records kept after a report, until it
// closes and the report is published again with them.
type window struct {
	id  string
	max int

	tl *timeline.Timeline // the timeline of the report's context, if any

	mu        sync.Mutex
	timer     *time.Timer // set just after the window opens
	recs      []kept
	closed    bool
	published bool
	ready     bool        // the first publication is done
	draft     *oops.Draft // the report as first published; nil when it was not stored
	ctx       context.Context
	cfg       *oops.Config
}

// addToWindow adds k to w; false if w had closed already. The record that
// fills w closes it.
func (r *Recorder) addToWindow(w *window, k kept) bool {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return false
	}
	if k.rec != nil {
		w.recs = append(w.recs, k)
	}
	full := len(w.recs) >= w.max
	w.mu.Unlock()
	if full {
		r.closeWindow(w)
	}
	return true
}

// closeWindow closes w, and publishes its report again on a goroutine of its
// own once the report is known.
func (r *Recorder) closeWindow(w *window) {
	r.win.CompareAndSwap(w, nil)
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return
	}
	w.closed = true
	if w.timer != nil {
		w.timer.Stop()
	}
	ready := w.ready && w.draft != nil && !w.published
	if ready {
		w.published = true
		r.pending.add()
	}
	w.mu.Unlock()
	if ready {
		go r.publishWindow(w)
	}
}

// setWindowReport records the report Publish published for w; if w has
// closed already, it is published again now. A report that was not stored
// closes w at once and is not published again: its id was quoted nowhere.
func (r *Recorder) setWindowReport(w *window, ctx context.Context, cfg *oops.Config, draft *oops.Draft, stored bool) {
	if !stored {
		draft = nil
	}
	w.mu.Lock()
	w.draft, w.ctx, w.cfg, w.ready = draft, ctx, cfg, true
	w.mu.Unlock()
	if draft == nil {
		r.closeWindow(w)
		return
	}
	w.mu.Lock()
	ready := w.closed && !w.published
	if ready {
		w.published = true
		r.pending.add()
	}
	w.mu.Unlock()
	if ready {
		go r.publishWindow(w)
	}
}

func (r *Recorder) publishWindow(w *window) {
	defer r.pending.done()
	w.mu.Lock()
	recs := w.recs
	w.mu.Unlock()
	logs := make([]oops.LogRecord, 0, len(recs))
	for _, k := range recs {
		logs = append(logs, render(k.rec, k.t, k.level))
	}
	ids, err := w.draft.Revise(w.ctx, w.cfg, func(rep *oops.Report) {
		rep.Log = append(rep.Log, logs...)
		if w.tl != nil {
			// What the report's request or job did since, its own records
			// included.
			rep.Timeline = oops.FlattenTimeline(w.tl)
			rep.TimelineDropped = w.tl.Dropped()
		}
	})
	if len(ids) == 0 && !w.draft.Abandoned() {
		r.drops.add(DropReason(err), err)
	}
}

// pending counts windows being published; wait returns when none is.
type pending struct {
	mu   sync.Mutex
	n    int
	idle chan struct{} // closed when n drops to zero; nil while n is zero
}

func (p *pending) add() {
	p.mu.Lock()
	if p.n == 0 {
		p.idle = make(chan struct{})
	}
	p.n++
	p.mu.Unlock()
}

func (p *pending) done() {
	p.mu.Lock()
	p.n--
	if p.n == 0 {
		close(p.idle)
		p.idle = nil
	}
	p.mu.Unlock()
}

func (p *pending) wait(ctx context.Context) error {
	p.mu.Lock()
	idle := p.idle
	p.mu.Unlock()
	if idle == nil {
		return nil
	}
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
