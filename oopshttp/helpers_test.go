package oopshttp_test

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/oopshttp"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// collector is a Publisher that keeps copies of what it publishes. Like the
// stores, it keeps the latest revision of each id (all); raw has every
// publication.
type collector struct {
	mu      sync.Mutex
	reports []*oops.Report
}

func (c *collector) Publish(_ context.Context, r *oops.Report) ([]string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reports = append(c.reports, r.Clone())
	return []string{r.ID}, nil
}

// all returns the latest revision of each id, in the order the ids were
// first published.
func (c *collector) all() []*oops.Report {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*oops.Report
	at := map[string]int{}
	for _, r := range c.reports {
		if i, ok := at[r.ID]; ok {
			if r.Revision >= out[i].Revision {
				out[i] = r
			}
			continue
		}
		at[r.ID] = len(out)
		out = append(out, r)
	}
	return out
}

// raw returns every publication, in order.
func (c *collector) raw() []*oops.Report {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.reports)
}

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
