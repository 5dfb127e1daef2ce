package oopshttp

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/internal/incident"
	"github.com/oops-go/oops/internal/reqvars"
	"github.com/oops-go/oops/timeline"
)

// HeaderID is the response header that carries the OOPS id of a failed
// request.
const HeaderID = "X-Oops-Id"

// Keys of Report.Extra that the middleware writes.
const (
	// StatusKey holds the response status as a string ("500"), as python's
	// oops-wsgi writes it.
	StatusKey = "HTTP_STATUS"
	// RelatedKey holds the ids ([]string) of the other reports stored during
	// the request, oldest first.
	RelatedKey = incident.RelatedKey
	// RelatedDroppedKey holds how many (int) further related ids were not
	// listed: a request keeps at most 100.
	RelatedDroppedKey = incident.RelatedDroppedKey
	// PanicKey holds the panic ("panic: …", or the panic error's text) of a
	// request whose report was made before the handler panicked: the report
	// stays about the earlier cause, and says how the request ended.
	PanicKey = "panic"
	// HandlerErrorKey holds the text of the error a handler gave Error when
	// the request's report was made before, about an earlier cause.
	HandlerErrorKey = "handler_error"
	// SoftTimeoutKey holds the SoftTimeoutError text of a slow request
	// whose report was made before, about another cause.
	SoftTimeoutKey = "soft_timeout"
)

// Options configure Middleware. The zero value (or nil) is ready to use.
type Options struct {
	// HiddenHeaders names request headers whose values reports show as
	// "<hidden>", besides Cookie, Authorization and Proxy-Authorization.
	// Names are matched case-insensitively.
	HiddenHeaders []string

	// HiddenQueryParams names query parameters whose values reports show as
	// "<hidden>" in url, QUERY_STRING and HTTP_REFERER, besides
	// DefaultHiddenQueryParams (password, token, secret, api key,
	// signature, session, …). Names are matched as the defaults are: case
	// and '-', '_', '.' aside; "contains:word" hides every name containing
	// word.
	HiddenQueryParams []string

	// ReportStatuses are status prefixes that also get a report, as
	// oops-wsgi's oops_on_status: "404" matches 404 only, "4" every 4xx.
	// These reports add no X-Oops-Id header. 5xx statuses are always
	// reported.
	ReportStatuses []string

	// SoftTimeout, when positive, reports a request whose first response
	// byte came later than it (a SoftRequestTimeout report). The response is
	// not changed.
	SoftTimeout time.Duration

	// ErrorTemplate, when set, renders the HTML page of a request that
	// panicked, with an ErrorPage as its data. If it fails, the default page
	// is sent instead.
	ErrorTemplate *template.Template

	// Timeline configures the timeline each request gets.
	Timeline timeline.Options

	// PublishError is called when publishing one of the middleware's reports
	// fails. Nil means the standard logger prints it, as net/http does with
	// handler panics, at most once a minute with a count of the failures
	// since the last line, so that a storm of failures stays quiet. A report
	// dropped by a filter is not an error. The report may already be in the
	// publisher's hands: do not change it.
	PublishError func(ctx context.Context, r *oops.Report, err error)
}

// Middleware returns a function that wraps a handler so that each request
// gets a fresh timeline and its failures become reports made with cfg (see
// the package documentation). A nil cfg is the zero oops.Config, a nil opts
// the zero Options. The handler it returns is safe for concurrent use; cfg
// and opts must not change once it is in use.
//
// A request that already passed through a Middleware (one wrapping the mux
// and another a route, say) is served by the outermost only; the inner one
// passes it on untouched.
func Middleware(cfg *oops.Config, opts *Options) func(http.Handler) http.Handler {
	if cfg == nil {
		cfg = new(oops.Config)
	}
	m := &middleware{cfg: cfg}
	if opts != nil {
		m.opts = *opts
	}
	m.secrets = newQuerySecrets(m.opts.HiddenQueryParams)
	m.publishError = m.opts.PublishError
	if m.publishError == nil {
		m.publishError = func(_ context.Context, r *oops.Report, err error) { publishErrors.add(r, err) }
	}
	m.hidden = make(map[string]bool, len(m.opts.HiddenHeaders))
	for _, h := range m.opts.HiddenHeaders {
		m.hidden[textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(h))] = true
	}
	return func(next http.Handler) http.Handler {
		if next == nil {
			next = http.NotFoundHandler()
		}
		return &handler{m: m, next: next}
	}
}

