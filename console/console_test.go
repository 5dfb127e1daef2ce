package console_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/console"
)

func TestReportPageAdmin(t *testing.T) {
	r := orderReport(now.Add(-time.Hour))
	rel := simpleReport(now.Add(-time.Hour), "ERROR", "sig-log", "POST /orders/{id}/pay")
	r.Extra["related_ids"] = []string{rel.ID}
	h := newConsole(t, newRepo(t, r, rel))
	resp, body := get(t, h, "/report/"+r.ID, bearer(adminToken)...)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	assert.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	doc := parse(t, body)

	assert.Equal(t, r.ID, text(find(doc, byID("report-id"))[0]))
	assert.Contains(t, body, "*pgconn.PgError")
	assert.Contains(t, body, "pay order 42: deadlock detected")
	assert.Contains(t, body, "main.payOrder(...) /srv/orders.go:120", "where: the first frame")
	for _, detail := range []string{"https://shop.example/orders/42/pay?token=s3cret", "ada", "REQUEST_METHOD", "4111-secret", "paying order", "/srv/main.go:10", "eu-1"} {
		assert.Contains(t, html.UnescapeString(body), detail)
	}

	svg := find(doc, byID("waterfall"))
	require.Len(t, svg, 1)
	bars := find(svg[0], byClass("g", "bar"))
	assert.Len(t, bars, len(r.Timeline), "one bar per step")
	for _, b := range bars {
		assert.Len(t, find(b, func(n *html.Node) bool { return n.Data == "rect" }), 1)
	}
	failed := find(svg[0], byClass("g", "failed"))
	require.Len(t, failed, 1)
	assert.Contains(t, text(failed[0]), "UPDATE orders SET state", "the statement on hover")
	assert.NotEqual(t, attr(bars[0], "class"), attr(bars[len(bars)-2], "class"), "categories coloured apart")

	nplus1 := find(svg[0], byClass("g", "nplus1"))
	assert.Len(t, nplus1, nPlusOne, "the N+1 run stands out")
	assert.Equal(t, "2", attr(nplus1[0], "data-n"), "right after its source")
	longest := find(svg[0], byClass("g", "longest"))
	require.Len(t, longest, 1, "the longest statement stands out")
	assert.Contains(t, text(longest[0]), "SELECT sum(total) FROM invoices")

	runs := find(doc, byClass("tr", "nplus1-run"))
	require.Len(t, runs, 1)
	assert.Contains(t, text(runs[0]), "SELECT * FROM items WHERE order_id = ?")
	assert.Contains(t, text(runs[0]), "SELECT id FROM orders", "names its source")
	repeats := find(doc, byClass("tr", "repeat"))
	require.Len(t, repeats, 1)
	assert.Contains(t, text(repeats[0]), "20")
	assert.Contains(t, text(find(doc, byID("analysis"))[0]), "in 23 statements")

	rows := find(doc, func(n *html.Node) bool { return n.Data == "tr" && strings.HasPrefix(attr(n, "id"), "e") })
	assert.Len(t, rows, len(r.Timeline), "the statements in a table below")
	assert.Contains(t, text(rows[len(rows)-1]), "deadlock detected")
	assert.Empty(t, find(doc, byID("viewer-note")))

	related := find(doc, func(n *html.Node) bool { return attr(n, "href") == "/report/"+rel.ID })
	assert.Len(t, related, 1, "related reports as links")
}

func TestReportPageWithoutTimeline(t *testing.T) {
	r := simpleReport(now, "*fs.PathError", "sig-fs", "")
	r.Value = strings.Repeat("big ", 100_000)
	h := newConsole(t, newRepo(t, r))
	for _, tok := range []string{adminToken, viewerToken} {
		resp, body := get(t, h, "/report/"+r.ID, bearer(tok)...)
		require.Equal(t, http.StatusOK, resp.StatusCode, body)
		doc := parse(t, body)
		assert.Empty(t, find(doc, byID("waterfall")))
		assert.Contains(t, body, "unknown", "duration -1")
	}
	req := httptest.NewRequest(http.MethodHead, "/report/"+r.ID, nil)
	req.Header.Set("Authorization", "Bearer "+viewerToken)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusOK, rec.Code)
}

