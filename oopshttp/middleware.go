package oopshttp

import (
	"context"
	"errors"
	"html/template"
	"log"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/oops-go/oops"
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
	// RelatedKey holds the ids ([]string) of the other reports made during
	// the request, oldest first.
	RelatedKey = "related_ids"
	// RelatedDroppedKey holds how many (int) further related ids were not
	// listed: a request keeps at most 100.
	RelatedDroppedKey = "related_ids_dropped"
)

// Options configure Middleware. The zero value (or nil) is ready to use.
type Options struct {
	// HiddenHeaders names request headers whose values reports show as
	// "<hidden>", besides Cookie, Authorization and Proxy-Authorization.
	// Names are matched case-insensitively.
	HiddenHeaders []string

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
	// handler panics. A report dropped by a filter is not an error. The
	// report may already be in the publisher's hands: do not change it.
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
	cfg    *oops.Config
	opts   Options
	hidden map[string]bool // canonical header names
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

// ServeHTTP runs the wrapped handler with a fresh timeline and the request in
// its context, and reports what goes wrong.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if stateFrom(r.Context()) != nil {
		// An outer Middleware serves this request already: reporting twice
		// would make two reports of one failure.
		h.next.ServeHTTP(w, r)
		return
	}
	// One allocation holds the request's state, its context and the wrapped
	// writer; the timeline, its context value and the request copy are the
	// others.
	st := &state{m: h.m, tl: timeline.NewWithOptions(h.m.opts.Timeline)}
	st.ctx = requestContext{Context: timeline.NewContext(r.Context(), st.tl), st: st}
	st.w = responseWriter{st: st, rw: w}
	st.req = r.WithContext(&st.ctx)
	defer st.finish()
	h.next.ServeHTTP(&st.w, st.req)
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
		panic(p)
	}
	w := &st.w
	started := w.status != 0 || w.hijacked
	if err, ok := p.(error); ok && errors.Is(err, context.Canceled) && st.clientGone() {
		// The handler gave up because the client went away.
		if started {
			panic(http.ErrAbortHandler)
		}
		w.rw.WriteHeader(http.StatusInternalServerError)
		return
	}
	ev := oops.Event{Err: &PanicError{Value: p}, Stack: oops.Callers(0)}
	status := w.status
	if !started {
		status = http.StatusInternalServerError
	}
	r := st.create(ev, status)
	st.publish(r)
	if started {
		panic(http.ErrAbortHandler)
	}
	w.status = status
	st.writeErrorPage(r.ID)
}

// done runs when the handler returned normally.
func (st *state) done() {
	w := &st.w
	if w.status == 0 && !w.hijacked {
		// net/http sends 200 when the handler wrote nothing.
		w.commit(http.StatusOK)
	}
	if lim := st.m.opts.SoftTimeout; lim > 0 && w.firstByte > lim && !st.reported && !st.clientGone() {
		ev := oops.Event{Err: &SoftTimeoutError{FirstByte: w.firstByte, Limit: lim}}
		r := st.create(ev, w.status)
		r.Type = SoftRequestTimeout
		st.publish(r)
	}
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
	// NoteReport skips the middleware's own reports: the list is of the
	// others. An earlier own report (a 5xx, then a panic) is noted below.
	ctx := context.WithValue(&st.ctx, ownReportKey{}, true)
	r := st.m.cfg.Create(ctx, ev)
	if r.URL == "" {
		AttachRequest(ctx, r, &ev)
	}
	if r.Extra == nil {
		r.Extra = make(map[string]any, 2)
	}
	if status != 0 {
		r.Extra[StatusKey] = strconv.Itoa(status)
	}
	ids, dropped := st.relatedIDs()
	if len(ids) > 0 {
		r.Extra[RelatedKey] = ids
	}
	if dropped > 0 {
		r.Extra[RelatedDroppedKey] = dropped
	}
	st.note(r.ID)
	return r
}

// publish publishes r, with a context that outlives the client.
func (st *state) publish(r *oops.Report) {
	ctx := context.WithoutCancel(&st.ctx)
	_, err := st.m.cfg.Publish(ctx, r)
	if err == nil || errors.Is(err, oops.ErrFiltered) {
		return
	}
	if f := st.m.opts.PublishError; f != nil {
		f(ctx, r, err)
		return
	}
	log.Printf("oopshttp: publishing %s for %s %s: %v", r.ID, r.ReqVars["REQUEST_METHOD"], r.URL, err)
}

// reportStatus makes and publishes the report of a final status and returns
// its id. The stack is where the status was written; the traceback leaves
// out the leading frames of this package and net/http.
func (st *state) reportStatus(code int) string {
	ev := oops.Event{Err: &StatusError{Code: code}, Stack: oops.Callers(0)}
	r := st.create(ev, code)
	st.publish(r)
	return r.ID
}
