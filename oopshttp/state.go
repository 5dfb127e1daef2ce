package oopshttp

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/oops-go/oops/timeline"
)

// maxRelated bounds how many related ids a request keeps; past it the rest
// are counted under RelatedDroppedKey.
const maxRelated = 100

// state is what the middleware keeps for one request. The context and the
// writer live inside it so that one allocation serves all three.
type state struct {
	ctx requestContext
	w   responseWriter
	m   *middleware
	req *http.Request      // as the handler got it
	tl  *timeline.Timeline // its Started time is the request's start

	// reported is set once the middleware made a report for the request.
	// Only the goroutine serving the request touches it.
	reported bool

	mu      sync.Mutex // guards related and dropped
	related []string
	dropped int
}

type ctxKey struct{}

// requestContext is the request's context: the server's, with the timeline,
// and answering ctxKey with the request's state.
type requestContext struct {
	context.Context
	st *state
}

// Value returns the request's state for ctxKey and asks the parent for
// anything else.
func (c *requestContext) Value(key any) any {
	if key == (ctxKey{}) {
		return c.st
	}
	return c.Context.Value(key)
}

func stateFrom(ctx context.Context) *state {
	if ctx == nil {
		return nil
	}
	st, _ := ctx.Value(ctxKey{}).(*state)
	return st
}

// RequestFromContext returns the request the middleware is serving with ctx
// (or a context made from it), as the middleware handed it to the handler, or
// nil when ctx comes from no such request. The request must not be changed.
func RequestFromContext(ctx context.Context) *http.Request {
	if st := stateFrom(ctx); st != nil {
		return st.req
	}
	return nil
}

// StartFromContext returns when the middleware began serving the request
// ctx belongs to, or the zero time.
func StartFromContext(ctx context.Context) time.Time {
	if st := stateFrom(ctx); st != nil {
		return st.tl.Started()
	}
	return time.Time{}
}

// ownReportKey marks the context of the middleware's own reports.
type ownReportKey struct{}

// NoteID records id as a report made during the request ctx belongs to, so
// that the request's own report lists it under related_ids. It does nothing
// for an empty id, an id already noted, or a ctx from no request. It is safe
// to call from any goroutine, also after the request has ended (the id is
// then listed nowhere). NoteReport calls it for every report created.
func NoteID(ctx context.Context, id string) {
	st := stateFrom(ctx)
	if st == nil || id == "" || ctx.Value(ownReportKey{}) != nil {
		return
	}
	st.note(id)
}

func (st *state) note(id string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if slices.Contains(st.related, id) {
		return
	}
	if len(st.related) >= maxRelated {
		st.dropped++
		return
	}
	st.related = append(st.related, id)
}

// relatedIDs returns a copy of the noted ids, oldest first, and how many did
// not fit.
func (st *state) relatedIDs() ([]string, int) {
	st.mu.Lock()
	defer st.mu.Unlock()
	return slices.Clone(st.related), st.dropped
}