func TestReportPageViewerSeesNoDetails(t *testing.T) {
	r := orderReport(now.Add(-time.Hour))
	h := newConsole(t, newRepo(t, r))
	resp, body := get(t, h, "/report/"+r.ID, bearer(viewerToken)...)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	doc := parse(t, body)
	assert.Contains(t, body, "pay order 42: deadlock detected")
	assert.Contains(t, body, "POST /orders/{id}/pay")
	assert.Len(t, find(doc, byClass("g", "bar")), len(r.Timeline), "the waterfall's shape is a count")
	assert.Len(t, find(doc, byID("viewer-note")), 1)
	assert.Len(t, find(doc, byClass("g", "longest")), 1, "durations are not details")
	assert.Empty(t, find(doc, byClass("g", "nplus1")), "without texts no statement can be told a repeat")
	assert.Empty(t, find(doc, byClass("tr", "repeat")))
	for _, secret := range []string{"s3cret", "lovelace", "REQUEST_METHOD", "4111", "paying order", "orders.go", "SELECT", "deadlock detected\n", "eu-1", "HTTP_COOKIE"} {
		assert.NotContains(t, body, secret)
	}
}

func TestReportNotFoundAndBadID(t *testing.T) {
	h := newConsole(t, newRepo(t))
	resp, _ := get(t, h, "/report/OOPS-0123456789abcdef0123456789abcdef", bearer(viewerToken)...)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	resp, body := get(t, h, "/report/..%2f..%2fetc%2fpasswd", bearer(viewerToken)...)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.NotContains(t, body, "passwd")
}

func TestPasteAnID(t *testing.T) {
	r := orderReport(now)
	h := newConsole(t, newRepo(t, r))
	for _, pasted := range []string{
		r.ID, "  " + strings.ToUpper(r.ID[5:]) + ".", "https://oops.example/oops/" + r.ID, `"` + r.ID + `"`,
	} {
		resp, _ := get(t, h, "/go?id="+url.QueryEscape(pasted), bearer(viewerToken)...)
		assert.Equal(t, http.StatusSeeOther, resp.StatusCode, pasted)
		assert.Equal(t, "/report/"+r.ID, resp.Header.Get("Location"), pasted)
	}
	resp, body := get(t, h, "/go?id="+url.QueryEscape("<b>not an id</b>"), bearer(viewerToken)...)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, body, "is not an OOPS id")
	assert.NotContains(t, body, "<b>not")
}

func TestHomePage(t *testing.T) {
	older := orderReport(now.Add(-26 * time.Hour))
	today := orderReport(now.Add(-time.Hour))
	other := simpleReport(now.Add(-2*time.Hour), "*fs.PathError", "sig-fs", "GET /files")
	h := newConsole(t, newRepo(t, older, today, other))
	resp, body := get(t, h, "/", bearer(viewerToken)...)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	doc := parse(t, body)
	require.Len(t, find(doc, byID("paste")), 1)
	reports := find(doc, byClass("tr", "report"))
	require.Len(t, reports, 3)
	assert.Contains(t, text(reports[0]), today.ID, "newest first")
	groups := find(doc, byClass("tr", "group"))
	require.Len(t, groups, 2, "today's groups only")
	assert.Contains(t, text(groups[0]), "*pgconn.PgError")
}

func TestListPageFiltersAndPages(t *testing.T) {
	var all []*oops.Report
	for i := range 7 {
		all = append(all, orderReport(now.Add(-time.Duration(i)*time.Minute)))
	}
	other := simpleReport(now.Add(-30*time.Second), "*fs.PathError", "sig-fs", "GET /files")
	h := newConsole(t, newRepo(t, append(all, other)...))

	resp, body := get(t, h, "/reports?limit=3&signature=sig-pay", bearer(viewerToken)...)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	doc := parse(t, body)
	rows := find(doc, byClass("tr", "report"))
	require.Len(t, rows, 3)
	assert.Contains(t, text(rows[0]), all[0].ID)
	assert.NotContains(t, body, other.ID)

	seen := 3
	for {
		next := find(doc, byID("next-page"))
		if len(next) == 0 {
			break
		}
		href := attr(next[0], "href")
		assert.Contains(t, href, "signature=sig-pay", "the filters stay")
		_, body = get(t, h, href, bearer(viewerToken)...)
		doc = parse(t, body)
		seen += len(find(doc, byClass("tr", "report")))
		require.LessOrEqual(t, seen, 7)
	}
	assert.Equal(t, 7, seen)

	_, body = get(t, h, "/reports?from=90s", bearer(viewerToken)...)
	assert.Len(t, find(parse(t, body), byClass("tr", "report")), 3, "a duration back from now, as the oops command takes it")
	resp, _ = get(t, h, "/reports?from=yesterday", bearer(viewerToken)...)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	resp, _ = get(t, h, "/reports?cursor=garbage!", bearer(viewerToken)...)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
}

