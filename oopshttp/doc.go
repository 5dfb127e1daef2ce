// Package oopshttp is net/http middleware that gives every request a timeline
// and turns its failures into OOPS reports, as python's oops-wsgi does for
// WSGI.
//
// Wrap a handler with Middleware. Each request then carries, in its
// context, a fresh timeline.Timeline (database statements and log records of
// the request land in it), the request itself, which create hooks read
// through RequestFromContext, and the request's oops.Incident. Add
// AttachRequest to the Config's hooks so that every report made during a
// request, by whatever code, carries the request:
//
//	cfg := &oops.Config{Publisher: store}
//	cfg.Hooks = append(oops.DefaultHooks(), oopshttp.AttachRequest)
//	handler := oopshttp.Middleware(cfg, nil)(mux)
//
// # One request, one incident
//
// The first report stored during a request is the request's report: an
// error logged with the request's context (slogoops, zapoops), a 5xx the
// handler wrote, oopshttp.Error, a panic. It is published at once, with
// Report.Pending set, and the middleware publishes it again under the same id
// when the request ends, completed with the status, the duration, the
// request variables, the whole timeline (also what ran after the report) and
// the ids of the other reports stored during the request (related_ids):
// Report.Revision one higher, Pending cleared. The 500 page and X-Oops-Id
// quote its id, so the id a user quotes leads to the cause. A request that
// made no report before it failed gets its own (about the panic, the status
// or the error given to Error). Only stored reports are quoted or listed:
// when no store takes a report, the page and the header quote no id.
//
// The middleware makes (or completes) the request's report when
//
//   - the handler panics. If nothing has been written yet, the client gets a
//     500 page quoting the OOPS id (HTML, or plain text or JSON when the
//     Accept header prefers them; Options.ErrorTemplate replaces the HTML)
//     and the header X-Oops-Id. If the response has started, the report is
//     made and the connection is then aborted as net/http does, by panicking
//     with http.ErrAbortHandler. A panic with http.ErrAbortHandler itself is
//     passed on without a report. A report made before the panic keeps its
//     cause and gets the panic under PanicKey.
//   - the handler calls Error(w, r, err): the same page and header, in one
//     call, for a handler that answers its own errors.
//   - the handler writes a 5xx status. The report is made (or found) when
//     the status is written, so X-Oops-Id can go out with the headers.
//   - the handler writes a status that Options.ReportStatuses names by prefix
//     ("404", or "4" for every 4xx). These add no header.
//   - Options.SoftTimeout is set and the first byte of the response came
//     later than it. The report, of type SoftRequestTimeout, is made after the
//     handler returns and the response is left as it was; a request that has
//     a report already gets the time-out under SoftTimeoutKey instead.
//
// A request whose client went away (its context was canceled) makes no
// status or time-out report, nor a report for a panic whose value is
// context.Canceled: that is not a failure of the service.
//
// # What a report carries
//
// AttachRequest fills in, for reports made with a request's context:
//
//	url       scheme://host/path?query as the client asked for it
//	topic     the ServeMux pattern that matched (Request.Pattern), when set
//	          and the template gave no topic
//	duration  seconds since the request began
//	req_vars  the request in the names python's oops-wsgi uses (a WSGI/CGI
//	          environment): REQUEST_METHOD, PATH_INFO, QUERY_STRING,
//	          SERVER_PROTOCOL, REMOTE_ADDR, CONTENT_TYPE, CONTENT_LENGTH and
//	          HTTP_<NAME> for every other header (HTTP_HOST, HTTP_USER_AGENT).
//	          HTTP_COOKIE is "<hidden>", HTTP_AUTHORIZATION and
//	          HTTP_PROXY_AUTHORIZATION keep only their scheme
//	          ("Bearer <hidden>"), and headers named in Options.HiddenHeaders
//	          are "<hidden>". Invalid UTF-8 is kept as \xNN escapes.
//
// Query parameters that hold secrets (DefaultHiddenQueryParams: password,
// token, secret, api key, signature, session, …, compared without case and
// without '-', '_', '.'; more with Options.HiddenQueryParams) show as
// name=<hidden> in url, QUERY_STRING and HTTP_REFERER.
//
// The request's report also carries, in Report.Extra:
//
//	HTTP_STATUS  the status code as a string ("500"), as oops-wsgi writes it
//	related_ids  the ids of the other reports stored during the request (by
//	             the slog handler, the zap core, or any code publishing with
//	             the request's context; Config.Publish notes them), oldest
//	             first
//	panic, handler_error, soft_timeout
//	             how the request ended, when that was not its report's cause
//
// A report is made with the Config's Create and Publish, so its filters and
// publisher apply. Use an asynchronous publisher (oops.Async) in front of a
// slow store: the middleware publishes before it answers.
//
// A report that could not be published is told to Options.PublishError, or
// printed by the standard logger at most once a minute with a count.
//
// The ResponseWriter the handler gets keeps http.Flusher and io.ReaderFrom,
// is an http.Hijacker only when the server's writer is one (HTTP/1; not
// HTTP/2), and has an Unwrap method, so http.ResponseController reaches the
// server's own writer for deadlines and full duplex.
//
// Package oopshttp imports the standard library and this module's oops and
// timeline packages only.
package oopshttp
