package oopshttp_test

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/internal/testpub"
	"github.com/oops-go/oops/oopshttp"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// collector keeps what is published, as a store does: see
// testpub.Collector.
type collector struct{ testpub.Collector }

// all returns the latest revision of each id.
func (c *collector) all() []*oops.Report { return c.All() }

// raw returns every publication, in order.
func (c *collector) raw() []*oops.Report { return c.Raw() }

func (c *collector) byID(t *testing.T, id string) *oops.Report {
	t.Helper()
	for _, r := range c.all() {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no report %q among %d", id, len(c.all()))
	return nil
}

// one returns the only report, failing if there is not exactly one.
func (c *collector) one(t *testing.T) *oops.Report {
	t.Helper()
	all := c.all()
	require.Len(t, all, 1, "reports")
	return all[0]
}

// newConfig returns a Config publishing to c, with the request hooks.
func newConfig(c *collector) *oops.Config {
	return &oops.Config{
		Hooks:     append(oops.DefaultHooks(), oopshttp.AttachRequest),
		Publisher: c,
	}
}

// serve starts a real server running h behind the middleware. done receives
// once for every request after the middleware has returned (or panicked).
func serve(t *testing.T, cfg *oops.Config, opts *oopshttp.Options, h http.Handler) (srv *httptest.Server, done <-chan struct{}) {
	t.Helper()
	ch := make(chan struct{}, 100)
	wrapped := oopshttp.Middleware(cfg, opts)(h)
	srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { ch <- struct{}{} }()
		wrapped.ServeHTTP(w, r)
	}))
	// net/http logs panics other than http.ErrAbortHandler; none is expected.
	srv.Config.ErrorLog = log.New(&failWriter{t: t}, "", 0)
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, ch
}

type failWriter struct{ t *testing.T }

func (w *failWriter) Write(b []byte) (int, error) {
	w.t.Errorf("server logged: %s", b)
	return len(b), nil
}

func get(t *testing.T, url string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(body)
}