func TestSummaryPage(t *testing.T) {
	h := newConsole(t, newRepo(t,
		orderReport(now.Add(-time.Hour)), orderReport(now.Add(-2*time.Hour)),
		simpleReport(now.Add(-3*time.Hour), "*fs.PathError", "sig-fs", "GET /files"),
		simpleReport(now.Add(-72*time.Hour), "old", "sig-old", "GET /old"),
	))
	resp, body := get(t, h, "/summary", bearer(viewerToken)...)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	doc := parse(t, body)
	groups := find(doc, byClass("tr", "group"))
	require.Len(t, groups, 2, "the last 24 hours")
	assert.Contains(t, text(groups[0]), "2", "count")
	assert.NotContains(t, body, "sig-old")
	links := find(groups[0], byClass("a", "sig"))
	require.Len(t, links, 1)
	_, body = get(t, h, attr(links[0], "href"), bearer(viewerToken)...)
	assert.Len(t, find(parse(t, body), byClass("tr", "report")), 2, "a group leads to its reports")

	_, body = get(t, h, "/summary?from=2026-11-28&to=2026-11-28", bearer(viewerToken)...)
	assert.Contains(t, body, "sig-old")
	assert.Empty(t, find(parse(t, body), byID("more-groups")))

	_, body = get(t, h, "/summary?from=2026-11-01&limit=2", bearer(viewerToken)...)
	doc = parse(t, body)
	assert.Len(t, find(doc, byClass("tr", "group")), 2)
	more := find(doc, byID("more-groups"))
	require.Len(t, more, 1, "some groups were left out")
	_, body = get(t, h, attr(more[0], "href"), bearer(viewerToken)...)
	assert.Len(t, find(parse(t, body), byClass("tr", "group")), 3)
}

func TestSecurityHeadersEverywhere(t *testing.T) {
	h := newConsole(t, newRepo(t))
	for _, path := range []string{"/", "/reports", "/summary", "/faults", "/report/OOPS-x", "/nope", "/static/oops.css", "/static/oops.js"} {
		resp, _ := get(t, h, path, bearer(viewerToken)...)
		csp := resp.Header.Get("Content-Security-Policy")
		assert.Contains(t, csp, "script-src 'self'", path)
		assert.Contains(t, csp, "frame-ancestors 'none'", path)
		assert.NotContains(t, csp, "unsafe-inline", path)
		assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"), path)
	}
	resp, body := get(t, h, "/", bearer(viewerToken)...)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	doc := parse(t, body)
	for _, s := range find(doc, func(n *html.Node) bool { return n.Data == "script" }) {
		assert.NotEmpty(t, attr(s, "src"), "no inline script")
		assert.Empty(t, text(s), "no inline script")
	}
	assert.Empty(t, find(doc, func(n *html.Node) bool { return n.Data == "style" || attr(n, "style") != "" }), "no inline style")
	resp, _ = get(t, h, "/static/oops.css", bearer(viewerToken)...)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("Content-Type"), "text/css")
}

func TestOnlyReads(t *testing.T) {
	h := newConsole(t, newRepo(t))
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
		req := httptest.NewRequest(m, "/reports", strings.NewReader("x=1"))
		req.Header.Set("Authorization", "Bearer "+adminToken)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		assert.Equal(t, http.StatusMethodNotAllowed, rec.Code, m)
	}
}

func TestBasePath(t *testing.T) {
	r := orderReport(now)
	mux := http.NewServeMux()
	mux.Handle("/admin/oops/", console.New(&console.Options{Store: newRepo(t, r), BasePath: "/admin/oops/", Now: fixedNow}))
	resp, body := get(t, mux, "/admin/oops/")
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	doc := parse(t, body)
	link := find(doc, byClass("a", "id"))
	require.NotEmpty(t, link)
	assert.Equal(t, "/admin/oops/report/"+r.ID, attr(link[0], "href"))
	resp, _ = get(t, mux, attr(link[0], "href"))
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	resp, _ = get(t, mux, "/admin/oops/static/oops.js")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	resp, _ = get(t, mux, "/admin/oops/go?id="+r.ID)
	assert.Equal(t, "/admin/oops/report/"+r.ID, resp.Header.Get("Location"))
}

func TestOddOptions(t *testing.T) {
	resp, _ := get(t, console.New(nil), "/")
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode, "no store: an error, not a panic")

	h := console.New(&console.Options{Store: newRepo(t), BasePath: "oops/{x} y/../"})
	resp, body := get(t, h, "/oops/reports") // "oops/xy/.." cleaned
	assert.Equal(t, http.StatusOK, resp.StatusCode, body)
	h = console.New(&console.Options{Store: newRepo(t), BasePath: "/"})
	resp, _ = get(t, h, "/reports")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}
