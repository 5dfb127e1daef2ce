package oopshttp_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops/oopshttp"
	"github.com/oops-go/oops/timeline"
)

// newClient returns a client whose transport is a fresh http.Transport
// wrapped by oopshttp.NewTransport, closed at cleanup.
func newClient(t *testing.T, opts *oopshttp.TransportOptions) (*http.Client, *http.Transport) {
	base := &http.Transport{}
	t.Cleanup(base.CloseIdleConnections)
	return &http.Client{Transport: oopshttp.NewTransport(base, opts)}, base
}

func tracedCtx() (context.Context, *timeline.Timeline) {
	tl := timeline.New()
	return timeline.NewContext(context.Background(), tl), tl
}

func doGet(t *testing.T, ctx context.Context, c *http.Client, url string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	require.NoError(t, err)
	resp, err := c.Do(req)
	require.NoError(t, err)
	return resp
}

func TestTransportRecordsCall(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
			return
		}
		_, _ = io.WriteString(w, "hello")
	}))
	defer srv.Close()
	c, _ := newClient(t, nil)
	ctx, tl := tracedCtx()

	resp := doGet(t, ctx, c, srv.URL+"/items?q=1")
	// The body has not been read: the call is still going on.
	es := tl.Entries()
	require.Len(t, es, 1)
	assert.True(t, es[0].Unfinished)
	assert.Equal(t, "http-GET", es[0].Category)
	assert.Equal(t, srv.URL+"/items?q=1 -> 200", es[0].Detail)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, "hello", string(body))
	require.NoError(t, resp.Body.Close())

	resp = doGet(t, ctx, c, srv.URL+"/missing")
	_, _ = io.Copy(io.Discard, resp.Body)
	require.NoError(t, resp.Body.Close())

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/post", strings.NewReader("x"))
	require.NoError(t, err)
	resp, err = c.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())

	req, err = http.NewRequestWithContext(ctx, http.MethodHead, srv.URL+"/head", nil)
	require.NoError(t, err)
	resp, err = c.Do(req)
	require.NoError(t, err)
	// No body: finished when the response came, before any Close.
	assert.False(t, tl.Entries()[3].Unfinished)
	require.NoError(t, resp.Body.Close())

	var got []string
	for _, e := range tl.Entries() {
		got = append(got, e.Category+" "+e.Detail)
		assert.False(t, e.Unfinished, e.Detail)
		assert.NoError(t, e.Err, e.Detail)
	}
	assert.Equal(t, []string{
		"http-GET " + srv.URL + "/items?q=1 -> 200",
		"http-GET " + srv.URL + "/missing -> 404",
		"http-POST " + srv.URL + "/post -> 200",
		"http-HEAD " + srv.URL + "/head -> 200",
	}, got)
}

func TestTransportHidesSecrets(t *testing.T) {
	var seen string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r.URL.RawQuery
		if u, p, ok := r.BasicAuth(); ok {
			seen += " " + u + ":" + p
		}
	}))
	defer srv.Close()
	c, _ := newClient(t, &oopshttp.TransportOptions{HiddenQueryParams: []string{" X-Sig "}})
	ctx, tl := tracedCtx()
	u := strings.Replace(srv.URL, "http://", "http://ann:hunter2@", 1) +
		"/x?q=1&Token=t0k3n&api_key=k3y&x-sig=s1g&Password=pw&signature=sg&session=ss&secret=sc"
	resp := doGet(t, ctx, c, u)
	require.NoError(t, resp.Body.Close())

	// The request itself is sent as it was.
	assert.Equal(t, "q=1&Token=t0k3n&api_key=k3y&x-sig=s1g&Password=pw&signature=sg&session=ss&secret=sc ann:hunter2", seen)
	d := tl.Entries()[0].Detail
	assert.Equal(t, strings.Replace(srv.URL, "http://", "http://<hidden>@", 1)+
		"/x?q=1&Token=<hidden>&api_key=<hidden>&x-sig=<hidden>&Password=<hidden>&signature=<hidden>&session=<hidden>&secret=<hidden> -> 200", d)
	for _, secret := range []string{"hunter2", "ann", "t0k3n", "k3y", "s1g"} {
		assert.NotContains(t, d, secret)
	}
}

// TestTransportHidesAsTheMiddleware: the Transport hides the middleware's
// default parameters and takes names as the middleware does ("contains:",
// case and separators aside), and a Transport made without NewTransport
// hides the defaults.
func TestTransportHidesAsTheMiddleware(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	query := "/x?csrf_token=a1&X-Amz-Credential=a2&card_number=a3&user_ssn=a4&legacy=a5&q=1"
	for _, tc := range []struct {
		name string
		rt   http.RoundTripper
		want string
	}{
		{"options", oopshttp.NewTransport(nil, &oopshttp.TransportOptions{
			HiddenQueryParams: []string{"Card-Number", "contains:ssn", "legacy"}}),
			"/x?csrf_token=<hidden>&X-Amz-Credential=<hidden>&card_number=<hidden>&user_ssn=<hidden>&legacy=<hidden>&q=1"},
		{"zero", &oopshttp.Transport{},
			"/x?csrf_token=<hidden>&X-Amz-Credential=<hidden>&card_number=a3&user_ssn=a4&legacy=a5&q=1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, tl := tracedCtx()
			c := &http.Client{Transport: tc.rt}
			resp := doGet(t, ctx, c, srv.URL+query)
			require.NoError(t, resp.Body.Close())
			c.CloseIdleConnections()
			assert.Equal(t, srv.URL+tc.want+" -> 200", tl.Entries()[0].Detail)
		})
	}
}

