package e2e

import (
	"context"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/console"
	"github.com/oops-go/oops/datedir"
	"github.com/oops-go/oops/store"
)

var updateDocs = flag.Bool("update-docs", false, "write the report page's screenshot to ../docs/console-report.png")

const (
	adminToken  = "e2e-admin-token"
	viewerToken = "e2e-viewer-token"
	repeats     = 24 // the N+1 run's length
)

// checkout is a failed checkout whose timeline has what the console must
// make stand out: an N+1 run after its source query, one slow statement, a
// failed one, an outgoing call and log records.
func checkout(at time.Time, order int) *oops.Report {
	ms := func(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }
	tl := []oops.TimelineEntry{
		{Start: 0, End: ms(0.4), Category: "log-INFO", Detail: "checkout started"},
		{Start: ms(0.5), End: ms(2.1), Category: "SQL-shop", Detail: "SELECT id, sku, quantity FROM cart_items WHERE cart_id = $1"},
	}
	off := ms(2.3)
	for i := range repeats {
		d := ms(0.9 + float64(i%4)*0.3)
		tl = append(tl, oops.TimelineEntry{Start: off, End: off + d, Category: "SQL-shop",
			Detail: fmt.Sprintf("SELECT price, stock FROM products WHERE sku = 'SKU-%04d'", 1000+i*7)})
		off += d + ms(0.15)
	}
	tl = append(tl,
		oops.TimelineEntry{Start: off, End: off + ms(48), Category: "SQL-shop", Detail: "SELECT sum(amount) FROM ledger WHERE customer_id = $1 AND posted_at > now() - interval '1 year'"},
		oops.TimelineEntry{Start: off + ms(49), End: off + ms(71), Category: "http-POST", Detail: "POST https://payments.internal/charge"},
		oops.TimelineEntry{Start: off + ms(71.5), End: off + ms(71.8), Category: "log-WARN", Detail: "charge declined, retrying"},
		oops.TimelineEntry{Start: off + ms(72), End: off + ms(76), Category: "SQL-shop", Detail: "UPDATE orders SET state = 'paid' WHERE id = $1", Error: "ERROR: deadlock detected (SQLSTATE 40P01)"},
	)
	return &oops.Report{
		ID: oops.NewID(), Type: "*pgconn.PgError", Value: fmt.Sprintf("checkout order %d: mark paid: ERROR: deadlock detected (SQLSTATE 40P01)", order),
		TBText: "main.(*shop).checkout(...)\n\t/srv/shop/checkout.go:118\nmain.(*shop).ServeHTTP(...)\n\t/srv/shop/routes.go:40\n",
		Time:   at, Hostname: "web-3", Reporter: "shop", Topic: "POST /orders/{id}/checkout",
		URL: fmt.Sprintf("https://shop.example/orders/%d/checkout", order), Username: "ada",
		ReqVars:  map[string]string{"REQUEST_METHOD": "POST", "HTTP_COOKIE": "<hidden>", "HTTP_USER_AGENT": "Mozilla/5.0"},
		Timeline: tl, Duration: (off + ms(80)).Seconds(), Level: "ERROR", Signature: "7f3a9c2e",
		Attrs:    map[string]any{"order": int64(order), "attempt": int64(2)},
		Resource: fmt.Sprintf("order/%d", order), Extra: map[string]any{store.StatusKey: "500"},
	}
}

func other(at time.Time) *oops.Report {
	return &oops.Report{
		ID: oops.NewID(), Type: "*fs.PathError", Value: "open /var/shop/invoices/88.pdf: no such file or directory",
		Time: at, Reporter: "shop", Topic: "GET /invoices/{id}", Signature: "51bd0e77", Duration: 0.004,
		Extra: map[string]any{store.StatusKey: "404"},
	}
}

func serve(t *testing.T) (base string, reports []*oops.Report) {
	t.Helper()
	repo := datedir.New(t.TempDir())
	now := time.Now().UTC()
	for i := range 3 {
		r := checkout(now.Add(-time.Duration(i+1)*10*time.Minute), 8120+i)
		_, err := repo.Publish(context.Background(), r)
		require.NoError(t, err)
		reports = append(reports, r)
	}
	_, err := repo.Publish(context.Background(), other(now.Add(-5*time.Minute)))
	require.NoError(t, err)
	srv := httptest.NewServer(console.New(&console.Options{Store: repo, Auth: console.Auth{
		ViewerTokens: []string{viewerToken}, AdminTokens: []string{adminToken},
	}}))
	t.Cleanup(srv.Close)
	return srv.URL, reports
}

func count(t *testing.T, ctx context.Context, selector string) int {
	t.Helper()
	return step(t, ctx, chromedp.Evaluate[int](fmt.Sprintf("document.querySelectorAll(%q).length", selector)))
}

