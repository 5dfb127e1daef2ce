package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/store"
)

// payload is put in every field of a report: each line tries another
// context (element, attribute, URL, SVG, RCDATA title, template syntax).
const payload = `"'><script>alert(1)</script><img src=x onerror=alert(2)>` +
	`</title><svg onload=alert(3)><a href="javascript:alert(4)">x</a>` +
	`<style>*{}</style><iframe srcdoc="<script>alert(5)</script>"></iframe>{{.}}]]><!--`

// hostile returns a report whose every field is an XSS payload, shaped
// like shape (same fields set) so that the two pages can be compared.
func hostile(shape *oops.Report, p string) *oops.Report {
	r := shape.Clone()
	r.Type, r.Value, r.TBText, r.Hostname, r.Reporter = p, p, p, p, p
	r.Topic, r.Username, r.BranchNick, r.Revno, r.Level = p, p, p, p, p
	r.Signature, r.Resource, r.TraceID, r.SpanID, r.Msg = p, p, p, p, p
	r.URL = "javascript:alert(6)//" + p
	r.ReqVars = map[string]string{p: p}
	r.Attrs = map[string]any{p: p, "nested" + p: map[string]any{p: []any{p}}}
	r.Log = []oops.LogRecord{{Time: r.Time, Level: p, Msg: p, Attrs: map[string]any{p: p}}}
	bt := p
	for i := range r.Timeline {
		e := &r.Timeline[i]
		e.Category, e.Detail, e.Backtrace = p, p, &bt
		if e.Error != "" {
			e.Error = p
		}
	}
	r.Extra = map[string]any{store.StatusKey: p, p: p, "related_ids": []any{p, "javascript:alert(7)"}}
	return r
}

// shape is the set of element names and element/attribute pairs of a
// page, with the values of href and src attributes.
func shape(t *testing.T, page string) (elems, attrs map[string]bool, links []string) {
	elems, attrs = map[string]bool{}, map[string]bool{}
	for n := range parse(t, page).Descendants() {
		switch n.Type {
		case html.ElementNode:
			elems[n.Data] = true
			for _, a := range n.Attr {
				attrs[n.Data+"@"+a.Key] = true
				if a.Key == "href" || a.Key == "src" || a.Key == "action" {
					links = append(links, a.Val)
				}
			}
		case html.CommentNode:
			elems["<!--"] = true
		}
	}
	return elems, attrs, links
}

func TestEveryFieldEscaped(t *testing.T) {
	benign := orderReport(now.Add(-time.Hour))
	benign.Extra["related_ids"] = []any{oops.NewID()}
	evil := hostile(orderReport(now.Add(-time.Hour)), payload)
	// Two stores, so that the benign pages cannot hold the payload.
	good, bad := newConsole(t, newRepo(t, benign)), newConsole(t, newRepo(t, evil))

	pages := []struct{ good, bad string }{
		{"/report/" + benign.ID, "/report/" + evil.ID},
		{"/", "/"},
		{"/reports", "/reports"},
		{"/reports?signature=" + url.QueryEscape(benign.Signature), "/reports?signature=" + url.QueryEscape(evil.Signature)},
		{"/summary", "/summary"},
		{"/go?id=nope", "/go?id=" + url.QueryEscape(payload)},
		{"/reports?topic=" + url.QueryEscape(benign.Topic) + "&q=" + url.QueryEscape(benign.Value), "/reports?topic=" + url.QueryEscape(payload) + "&q=" + url.QueryEscape(payload)},
		{"/reports?from=x", "/reports?from=" + url.QueryEscape(payload)},
		{"/faults?resource=x", "/faults?resource=" + url.QueryEscape(payload)},
	}
	for _, role := range []string{adminToken, viewerToken} {
		for _, p := range pages {
			_, goodPage := get(t, good, p.good, bearer(role)...)
			resp, badPage := get(t, bad, p.bad, bearer(role)...)
			require.NotEqual(t, http.StatusInternalServerError, resp.StatusCode, p.bad)
			goodElems, goodAttrs, _ := shape(t, goodPage)
			elems, attrs, links := shape(t, badPage)
			for e := range elems {
				assert.True(t, goodElems[e], "%s: element %s is not the page's own", p.bad, e)
			}
			for a := range attrs {
				assert.True(t, goodAttrs[a], "%s: attribute %s is not the page's own", p.bad, a)
				assert.False(t, strings.Contains(a, "@on"), "%s: event handler %s", p.bad, a)
			}
			for _, l := range links {
				u, err := url.Parse(l)
				if assert.NoError(t, err, l) {
					assert.Empty(t, u.Scheme, "%s: links stay on the console: %s", p.bad, l)
				}
			}
		}
	}

	// The faults page, on a store that keeps faults.
	goodFaults, badFaults := newConsole(t, newSQLStore(t, benign)), newConsole(t, newSQLStore(t, evil))
	for _, role := range []string{adminToken, viewerToken} {
		_, goodPage := get(t, goodFaults, "/faults?resource="+url.QueryEscape(benign.Resource), bearer(role)...)
		_, badPage := get(t, badFaults, "/faults?resource="+url.QueryEscape(evil.Resource), bearer(role)...)
		require.Contains(t, html.UnescapeString(badPage), evil.ID, "the hostile fault is shown")
		goodElems, goodAttrs, _ := shape(t, goodPage)
		elems, attrs, _ := shape(t, badPage)
		for e := range elems {
			assert.True(t, goodElems[e], "faults: element %s is not the page's own", e)
		}
		for a := range attrs {
			assert.True(t, goodAttrs[a], "faults: attribute %s is not the page's own", a)
		}
	}

	// The payload is shown, as text.
	_, body := get(t, bad, "/report/"+evil.ID, bearer(adminToken)...)
	doc := parse(t, body)
	values := find(doc, byClass("p", "value"))
	require.Len(t, values, 1)
	assert.Equal(t, payload, text(values[0]))
	bars := find(doc, byClass("g", "bar"))
	require.Len(t, bars, len(evil.Timeline))
	assert.Contains(t, text(bars[0]), "<script>alert(1)</script>", "hover text is text")
}