// middleware is what all handlers made by one Middleware call share.
type middleware struct {
	cfg     *oops.Config
	opts    Options
	hidden  map[string]bool // canonical header names
	secrets *reqvars.QuerySecrets
	// publishError is Options.PublishError or its default.
	publishError func(ctx context.Context, r *oops.Report, err error)
}

// reportsStatus says whether a final status gets a report.
func (m *middleware) reportsStatus(code int) bool {
	if code >= 500 && code <= 599 {
		return true
	}
	if len(m.opts.ReportStatuses) == 0 {
		return false
	}
	var buf [8]byte
	s := strconv.AppendInt(buf[:0], int64(code), 10)
	for _, p := range m.opts.ReportStatuses {
		if p != "" && strings.HasPrefix(string(s), p) {
			return true
		}
	}
	return false
}

type handler struct {
	m    *middleware
	next http.Handler
}

// ServeHTTP runs the wrapped handler with a fresh timeline, the request and
// its incident in its context, and reports what goes wrong.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if stateFrom(r.Context()) != nil {
		// An outer Middleware serves this request already: reporting twice
		// would make two reports of one failure.
		h.next.ServeHTTP(w, r)
		return
	}
	// One allocation holds the request's state, its incident, its context
	// and the wrapped writer; the timeline, the context values and the
	// request copy are the others.
	st := &state{m: h.m}
	st.u.Cfg, st.u.TL, st.u.PublishError = h.m.cfg, timeline.NewWithOptions(&h.m.opts.Timeline), h.m.publishError
	st.ctx = requestContext{Context: oops.WithIncident(timeline.NewContext(r.Context(), st.u.TL), &st.u.Inc), st: st}
	st.detached.Parent = &st.ctx
	st.w = hijackWriter{responseWriter{st: st, rw: w}}
	st.req = r.WithContext(&st.ctx)
	defer st.finish()
	var rw http.ResponseWriter = &st.w.responseWriter
	if _, ok := w.(http.Hijacker); ok {
		// Only a writer that can be hijacked claims it can (HTTP/2's
		// cannot).
		rw = &st.w
	}
	h.next.ServeHTTP(rw, st.req)
}

// finish runs when the handler has returned or panicked. It must be deferred
// directly so that its recover stops the panic.
func (st *state) finish() {
	p := recover()
	if p == nil {
		st.done()
		return
	}
	if err, ok := p.(error); ok && errors.Is(err, http.ErrAbortHandler) {
		st.complete(nil)
		panic(p)
	}
	w := &st.w
	started := w.status != 0 || w.hijacked
	if err, ok := p.(error); ok && errors.Is(err, context.Canceled) && st.clientGone() {
		// The handler gave up because the client went away.
		st.complete(nil)
		if started {
			panic(http.ErrAbortHandler)
		}
		w.rw.WriteHeader(http.StatusInternalServerError)
		return
	}
	status := w.status
	if !started {
		status = http.StatusInternalServerError
		w.status = status
	}
	perr := &oops.PanicError{Value: p}
	var id string
	if d := st.u.Inc.End(); d != nil {
		// The request's report is about an earlier cause (a log record, a
		// 5xx): it stays so, and says how the request ended.
		id = st.revise(d, func(r *oops.Report) {
			if r.Extra == nil {
				r.Extra = make(map[string]any, 1)
			}
			r.Extra[PanicKey] = perr.Error()
		})
	} else {
		r := st.create(oops.Event{Err: perr, Stack: oops.Callers(0)}, status)
		id = st.publish(r)
	}
	if started {
		panic(http.ErrAbortHandler)
	}
	st.writeErrorPage(id)
}