func TestConsoleInBrowser(t *testing.T) {
	base, reports := serve(t)
	ctx := browser(t, map[string]any{"Authorization": "Bearer " + adminToken})
	shots := screenshotDir(t)
	r := reports[0]

	// Paste an id as people do: in upper case, with spaces around.
	do(t, ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.ID("paste")))
	do(t, ctx, chromedp.SendKeys(chromedp.ID("paste"), "  "+strings.ToUpper(r.ID)+" "))
	step(t, ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Submit(chromedp.ID("paste"))))
	do(t, ctx, chromedp.WaitVisible(chromedp.ID("waterfall")))
	loc := step(t, ctx, chromedp.Location())
	assert.Equal(t, base+"/report/"+r.ID, loc)

	// The waterfall: a bar per step, the N+1 run and the longest statement
	// marked, the failed step too.
	assert.Equal(t, len(r.Timeline), count(t, ctx, "#waterfall g.bar rect"))
	assert.Equal(t, repeats, count(t, ctx, "#waterfall g.bar.nplus1"))
	assert.Equal(t, 1, count(t, ctx, "#waterfall g.bar.longest"))
	assert.Equal(t, 1, count(t, ctx, "#waterfall g.bar.failed"))
	assert.Equal(t, len(r.Timeline), count(t, ctx, "#steps tbody tr"))
	assert.Equal(t, 1, count(t, ctx, "tr.nplus1-run"))
	longest := step(t, ctx, chromedp.TextContent(chromedp.CSS("#waterfall g.bar.longest title")))
	assert.Contains(t, longest, "SELECT sum(amount) FROM ledger", "the statement on hover")

	// The screenshot the README shows: the top of the report page.
	png := step(t, ctx, chromedp.CaptureScreenshot())
	require.NoError(t, os.WriteFile(filepath.Join(shots, "report.png"), png, 0o644))
	if *updateDocs {
		require.NoError(t, os.WriteFile(filepath.Join("..", "docs", "console-report.png"), png, 0o644))
	}

	// The stylesheet applied despite the strict CSP: bars are coloured.
	fill := step(t, ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("#waterfall g.bar.k1 rect")).fill`))
	assert.Equal(t, "rgb(89, 161, 79)", fill)
	// The script ran: hovering a bar lights its row in the table.
	hoverRow := step(t, ctx, chromedp.Evaluate[string](`(function () {
		const bar = document.querySelector("#waterfall g.bar.nplus1 rect");
		bar.dispatchEvent(new MouseEvent("mouseover", {bubbles: true}));
		return document.getElementById("e" + bar.parentNode.dataset.n).className;
	})()`))
	assert.Contains(t, hoverRow, "hi")
	step(t, ctx, chromedp.Evaluate[bool](`document.querySelector("#waterfall g.bar.nplus1 rect").dispatchEvent(new MouseEvent("mouseout", {bubbles: true}))`))
	// The keyboard: "/" goes to the id box.
	do(t, ctx, chromedp.KeyEvent("/"))
	assert.Equal(t, "paste-top", step(t, ctx, chromedp.Evaluate[string](`document.activeElement.id`)))
	step(t, ctx, chromedp.Evaluate[bool](`document.activeElement.blur(), true`))

	// From the home page, follow the group to its reports, and open one.
	do(t, ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("tr.group")))
	assert.Equal(t, 2, count(t, ctx, "tr.group"), "today's groups")
	assert.Equal(t, 4, count(t, ctx, "tr.report"), "the newest reports")
	png = step(t, ctx, chromedp.CaptureScreenshot())
	require.NoError(t, os.WriteFile(filepath.Join(shots, "home.png"), png, 0o644))
	step(t, ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(`tr.group a.sig`))))
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS("tr.report")))
	assert.Equal(t, len(reports), count(t, ctx, "tr.report"), "the group's reports")
	step(t, ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(`tr.report a.id`))))
	do(t, ctx, chromedp.WaitVisible(chromedp.ID("waterfall")))
	assert.Equal(t, base+"/report/"+reports[0].ID, step(t, ctx, chromedp.Location()), "newest first")

	// The summary, by class.
	do(t, ctx, chromedp.Navigate(base+"/summary"), chromedp.WaitVisible(chromedp.CSS("section.section")))
	assert.Equal(t, 1, count(t, ctx, "#section-exception tr.group"))
	assert.Equal(t, 1, count(t, ctx, "#section-not-found tr.group"))
	png = step(t, ctx, chromedp.CaptureScreenshot())
	require.NoError(t, os.WriteFile(filepath.Join(shots, "summary.png"), png, 0o644))
}

func TestConsoleInBrowserAsViewer(t *testing.T) {
	base, reports := serve(t)
	ctx := browser(t, map[string]any{"Authorization": "Bearer " + viewerToken})
	do(t, ctx, chromedp.Navigate(base+"/report/"+reports[0].ID), chromedp.WaitVisible(chromedp.ID("waterfall")))
	assert.Equal(t, len(reports[0].Timeline), count(t, ctx, "#waterfall g.bar"), "the shape of the timeline")
	assert.Equal(t, 1, count(t, ctx, "#viewer-note"))
	body := step(t, ctx, chromedp.TextContent(chromedp.CSS("body")))
	for _, detail := range []string{"SELECT", "checkout.go", "REQUEST_METHOD", "shop.example"} {
		assert.NotContains(t, body, detail)
	}
}

func TestConsoleRefusesABrowserWithoutCredentials(t *testing.T) {
	base, _ := serve(t)
	ctx := browser(t, nil)
	// A 401 that asks for basic auth makes a headless browser, which
	// cannot prompt, fail the navigation; either way no page is shown.
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(base+"/"))
	if err != nil {
		assert.Contains(t, err.Error(), "AUTH")
		return
	}
	assert.Equal(t, int64(401), resp.Status)
	body := step(t, ctx, chromedp.TextContent(chromedp.CSS("body")))
	assert.Contains(t, body, "authentication required")
}

// screenshotDir is where the screenshots go: OOPS_E2E_SCREENSHOTS when set
// (CI keeps them), else the test's temporary directory.
func screenshotDir(t *testing.T) string {
	if d := os.Getenv("OOPS_E2E_SCREENSHOTS"); d != "" {
		require.NoError(t, os.MkdirAll(d, 0o755))
		return d
	}
	return t.TempDir()
}