// TestTransportBodyNotReadToEnd: a body closed before its end ends the
// entry at Close, without an error; a body read to its end but not closed
// is still being used.
func TestTransportBodyNotReadToEnd(t *testing.T) {
	big := strings.Repeat("x", 1<<20)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, big)
	}))
	defer srv.Close()
	c, _ := newClient(t, nil)
	ctx, tl := tracedCtx()
	resp := doGet(t, ctx, c, srv.URL)
	buf := make([]byte, 10)
	_, err := io.ReadFull(resp.Body, buf)
	require.NoError(t, err)
	assert.True(t, tl.Entries()[0].Unfinished)
	require.NoError(t, resp.Body.Close())
	e := tl.Entries()[0]
	assert.False(t, e.Unfinished)
	assert.NoError(t, e.Err)

	ctx, tl = tracedCtx()
	resp = doGet(t, ctx, c, srv.URL)
	n, err := io.Copy(io.Discard, resp.Body)
	require.NoError(t, err)
	assert.EqualValues(t, len(big), n)
	assert.True(t, tl.Entries()[0].Unfinished)
	require.NoError(t, resp.Body.Close())
	assert.False(t, tl.Entries()[0].Unfinished)
	assert.NoError(t, tl.Entries()[0].Err)
}

// TestTransportCancelled: a context cancelled before the response records
// the round trip's error; cancelled while the body is read, the read's.
func TestTransportCancelled(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/body" {
			_, _ = io.WriteString(w, "part")
			w.(http.Flusher).Flush()
		}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	c, _ := newClient(t, nil)

	// Before the response: cancel once the server has the request.
	ctx, tl := tracedCtx()
	ctx, cancel := context.WithCancel(ctx)
	trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { cancel() }}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodGet, srv.URL+"/wait", nil)
	require.NoError(t, err)
	_, err = c.Do(req)
	require.ErrorIs(t, err, context.Canceled)
	es := tl.Entries()
	require.Len(t, es, 1)
	assert.False(t, es[0].Unfinished)
	assert.ErrorIs(t, es[0].Err, context.Canceled)
	assert.Equal(t, srv.URL+"/wait", es[0].Detail)

	// While reading the body.
	ctx, tl = tracedCtx()
	ctx, cancel = context.WithCancel(ctx)
	defer cancel()
	resp := doGet(t, ctx, c, srv.URL+"/body")
	buf := make([]byte, 4)
	_, err = io.ReadFull(resp.Body, buf)
	require.NoError(t, err)
	cancel()
	_, err = io.ReadAll(resp.Body)
	require.ErrorIs(t, err, context.Canceled)
	es = tl.Entries()
	assert.False(t, es[0].Unfinished)
	assert.ErrorIs(t, es[0].Err, context.Canceled)
	assert.Equal(t, srv.URL+"/body -> 200", es[0].Detail)
	require.NoError(t, resp.Body.Close())
}

// TestTransportRedirects: one entry per hop.
func TestTransportRedirects(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/a", http.RedirectHandler("/b?token=t1", http.StatusFound))
	mux.Handle("/b", http.RedirectHandler("/c", http.StatusMovedPermanently))
	mux.HandleFunc("/c", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "done") })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, _ := newClient(t, nil)
	ctx, tl := tracedCtx()
	resp := doGet(t, ctx, c, srv.URL+"/a")
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, "done", string(body))
	var got []string
	for _, e := range tl.Entries() {
		got = append(got, e.Category+" "+e.Detail)
		assert.False(t, e.Unfinished)
	}
	assert.Equal(t, []string{
		"http-GET " + srv.URL + "/a -> 302",
		"http-GET " + srv.URL + "/b?token=<hidden> -> 301",
		"http-GET " + srv.URL + "/c -> 200",
	}, got)
}

