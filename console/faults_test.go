package console_test

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
	_ "modernc.org/sqlite"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/sqlstore"
)

// newSQLStore returns a SQLite store in a new directory holding reports.
func newSQLStore(t testing.TB, reports ...*oops.Report) *sqlstore.Store {
	t.Helper()
	ctx := context.Background()
	s, err := sqlstore.Open(ctx, "sqlite", filepath.Join(t.TempDir(), "oops.db"), nil)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	for _, r := range reports {
		_, err := s.Publish(ctx, r)
		require.NoError(t, err)
	}
	return s
}

func TestFaultsPage(t *testing.T) {
	first := orderReport(now.Add(-2 * time.Hour))
	first.Value = "the first failure"
	latest := orderReport(now.Add(-time.Hour))
	other := orderReport(now.Add(-time.Hour))
	other.Resource = "order/7"
	h := newConsole(t, newSQLStore(t, first, latest, other))

	resp, body := get(t, h, "/faults?resource=order/42", bearer(viewerToken)...)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	doc := parse(t, body)
	latestBox := find(doc, byClass("section", "latest-fault"))
	require.Len(t, latestBox, 1)
	assert.Contains(t, text(latestBox[0]), latest.ID)
	history := find(doc, byClass("section", "history"))
	require.Len(t, history, 1)
	assert.Contains(t, text(history[0]), first.ID)
	assert.Contains(t, text(history[0]), "the first failure")
	assert.NotContains(t, body, other.ID)
	assert.NotContains(t, body, "orders.go", "a viewer sees no traceback")

	_, body = get(t, h, "/faults?resource=order/42", bearer(adminToken)...)
	assert.Contains(t, body, "/srv/orders.go:120", "an admin does")

	_, body = get(t, h, "/faults?resource=order/9", bearer(viewerToken)...)
	assert.Contains(t, body, "order/9 has no faults.")

	// The report page links its resource to the faults page.
	_, body = get(t, h, "/report/"+latest.ID, bearer(viewerToken)...)
	links := find(parse(t, body), func(n *html.Node) bool {
		u, err := url.Parse(attr(n, "href"))
		return err == nil && u.Path == "/faults" && u.Query().Get("resource") == "order/42"
	})
	require.Len(t, links, 1)
	_, body = get(t, h, attr(links[0], "href"), bearer(viewerToken)...)
	assert.Contains(t, body, latest.ID)
}

func TestNoFaultsInADateDir(t *testing.T) {
	h := newConsole(t, newRepo(t, orderReport(now)))
	resp, body := get(t, h, "/faults?resource=order/42", bearer(viewerToken)...)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.Contains(t, body, "This store keeps no faults")
	_, body = get(t, h, "/", bearer(viewerToken)...)
	assert.Empty(t, find(parse(t, body), func(n *html.Node) bool { return attr(n, "href") == "/faults" }), "no menu entry")
}

// The SQL store reads the same as the date directory: the report page's
// waterfall does not depend on the store.
func TestReportPageFromSQLStore(t *testing.T) {
	r := orderReport(now)
	h := newConsole(t, newSQLStore(t, r))
	_, body := get(t, h, "/report/"+r.ID, bearer(adminToken)...)
	doc := parse(t, body)
	assert.Len(t, find(doc, byClass("g", "bar")), len(r.Timeline))
	assert.Len(t, find(doc, byClass("g", "nplus1")), nPlusOne)
}
