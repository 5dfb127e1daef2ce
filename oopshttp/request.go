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
		r.ReqVars = maps.Clone(info.vars)
		return
	}
	for k, v := range info.vars {
		// A report completed at the request's end has them already: a
		// lookup costs less than a store.
		if old, ok := r.ReqVars[k]; !ok || old != v {
			r.ReqVars[k] = v
		}
	}
}

// requestInfo is what reports take from the request, secrets hidden.
type requestInfo struct {
	url, topic string
	vars       map[string]string // never changed once made: reports get copies
}

// requestInfo returns the request's url, topic and variables, made the first
// time a report of the request needs them: a failing request's report takes
// them twice (made, then completed) and other reports of the request may
// take them too.
func (st *state) requestInfo() *requestInfo {
	if info := st.info.Load(); info != nil {
		return info
	}
	req := st.req
	info := &requestInfo{
		url:   st.m.secrets.HideURL(requestURL(req)),
		topic: reqvars.ValidText(req.Pattern),
		vars:  reqVars(req, st.m.hidden, st.m.secrets),
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
		return reqvars.ValidText(req.URL.String())
	}
	scheme := "http"
	if req.TLS != nil {
		scheme = "https"
	}
	uri := req.RequestURI
	if uri == "" && req.URL != nil {
		uri = req.URL.RequestURI()
	}
	return reqvars.ValidText(scheme + "://" + req.Host + uri)
}

// reqVars returns the request as a WSGI/CGI environment, secrets hidden.
func reqVars(req *http.Request, hide map[string]bool, secrets *reqvars.QuerySecrets) map[string]string {
	vars := make(map[string]string, len(req.Header)+6)
	vars["REQUEST_METHOD"] = reqvars.ValidText(req.Method)
	if req.URL != nil {
		vars["PATH_INFO"] = reqvars.ValidText(req.URL.Path)
		vars["QUERY_STRING"] = reqvars.ValidText(secrets.HideQuery(req.URL.RawQuery))
	}
	vars["SERVER_PROTOCOL"] = reqvars.ValidText(req.Proto)
	if req.RemoteAddr != "" {
		vars["REMOTE_ADDR"] = reqvars.ValidText(req.RemoteAddr)
	}
	if req.Host != "" {
		vars["HTTP_HOST"] = reqvars.ValidText(req.Host)
	}
	for name, values := range req.Header {
		name = textproto.CanonicalMIMEHeaderKey(name)
		key := reqvars.EnvName(name)
		switch {
		case name == "Cookie" || hide[name]:
			vars[key] = hidden
		case name == "Authorization" || name == "Proxy-Authorization":
			vars[key] = reqvars.HideCredentials(strings.Join(values, ", "))
		case name == "Referer":
			vars[key] = secrets.HideURL(strings.Join(values, ", "))
		default:
			vars[key] = reqvars.ValidText(strings.Join(values, ", "))
		}
	}
	return vars
}