// TestTransportWithoutTimeline: nothing recorded, the response is the
// wrapped transport's own.
func TestTransportWithoutTimeline(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") }))
	defer srv.Close()
	base := &http.Transport{}
	defer base.CloseIdleConnections()
	var bare io.ReadCloser
	spy := roundTripperFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := base.RoundTrip(r)
		if resp != nil {
			bare = resp.Body
		}
		return resp, err
	})
	c := &http.Client{Transport: oopshttp.NewTransport(spy, nil)}
	resp := doGet(t, context.Background(), c, srv.URL)
	assert.Same(t, bare, resp.Body)
	require.NoError(t, resp.Body.Close())
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestTransportKeepsTransport: httptrace hooks fire, CloseIdleConnections
// reaches the wrapped transport, Unwrap returns it.
func TestTransportKeepsTransport(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") }))
	defer srv.Close()
	c, base := newClient(t, nil)
	assert.Same(t, base, c.Transport.(*oopshttp.Transport).Unwrap())
	ctx, tl := tracedCtx()
	var mu sync.Mutex
	var reused []bool
	trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) {
		mu.Lock()
		defer mu.Unlock()
		reused = append(reused, info.Reused)
	}}
	get := func() {
		resp := doGet(t, httptrace.WithClientTrace(ctx, trace), c, srv.URL)
		_, _ = io.Copy(io.Discard, resp.Body)
		require.NoError(t, resp.Body.Close())
	}
	get()
	get()
	c.CloseIdleConnections()
	get()
	mu.Lock()
	assert.Equal(t, []bool{false, true, false}, reused)
	mu.Unlock()
	assert.Equal(t, 3, tl.Len())

	// A nil base is http.DefaultTransport.
	assert.Same(t, http.DefaultTransport, oopshttp.NewTransport(nil, nil).Unwrap())
}

func TestTransportHTTP2(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.Proto)
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	base := srv.Client().Transport.(*http.Transport)
	defer base.CloseIdleConnections()
	c := &http.Client{Transport: oopshttp.NewTransport(base, nil)}
	ctx, tl := tracedCtx()
	resp := doGet(t, ctx, c, srv.URL+"/h2")
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, "HTTP/2.0", resp.Proto)
	assert.Equal(t, "HTTP/2.0", string(body))
	es := tl.Entries()
	require.Len(t, es, 1)
	assert.Equal(t, srv.URL+"/h2 -> 200", es[0].Detail)
	assert.False(t, es[0].Unfinished)
}

// TestTransportUpgrade: the body of a 101 response stays writable.
func TestTransportUpgrade(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		_, _ = io.WriteString(brw, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
		_ = brw.Flush()
		line, _ := brw.ReadString('\n')
		_, _ = io.WriteString(brw, strings.ToUpper(line))
		_ = brw.Flush()
	}))
	defer srv.Close()
	c, _ := newClient(t, nil)
	ctx, tl := tracedCtx()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/up", nil)
	require.NoError(t, err)
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "echo")
	resp, err := c.Do(req)
	require.NoError(t, err)
	require.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode)
	rw, ok := resp.Body.(io.ReadWriteCloser)
	require.True(t, ok, "the upgraded body is writable")
	_, err = io.WriteString(rw, "hi\n")
	require.NoError(t, err)
	line, err := bufio.NewReader(rw).ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "HI\n", line)
	require.NoError(t, rw.Close())
	es := tl.Entries()
	require.Len(t, es, 1)
	assert.Equal(t, srv.URL+"/up -> 101", es[0].Detail)
	assert.False(t, es[0].Unfinished)
}

// TestTransportRefused: a failed round trip is an error of the entry.
func TestTransportRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	c, _ := newClient(t, nil)
	ctx, tl := tracedCtx()
	req, err := http.NewRequestWithContext(ctx, "PROPFIND", "http://"+addr+"/x", nil)
	require.NoError(t, err)
	_, err = c.Do(req)
	require.Error(t, err)
	es := tl.Entries()
	require.Len(t, es, 1)
	assert.Equal(t, "http-PROPFIND", es[0].Category)
	var opErr *net.OpError
	assert.ErrorAs(t, es[0].Err, &opErr)
}

// TestTransportDuration: the entry lasts from the request until the body is
// closed. In a synctest bubble, with a handler served in memory, the clock
// moves only when every goroutine waits.
func TestTransportDuration(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inMemory := roundTripperFunc(func(r *http.Request) (*http.Response, error) {
			time.Sleep(2 * time.Second) // the server takes 2 s to answer
			rec := httptest.NewRecorder()
			_, _ = io.WriteString(rec, "slow")
			return rec.Result(), nil
		})
		c := &http.Client{Transport: oopshttp.NewTransport(inMemory, nil)}
		ctx, tl := tracedCtx()
		resp := doGet(t, ctx, c, "http://svc.internal/slow")
		time.Sleep(time.Second) // the caller takes 1 s before reading
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		assert.Equal(t, "slow", string(body))
		time.Sleep(time.Second) // and 1 s more before closing the body
		require.NoError(t, resp.Body.Close())
		es := tl.Entries()
		require.Len(t, es, 1)
		assert.Equal(t, 4*time.Second, es[0].End-es[0].Start)
		assert.Equal(t, "http://svc.internal/slow -> 200", es[0].Detail)
	})
}

func TestTransportConcurrent(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") }))
	defer srv.Close()
	c, _ := newClient(t, nil)
	ctx, tl := tracedCtx()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 10 {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
				resp, err := c.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				_ = tl.Entries() // reading while others record
			}
		})
	}
	wg.Wait()
	assert.Equal(t, 80, tl.Len())
	for _, e := range tl.Entries() {
		assert.False(t, e.Unfinished)
	}
}