// done runs when the handler returned normally.
func (st *state) done() {
	w := &st.w
	if w.status == 0 && !w.hijacked {
		// net/http sends 200 when the handler wrote nothing.
		w.commit(http.StatusOK)
	}
	var amend func(*oops.Report)
	if lim := st.m.opts.SoftTimeout; lim > 0 && w.firstByte > lim && !st.reported && !st.clientGone() {
		serr := &SoftTimeoutError{FirstByte: w.firstByte, Limit: lim}
		if st.u.Inc.Draft() == nil {
			r := st.create(oops.Event{Err: serr}, w.status)
			r.Type = SoftRequestTimeout
			st.u.Inc.End()
			st.publish(r)
			return
		}
		// The request has a report already: it says the request was slow
		// too.
		amend = func(r *oops.Report) { r.Extra[SoftTimeoutKey] = serr.Error() }
	}
	st.complete(amend)
}

// complete ends the request's incident and publishes its report, if any,
// completed: status, duration, request variables, the whole timeline and
// the related ids. amend, if not nil, adds to it.
func (st *state) complete(amend func(*oops.Report)) {
	if d := st.u.Inc.End(); d != nil {
		st.revise(d, amend)
	}
}

// revise publishes the request's report d completed, as complete does, and
// returns its id ("" when it was never stored).
func (st *state) revise(d *oops.Draft, amend func(*oops.Report)) string {
	status := st.w.status
	// The amend replaces ReqVars if it changes it (attachRequest) and writes
	// into Extra, which ReviseReplacing makes the revision's own: the
	// report's maps are not copied for the completion otherwise.
	return st.u.ReviseReplacing(&st.detached, d, func(r *oops.Report) {
		st.attachRequest(r)
		if status != 0 {
			r.Extra[StatusKey] = statusValue(status)
		}
		if st.handlerErr != "" {
			r.Extra[HandlerErrorKey] = st.handlerErr
		}
		if amend != nil {
			amend(r)
		}
	})
}

// clientGone says whether the request's context was canceled, which for a
// server request means the client went away.
func (st *state) clientGone() bool {
	return errors.Is(st.ctx.Err(), context.Canceled)
}

// create makes one of the middleware's own reports: the Config's hooks, then
// the request (if the hooks did not attach it), the status and the related
// ids. status 0 is left out.
func (st *state) create(ev oops.Event, status int) *oops.Report {
	st.reported = true
	r := st.m.cfg.Create(&st.ctx, ev)
	if r.URL == "" {
		st.attachRequest(r)
	}
	if r.Extra == nil {
		r.Extra = make(map[string]any, 2)
	}
	if status != 0 {
		r.Extra[StatusKey] = statusValue(status)
	}
	st.u.AddRelated(r)
	return r
}

// publish publishes r, with a context that outlives the client, and returns
// its id, or "" when no store took it.
func (st *state) publish(r *oops.Report) string {
	return st.u.Publish(&st.detached, r)
}

// statusReport returns the id of the request's report for a final status
// the middleware reports, making one when the request has none: published
// now (so that X-Oops-Id quotes a stored report) and completed when the
// request ends. The stack is where the status was written; the traceback
// leaves out the leading frames of this package and net/http. It returns ""
// when no store took the report.
func (st *state) statusReport(code int) string {
	st.reported = true
	if d := st.u.Inc.Draft(); d != nil {
		return d.ID()
	}
	ev := oops.Event{Err: &StatusError{Code: code}, Stack: oops.Callers(0)}
	r := st.create(ev, code)
	// Config.Publish makes it the incident's report, Pending.
	return st.publish(r)
}
