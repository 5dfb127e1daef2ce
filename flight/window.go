package flight

import (
	"context"
	"sync"
	"time"

	"github.com/oops-go/oops"
)

// window is a trailing window: the records kept after a report, until it
// closes and the report is published again with them.
type window struct {
	id  string
	max int

	mu        sync.Mutex
	timer     *time.Timer // set just after the window opens
	recs      []kept
	closed    bool
	published bool
	base      *oops.Report // the report as first published; nil until then
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
	ready := w.base != nil && !w.published
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
// closed already, it is published again now.
func (r *Recorder) setWindowReport(w *window, ctx context.Context, cfg *oops.Config, base *oops.Report) {
	w.mu.Lock()
	w.base, w.ctx, w.cfg = base, ctx, cfg
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
	rep := w.base.Clone()
	for _, k := range recs {
		rep.Log = append(rep.Log, render(k.rec, k.t, k.level))
	}
	// The publisher reports its own failures (oops.AsyncOptions.OnError);
	// there is no caller left to return them to.
	_, _ = w.cfg.Publish(w.ctx, rep)
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
