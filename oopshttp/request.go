package oopshttp

import (
	"context"
	"maps"
	"net/http"
	"net/textproto"
	"strings"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/internal/reqvars"
	"github.com/oops-go/oops/internal/wire"
)

// hidden replaces a secret's value in req_vars.
const hidden = reqvars.Hidden

// AttachRequest is a create hook that fills in, when ctx belongs to a request
// the middleware serves, the report's url, topic (Request.Pattern, unless
// already set), duration (so far) and req_vars, with secrets hidden (see the
// package documentation). Request variables replace template entries of the
// same name. With any other ctx it does nothing.
//
// It reads the request's URL and headers once, for the request's first
// report (every later report of the request shows them as they were then):
// a handler that changes them while another goroutine makes a report races,
// as with any shared *http.Request.
func AttachRequest(ctx context.Context, r *oops.Report, _ *oops.Event) {
	if st := stateFrom(ctx); st != nil {
		st.attachRequest(r)
	}
}

// attachRequest fills r from the request: see AttachRequest.
func (st *state) attachRequest(r *oops.Report) {
	info := st.requestInfo()
	r.URL = info.url
	if r.Topic == "" {
		r.Topic = info.topic
	}
	r.Duration = time.Since(st.u.TL.Started()).Seconds()
	if r.ReqVars == nil {
		r.ReqVars = make(map[string]string, len(info.vars))
		for _, v := range info.vars {
			r.ReqVars[v.key] = v.value
		}
		return
	}
	vars := r.ReqVars
	copied := false
	for _, v := range info.vars {
		// A report completed at the request's end has them already: a
		// lookup costs less than a store. Its map may be the one of the
		// revision published before (Unit.ReviseReplacing), which is
		// read, never changed: a change goes into a copy.
		if old, ok := vars[v.key]; !ok || old != v.value {
			if !copied {
				vars, copied = maps.Clone(vars), true
			}
			vars[v.key] = v.value
		}
	}
	if copied {
		r.ReqVars = vars
	}
}

// validText is reqvars.ValidText, answering at once for ASCII text, as a
// request's method, path, protocol, addresses and header values mostly are.
func validText(s string) string {
	if wire.ASCII(s) {
		return s
	}
	return reqvars.ValidText(s)
}

// requestInfo is what reports take from the request, secrets hidden.
type requestInfo struct {
	url, topic string
	// vars are the request variables in the order they were made, a later
	// one of a name winning: a list, not a map, since every report builds
	// a map of its own from them anyway.
	vars []reqVar
}

// A reqVar is one request variable.
type reqVar struct{ key, value string }

// requestInfo returns the request's url, topic and variables, made the first
// time a report of the request needs them: a failing request's report takes
// them twice (made, then completed) and other reports of the request may
// take them too.
func (st *state) requestInfo() *requestInfo {
	if info := st.info.Load(); info != nil {
		return info
	}
	req := st.req
	var rawQuery, hq string
	if req.URL != nil {
		rawQuery = req.URL.RawQuery
		hq = st.m.secrets.HideQuery(rawQuery)
	}
	info := &requestInfo{
		url:   hideRequestURL(st.m.secrets, requestURL(req), rawQuery, hq),
		topic: validText(req.Pattern),
		vars:  reqVars(req, st.m.hidden, st.m.secrets, hq),
	}
	if !st.info.CompareAndSwap(nil, info) {
		// Another goroutine's report made them meanwhile.
		return st.info.Load()
	}
	return info
}

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

// hideRequestURL returns secrets.HideURL(u) for u, the request's URL as
// requestURL makes it, whose query is usually the request's raw query:
// then hq, that query with its secrets hidden (HideQuery), is used again
// rather than made a second time, and the rest of u is hidden on its own
// (its user information), which comes to the same text.
func hideRequestURL(secrets *reqvars.QuerySecrets, u, rawQuery, hq string) string {
	before, query, hasQuery := strings.Cut(u, "?")
	if !hasQuery || query != rawQuery || strings.IndexByte(u, '#') >= 0 {
		return secrets.HideURL(u)
	}
	// u is valid text (requestURL), and so are both parts: HideURL's result
	// is the hidden parts joined, or u itself when nothing was hidden.
	hb := secrets.HideURL(before)
	if hb == before && hq == query {
		return u
	}
	return hb + "?" + hq
}

// reqVars returns the request as a WSGI/CGI environment, secrets hidden;
// hiddenQuery is the request's query with its secrets hidden.
// A name given twice (two headers of one variable name) is listed twice,
// the later value winning.
func reqVars(req *http.Request, hide map[string]bool, secrets *reqvars.QuerySecrets, hiddenQuery string) []reqVar {
	vars := make([]reqVar, 0, len(req.Header)+6)
	add := func(key, value string) { vars = append(vars, reqVar{key, value}) }
	add("REQUEST_METHOD", validText(req.Method))
	if req.URL != nil {
		add("PATH_INFO", validText(req.URL.Path))
		add("QUERY_STRING", validText(hiddenQuery))
	}
	add("SERVER_PROTOCOL", validText(req.Proto))
	if req.RemoteAddr != "" {
		add("REMOTE_ADDR", validText(req.RemoteAddr))
	}
	if req.Host != "" {
		add("HTTP_HOST", validText(req.Host))
	}
	for name, values := range req.Header {
		name = textproto.CanonicalMIMEHeaderKey(name)
		key := reqvars.EnvName(name)
		switch {
		case name == "Cookie" || hide[name]:
			add(key, hidden)
		case name == "Authorization" || name == "Proxy-Authorization":
			add(key, reqvars.HideCredentials(strings.Join(values, ", ")))
		case name == "Referer":
			add(key, secrets.HideURL(strings.Join(values, ", ")))
		default:
			add(key, validText(strings.Join(values, ", ")))
		}
	}
	return vars
}
