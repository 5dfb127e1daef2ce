package oopshttp_test

import (
	"crypto/tls"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/oopshttp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// reportFor serves req through the middleware and returns the report a
// handler makes with the request's context.
func reportFor(t *testing.T, opts *oopshttp.Options, tmpl oops.Report, req *http.Request) *oops.Report {
	t.Helper()
	c := new(collector)
	cfg := newConfig(c)
	cfg.Template = tmpl
	var r *oops.Report
	oopshttp.Middleware(cfg, opts)(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r = cfg.Create(req.Context(), oops.Event{Level: "ERROR", Msg: "look"})
	})).ServeHTTP(httptest.NewRecorder(), req)
	require.NotNil(t, r)
	return r
}

func TestReqVars(t *testing.T) {
	req := httptest.NewRequest(http.MethodPost, "http://shop.example/cart/add?item=9&token=abc", strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Length", "2")
	req.Header.Set("User-Agent", "tester/1.0")
	req.Header.Add("Accept", "text/html")
	req.Header.Add("Accept", "application/json")
	req.Header.Set("Cookie", "session=s3cret; other=s3cret2")
	req.Header.Set("Authorization", "Basic dXNlcjpwYXNz")
	req.Header.Set("Proxy-Authorization", "Negotiate s3cret-proxy")
	req.Header.Set("X-Api-Key", "s3cret-key")
	req.Header.Set("X-Session-Token", "s3cret-session")
	req.Header["non-canonical-cookie"] = []string{"x"} // left as it is
	req.Header["cookie"] = []string{"s3cret-lower"}    // hidden whatever its case
	req.RemoteAddr = "192.0.2.1:1234"
	opts := &oopshttp.Options{HiddenHeaders: []string{"x-api-key", " X-Session-Token "}}

	r := reportFor(t, opts, oops.Report{ReqVars: map[string]string{"deployment": "blue", "REQUEST_METHOD": "template"}}, req)
	assert.Equal(t, map[string]string{
		"deployment":                "blue",
		"REQUEST_METHOD":            "POST",
		"PATH_INFO":                 "/cart/add",
		"QUERY_STRING":              "item=9&token=<hidden>",
		"SERVER_PROTOCOL":           "HTTP/1.1",
		"REMOTE_ADDR":               "192.0.2.1:1234",
		"HTTP_HOST":                 "shop.example",
		"CONTENT_TYPE":              "application/json",
		"CONTENT_LENGTH":            "2",
		"HTTP_USER_AGENT":           "tester/1.0",
		"HTTP_ACCEPT":               "text/html, application/json",
		"HTTP_COOKIE":               "<hidden>",
		"HTTP_AUTHORIZATION":        "Basic <hidden>",
		"HTTP_PROXY_AUTHORIZATION":  "Negotiate <hidden>",
		"HTTP_X_API_KEY":            "<hidden>",
		"HTTP_X_SESSION_TOKEN":      "<hidden>",
		"HTTP_NON_CANONICAL_COOKIE": "x",
	}, r.ReqVars)
	assert.Equal(t, "http://shop.example/cart/add?item=9&token=<hidden>", r.URL)
	assert.Empty(t, r.Topic, "no ServeMux pattern")

	b, err := json.Marshal(r)
	require.NoError(t, err)
	assert.NotContains(t, string(b), "s3cret")
	assert.NotContains(t, string(b), "dXNlcjpwYXNz")
}

func TestAuthorizationWithoutScheme(t *testing.T) {
	for _, v := range []string{"justatoken", "", "  ", `"quoted" x`, strings.Repeat("S", 40) + " x", "Bearer\tx"} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("Authorization", v)
		r := reportFor(t, nil, oops.Report{}, req)
		assert.Equal(t, "<hidden>", r.ReqVars["HTTP_AUTHORIZATION"], "%q", v)
	}
}

func TestReqVarsKeepInvalidUTF8(t *testing.T) {
	req := httptest.NewRequest(http.MethodGet, "/caf%C3%A9?q=%FF", nil)
	req.Header.Set("X-Odd", "a\xffb\xc3")
	req.Header.Set("X-Fine", "café")
	r := reportFor(t, nil, oops.Report{}, req)
	assert.Equal(t, `a\xffb\xc3`, r.ReqVars["HTTP_X_ODD"])
	assert.Equal(t, "café", r.ReqVars["HTTP_X_FINE"])
	assert.Equal(t, "/café", r.ReqVars["PATH_INFO"])
	assert.Equal(t, "q=%FF", r.ReqVars["QUERY_STRING"])
	for k, v := range r.ReqVars {
		assert.True(t, utf8.ValidString(k) && utf8.ValidString(v), "%q: %q", k, v)
	}
}

func TestURLAndTopic(t *testing.T) {
	req := httptest.NewRequest(http.MethodGet, "https://secure.example/a%20b?x=1", nil)
	req.TLS = &tls.ConnectionState{}
	r := reportFor(t, nil, oops.Report{}, req)
	assert.Equal(t, "https://secure.example/a%20b?x=1", r.URL)

	// Behind a ServeMux the pattern is the topic, unless the template has one.
	mux := http.NewServeMux()
	c := new(collector)
	cfg := newConfig(c)
	mux.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, req *http.Request) {
		_, _ = cfg.Publish(req.Context(), cfg.Create(req.Context(), oops.Event{Msg: "x"}))
	})
	oopshttp.Middleware(cfg, nil)(mux).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/users/3", nil))
	assert.Equal(t, "GET /users/{id}", c.one(t).Topic)

	cfg.Template.Topic = "billing"
	c.reports = nil
	oopshttp.Middleware(cfg, nil)(mux).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/users/3", nil))
	assert.Equal(t, "billing", c.one(t).Topic)
}

func TestHooksOutsideARequestDoNothing(t *testing.T) {
	c := new(collector)
	cfg := newConfig(c)
	r := cfg.Create(t.Context(), oops.Event{Msg: "background job"})
	assert.Empty(t, r.URL)
	assert.Nil(t, r.ReqVars)
	assert.Equal(t, -1.0, r.Duration)
	oopshttp.NoteID(t.Context(), r.ID) // no request: nothing to note on, no panic
}
