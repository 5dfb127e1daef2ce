package oopshttp

import (
	"context"
	"net/http"
	"net/textproto"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oops-go/oops"
)

// hidden replaces a secret's value in req_vars.
const hidden = "<hidden>"

// AttachRequest is a create hook that fills in, when ctx belongs to a request
// the middleware serves, the report's url, topic (Request.Pattern, unless
// already set), duration (so far) and req_vars, with secrets hidden (see the
// package documentation). Request variables replace template entries of the
// same name. With any other ctx it does nothing.
//
// It reads the request's URL and headers: a handler that changes them while
// another goroutine makes a report races, as with any shared *http.Request.
func AttachRequest(ctx context.Context, r *oops.Report, _ *oops.Event) {
	if st := stateFrom(ctx); st != nil {
		st.attachRequest(r)
	}
}

// attachRequest fills r from the request: see AttachRequest.
func (st *state) attachRequest(r *oops.Report) {
	req := st.req
	r.URL = st.m.secrets.hideURL(requestURL(req))
	if r.Topic == "" {
		r.Topic = validText(req.Pattern)
	}
	r.Duration = time.Since(st.tl.Started()).Seconds()
	vars := reqVars(req, st.m.hidden, st.m.secrets)
	if r.ReqVars == nil {
		r.ReqVars = vars
		return
	}
	for k, v := range vars {
		r.ReqVars[k] = v
	}
}

// NoteReport was a create hook that listed every report created during a
// request on the request's report.
//
// Deprecated: Config.Publish now notes every report a publisher stored with
// a request's context (see oops.Incident), so that a report that a filter
// dropped or no store took is never listed; NoteReport does nothing and
// can be left out of the hooks.
func NoteReport(context.Context, *oops.Report, *oops.Event) {}

// requestURL returns the URL the client asked for: scheme, host, path and
// query.
func requestURL(req *http.Request) string {
	if req.URL != nil && req.URL.IsAbs() {
		return validText(req.URL.String())
	}
	scheme := "http"
	if req.TLS != nil {
		scheme = "https"
	}
	uri := req.RequestURI
	if uri == "" && req.URL != nil {
		uri = req.URL.RequestURI()
	}
	return validText(scheme + "://" + req.Host + uri)
}

// reqVars returns the request as a WSGI/CGI environment, secrets hidden.
func reqVars(req *http.Request, hide map[string]bool, secrets *querySecrets) map[string]string {
	vars := make(map[string]string, len(req.Header)+6)
	vars["REQUEST_METHOD"] = validText(req.Method)
	if req.URL != nil {
		vars["PATH_INFO"] = validText(req.URL.Path)
		vars["QUERY_STRING"] = validText(secrets.hideQuery(req.URL.RawQuery))
	}
	vars["SERVER_PROTOCOL"] = validText(req.Proto)
	if req.RemoteAddr != "" {
		vars["REMOTE_ADDR"] = validText(req.RemoteAddr)
	}
	if req.Host != "" {
		vars["HTTP_HOST"] = validText(req.Host)
	}
	for name, values := range req.Header {
		name = textproto.CanonicalMIMEHeaderKey(name)
		key := envName(name)
		switch {
		case name == "Cookie" || hide[name]:
			vars[key] = hidden
		case name == "Authorization" || name == "Proxy-Authorization":
			vars[key] = hideCredentials(strings.Join(values, ", "))
		case name == "Referer":
			vars[key] = validText(secrets.hideURL(strings.Join(values, ", ")))
		default:
			vars[key] = validText(strings.Join(values, ", "))
		}
	}
	return vars
}

// envName turns a header name into its CGI variable name: Content-Type and
// Content-Length without a prefix, others as HTTP_ followed by the name in
// upper case with '-' as '_'.
func envName(header string) string {
	switch header {
	case "Content-Type":
		return "CONTENT_TYPE"
	case "Content-Length":
		return "CONTENT_LENGTH"
	}
	var b strings.Builder
	b.Grow(5 + len(header))
	b.WriteString("HTTP_")
	for i := 0; i < len(header); i++ {
		c := header[i]
		switch {
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		case c == '-':
			c = '_'
		case c < 0x20 || c >= 0x7f:
			// Header names are tokens; net/http rejects anything else. Keep
			// a stray byte visible rather than writing invalid text.
			b.WriteString(`\x`)
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0xf])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

const hexDigits = "0123456789abcdef"

// maxScheme bounds the length of an authorization scheme kept in req_vars;
// anything longer is not a scheme.
const maxScheme = 32

// hideCredentials keeps the scheme of an Authorization value ("Bearer
// <hidden>") and hides the rest. A value whose first word is not a plausible
// scheme (an HTTP token) is hidden whole.
func hideCredentials(v string) string {
	v = strings.TrimLeft(v, " \t")
	scheme, _, found := strings.Cut(v, " ")
	if !found || scheme == "" || len(scheme) > maxScheme || !isToken(scheme) {
		return hidden
	}
	return scheme + " " + hidden
}

func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// validText returns s, with each byte of invalid UTF-8 written as \xNN so
// that no encoder replaces it and nothing is lost.
func validText(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			b.WriteString(`\x`)
			b.WriteByte(hexDigits[s[i]>>4])
			b.WriteByte(hexDigits[s[i]&0xf])
			i++
			continue
		}
		b.WriteString(s[i : i+n])
		i += n
	}
	return b.String()
}
