package oopshttp

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/oops-go/oops/internal/reqvars"
	"github.com/oops-go/oops/timeline"
)

// TransportOptions configure NewTransport. The zero value (or nil) is ready
// to use.
type TransportOptions struct {
	// HiddenQueryParams names query parameters whose values recorded URLs
	// show as "<hidden>", besides DefaultHiddenQueryParams, as
	// Options.HiddenQueryParams does for the middleware: names are matched
	// as the defaults are (case and '-', '_', '.' aside), and
	// "contains:word" hides every name containing word.
	HiddenQueryParams []string
}

// A Transport is an http.RoundTripper that records each request made with a
// context that carries a timeline (see timeline.NewContext; the middleware
// gives every request one) as an entry of that timeline:
//
//   - the category is "http-" followed by the method ("http-GET",
//     "http-POST");
//   - the detail is the URL, with its secrets hidden as for incoming
//     requests: the user information becomes "<hidden>@" and the values of
//     hidden query parameters (DefaultHiddenQueryParams and
//     TransportOptions.HiddenQueryParams) become
//     "<hidden>"; then, once the response has come, " -> " and its status
//     code ("https://api.example.com/v1/items?token=<hidden> -> 200");
//   - the entry lasts until the response body is closed, as a SQL query
//     lasts until its rows close, so reading the body counts; a body never
//     closed (which http.Client's documentation forbids) leaves the entry
//     unfinished, and a report shows it ending when the report was made. A
//     response without a body (http.NoBody) ends the entry when it arrives,
//     and an error reading the body ends it with that error;
//   - the error is the round trip's (a refused connection, a cancelled
//     context), or the first error met reading the body other than io.EOF.
//     A response with an error status is not an error of the call: its
//     status is in the detail.
//
// Each round trip is one entry: a redirect chain that http.Client follows is
// one entry per hop, each with its own URL and status (302, 302, 200), since
// the client asks the transport once per hop.
//
// The wrapped transport is used as it is: HTTP/2, connection reuse and the
// httptrace.ClientTrace hooks of the request's context work as without the
// wrapper, and CloseIdleConnections is passed on. A response body that
// implements io.Writer (the body of a 101 Switching Protocols response) keeps
// it. A request whose context carries no timeline goes straight to the
// wrapped transport: nothing is allocated and the response is the wrapped
// transport's own. With one, a call costs one allocation and the timeline's
// Start and Finish; the URL is turned into text only when the timeline is
// read. Stacks are taken when the timeline's Options.Stacks asks for them.
//
// A Transport is safe for concurrent use.
type Transport struct {
	base    http.RoundTripper
	secrets *reqvars.QuerySecrets
}

// NewTransport returns a Transport that sends requests through base (nil
// means http.DefaultTransport). A nil opts is the zero TransportOptions.
func NewTransport(base http.RoundTripper, opts *TransportOptions) *Transport {
	if opts == nil {
		opts = new(TransportOptions)
	}
	return &Transport{base: base, secrets: newQuerySecrets(opts.HiddenQueryParams)}
}

// zeroTransportSecrets hides DefaultHiddenQueryParams for a Transport made
// without NewTransport.
var zeroTransportSecrets = sync.OnceValue(func() *reqvars.QuerySecrets { return newQuerySecrets() })

func (t *Transport) transport() http.RoundTripper {
	if t.base != nil {
		return t.base
	}
	return http.DefaultTransport
}

// Unwrap returns the wrapped transport.
func (t *Transport) Unwrap() http.RoundTripper { return t.transport() }

// CloseIdleConnections closes the idle connections of the wrapped transport,
// when it has such a method (http.Client.CloseIdleConnections calls it).
func (t *Transport) CloseIdleConnections() {
	if c, ok := t.transport().(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// RoundTrip sends req through the wrapped transport and records the call in
// the timeline of req's context, if it carries one.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	tl := timeline.FromContext(req.Context())
	if tl == nil {
		return t.transport().RoundTrip(req)
	}
	c := &call{t: t}
	if req.URL != nil {
		c.url = *req.URL
	}
	c.a = tl.StartLazy(methodCategory(req.Method), c)
	resp, err := t.transport().RoundTrip(req)
	if err != nil {
		c.end(err)
		return resp, err
	}
	if resp == nil {
		// A transport that breaks the RoundTripper contract: nothing to
		// wait for.
		c.end(nil)
		return resp, err
	}
	c.status.Store(int32(resp.StatusCode))
	if resp.Body == nil || resp.Body == http.NoBody {
		c.end(nil)
		return resp, nil
	}
	c.body = resp.Body
	if w, ok := resp.Body.(io.Writer); ok {
		resp.Body = &duplexBody{call: c, w: w}
	} else {
		resp.Body = c
	}
	return resp, nil
}

// call is one recorded round trip: the entry's lazy detail and, once the
// response has come, its body. One allocation holds both.
type call struct {
	t      *Transport
	url    url.URL // a copy: the caller may reuse the request
	a      timeline.Action
	status atomic.Int32 // 0 until the response has come
	done   atomic.Bool  // the entry was finished
	body   io.ReadCloser
}

// end finishes the entry once.
func (c *call) end(err error) {
	if c.done.CompareAndSwap(false, true) {
		c.a.FinishErr(err)
	}
}

// Read reads the body; an error other than io.EOF ends the entry with it.
func (c *call) Read(p []byte) (int, error) {
	n, err := c.body.Read(p)
	if err != nil && err != io.EOF {
		c.end(err)
	}
	return n, err
}

// Close closes the body and ends the entry.
func (c *call) Close() error {
	err := c.body.Close()
	c.end(nil)
	return err
}

// String is the entry's detail, rendered when the timeline is read.
func (c *call) String() string {
	secrets := c.t.secrets
	if secrets == nil {
		secrets = zeroTransportSecrets() // a Transport{} literal
	}
	s := secrets.HideParsedURL(&c.url)
	if st := c.status.Load(); st != 0 {
		s += " -> " + strconv.Itoa(int(st))
	}
	return s
}

// duplexBody is the body of a response the caller may also write to (a
// protocol upgrade).
type duplexBody struct {
	*call
	w io.Writer
}

// Write writes to the connection of the upgraded protocol.
func (d *duplexBody) Write(p []byte) (int, error) { return d.w.Write(p) }

// methodCategory returns "http-" + method without allocating for the
// common methods. An empty method is GET, as in net/http.
func methodCategory(method string) string {
	switch method {
	case "", http.MethodGet:
		return "http-GET"
	case http.MethodPost:
		return "http-POST"
	case http.MethodPut:
		return "http-PUT"
	case http.MethodDelete:
		return "http-DELETE"
	case http.MethodPatch:
		return "http-PATCH"
	case http.MethodHead:
		return "http-HEAD"
	case http.MethodOptions:
		return "http-OPTIONS"
	}
	return "http-" + reqvars.ValidText(method)
}
