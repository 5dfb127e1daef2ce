package oopshttp

import (
	"net/http"

	"github.com/oops-go/oops"
)

// Error answers a request that failed with err the way the middleware
// answers a panic: a 500 page (HTML, text or JSON, as the Accept header
// prefers; Options.ErrorTemplate for HTML) quoting the request's OOPS id,
// and the X-Oops-Id header. It returns the id ("" when there is none).
//
// The id is the request's report: the one already made during the request
// (an error logged with the request's context, say), which then gets err's
// text under HandlerErrorKey, or else a new report about err (its type, text
// and stack, or the stack of the Error call) published now. Either way the
// middleware completes it when the request ends, so the id the user quotes
// leads to the cause, the status, the request and the whole timeline.
//
// When the response has started already, Error writes nothing and only
// makes sure the request has its report. r must be the request the
// middleware handed the handler (or one made from it); outside the
// middleware, Error sends a plain 500 with no id, as http.Error does.
func Error(w http.ResponseWriter, r *http.Request, err error) string {
	st := stateFrom(r.Context())
	if st == nil {
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return ""
	}
	st.reported = true
	id := ""
	if d := st.inc.Draft(); d != nil {
		id = d.ID()
		if err != nil {
			st.handlerErr = oops.ErrorText(err)
		}
	} else {
		if err == nil {
			err = &StatusError{Code: http.StatusInternalServerError}
		}
		rep := st.create(oops.Event{Err: err, Stack: oops.Callers(1)}, http.StatusInternalServerError)
		id = st.publish(rep) // Config.Publish makes it the request's report
	}
	sw := &st.w
	if sw.status != 0 || sw.hijacked {
		return id
	}
	sw.status = http.StatusInternalServerError
	if lim := st.m.opts.SoftTimeout; lim > 0 {
		sw.firstByte = st.sinceStart()
	}
	st.writeErrorPage(id)
	return id
}
