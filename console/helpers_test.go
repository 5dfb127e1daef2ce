package console_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/console"
	"github.com/oops-go/oops/datedir"
	"github.com/oops-go/oops/store"
)

// now is the tests' "now": every fixture happens on its day.
var now = time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return now }

// newRepo returns a datedir store in a new directory holding reports.
func newRepo(t testing.TB, reports ...*oops.Report) *datedir.Repo {
	t.Helper()
	repo := datedir.New(t.TempDir())
	for _, r := range reports {
		_, err := repo.Publish(context.Background(), r)
		require.NoError(t, err)
	}
	return repo
}

// nPlusOne is how many times the N+1 fixture repeats its statement.
const nPlusOne = 20

// orderReport is a failed request whose timeline has an N+1 run after a
// source query, one slow statement and a failed one.
func orderReport(at time.Time) *oops.Report {
	bt := "main.loadItems(...)\n\t/srv/orders.go:88\n"
	tl := []oops.TimelineEntry{{Start: 0, End: 2 * time.Millisecond, Category: "SQL-main", Detail: "SELECT id FROM orders WHERE user_id = $1"}}
	off := 2 * time.Millisecond
	for i := range nPlusOne {
		tl = append(tl, oops.TimelineEntry{Start: off, End: off + 500*time.Microsecond, Category: "SQL-main",
			Detail: fmt.Sprintf("SELECT * FROM items WHERE order_id = %d", 100+i), Backtrace: &bt})
		off += 600 * time.Microsecond
	}
	tl = append(tl,
		oops.TimelineEntry{Start: off, End: off + 40*time.Millisecond, Category: "SQL-main", Detail: "SELECT sum(total) FROM invoices WHERE slow = true"},
		oops.TimelineEntry{Start: off + 41*time.Millisecond, End: off + 42*time.Millisecond, Category: "http-GET", Detail: "GET https://tax.example/rates"},
		oops.TimelineEntry{Start: off + 43*time.Millisecond, End: off + 44*time.Millisecond, Category: "SQL-main", Detail: "UPDATE orders SET state = 'paid' WHERE id = $1", Error: "deadlock detected"},
	)
	return &oops.Report{
		ID: oops.NewID(), Type: "*pgconn.PgError", Value: "pay order 42: deadlock detected",
		TBText: "main.payOrder(...)\n\t/srv/orders.go:120\nmain.main()\n\t/srv/main.go:10\n",
		Time:   at, Hostname: "web-1", Reporter: "shop", Topic: "POST /orders/{id}/pay",
		URL: "https://shop.example/orders/42/pay?token=s3cret", Username: "ada.lovelace",
		ReqVars:  map[string]string{"HTTP_COOKIE": "<hidden>", "REQUEST_METHOD": "POST"},
		Timeline: tl, Duration: 0.09, Level: "ERROR", Signature: "sig-pay",
		Attrs:    map[string]any{"order": int64(42), "card": "4111-secret"},
		Log:      []oops.LogRecord{{Time: at, Level: "INFO", Msg: "paying order", Attrs: map[string]any{"order": int64(42)}}},
		Resource: "order/42", Extra: map[string]any{store.StatusKey: "500", "region": "eu-1"},
	}
}

// simpleReport is a report of another group with no timeline.
func simpleReport(at time.Time, typ, sig, topic string) *oops.Report {
	return &oops.Report{
		ID: oops.NewID(), Type: typ, Value: typ + " happened", Time: at, Reporter: "shop",
		Topic: topic, Signature: sig, Duration: -1, TBText: "main.other(...)\n\t/srv/other.go:1\n",
	}
}

// get requests path from h with the given headers and returns the
// response and its body.
func get(t testing.TB, h http.Handler, path string, header ...string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.RemoteAddr = "127.0.0.1:50000"
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	resp := rec.Result()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(b)
}

// parse parses a page, failing the test if it is not HTML.
func parse(t testing.TB, page string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	require.NoError(t, err)
	return doc
}

// find returns the elements of doc for which match is true.
func find(doc *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
	}
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, class string) bool {
	for c := range strings.FieldsSeq(attr(n, "class")) {
		if c == class {
			return true
		}
	}
	return false
}

// byClass matches elements of the given name (any when "") and class.
func byClass(name, class string) func(*html.Node) bool {
	return func(n *html.Node) bool { return (name == "" || n.Data == name) && hasClass(n, class) }
}

func byID(id string) func(*html.Node) bool {
	return func(n *html.Node) bool { return attr(n, "id") == id }
}

func text(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return b.String()
}

const (
	viewerToken = "viewer-token-123"
	adminToken  = "admin-token-456"
)

func bearer(tok string) []string { return []string{"Authorization", "Bearer " + tok} }

func newConsole(t testing.TB, rd store.Reader) *console.Handler {
	t.Helper()
	return console.New(&console.Options{
		Store: rd, Now: fixedNow,
		Auth: console.Auth{ViewerTokens: []string{viewerToken}, AdminTokens: []string{adminToken}},
	})
}
