// Package oopshttp is net/http middleware that gives every request a timeline
// and turns its failures into OOPS reports, as python's oops-wsgi does for
// WSGI.
//
// Wrap a handler with Middleware. Each request then carries, in its
// context, a fresh timeline.Timeline (database statements and log records of
// the request land in it) and the request itself, which create hooks read
// through RequestFromContext. Add AttachRequest and NoteReport to the
// Config's hooks so that every report made during a request, by whatever
// code, carries the request and is listed on the request's own report:
//
//	cfg := &oops.Config{Publisher: store}
//	cfg.Hooks = append(slices.Clone(oops.DefaultHooks), oopshttp.AttachRequest, oopshttp.NoteReport)
//	handler := oopshttp.Middleware(cfg, nil)(mux)
//
// The middleware makes a report when
//
//   - the handler panics. If nothing has been written yet, the client gets a
//     500 page quoting the OOPS id (HTML, or plain text or JSON when the
//     Accept header prefers them; Options.ErrorTemplate replaces the HTML)
//     and the header X-Oops-Id. If the response has started, the report is
//     made and the connection is then aborted as net/http does, by panicking
//     with http.ErrAbortHandler. A panic with http.ErrAbortHandler itself is
//     passed on without a report.
//   - the handler writes a 5xx status. The report is made when the status is
//     written, so X-Oops-Id can go out with the headers.
//   - the handler writes a status that Options.ReportStatuses names by prefix
//     ("404", or "4" for every 4xx). These add no header.
//   - Options.SoftTimeout is set and the first byte of the response came
//     later than it. The report, of type SoftRequestTimeout, is made after the
//     handler returns and the response is left as it was.
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
// The middleware's own reports also carry, in Report.Extra:
//
//	HTTP_STATUS  the status code as a string ("500"), as oops-wsgi writes it
//	related_ids  the ids of the other reports made during the request (by
//	             the slog handler, the zap core, or any code calling
//	             Config.Create with the request's context while NoteReport is
//	             a hook), oldest first, so one request reads as one incident
//
// A report is made with the Config's Create and Publish, so its filters and
// publisher apply. Use an asynchronous publisher (oops.Async) in front of a
// slow store: the middleware publishes before it answers.
//
// The ResponseWriter the handler gets keeps http.Flusher, http.Hijacker and
// io.ReaderFrom, and has an Unwrap method, so http.ResponseController reaches
// the server's own writer for deadlines and full duplex.
//
// # Outgoing calls
//
// NewTransport wraps a client's http.RoundTripper so that every call made
// with a context that carries a timeline is an entry of it: category
// "http-<METHOD>", the URL with its secrets hidden and the response status,
// lasting until the response body is closed, with the call's error. A redirect chain is one entry per hop. See Transport.
//
//	client := &http.Client{Transport: oopshttp.NewTransport(http.DefaultTransport, nil)}
//
// Package oopshttp imports the standard library and this module's oops and
// timeline packages only.
package oopshttp
