package oopshttp

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/oops-go/oops/internal/incident"
)

// state is what the middleware keeps for one request. The context and the
// writer live inside it so that one allocation serves all three.
type state struct {
	ctx requestContext
	w   hijackWriter
	// u holds the request's incident and timeline (its Started time is the
	// request's start).
	u incident.Unit
	// detached is ctx without its cancellation, for publishing: a report
	// outlives the client.
	detached incident.Detached
	m        *middleware
	req      *http.Request // as the handler got it

	// reported is set once the middleware made a report for the request.
	// Only the goroutine serving the request touches it.
	reported bool
	// handlerErr is the text of the error a handler gave Error when the
	// request's report was about an earlier cause.
	handlerErr string
	// info is what reports take from the request, made once (see
	// requestInfo).
	info atomic.Pointer[requestInfo]
}

// sinceStart returns how long the request has been served.
func (st *state) sinceStart() time.Duration { return time.Since(st.u.TL.Started()) }

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
		return st.u.TL.Started()
	}
	return time.Time{}
}

// NoteID records id as a report stored during the request ctx belongs to, so
// that the request's report lists it under related_ids. Config.Publish
// notes every report a publisher stored with the request's context (see
// oops.Incident); NoteID is for ids stored by other means. It does nothing
// for an empty id, an id already noted, or a ctx from no request. It is safe
// to call from any goroutine, also after the request has ended (the id is
// then listed nowhere).
func NoteID(ctx context.Context, id string) {
	if st := stateFrom(ctx); st != nil {
		st.u.Inc.Note(id)
	}
}
