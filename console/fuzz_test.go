package console_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
)

// FuzzPages requests arbitrary paths and query strings: no answer is a
// server error, and every page is HTML whose scripts are the console's own.
func FuzzPages(f *testing.F) {
	for _, s := range []string{
		"/", "/go?id=OOPS-0123", "/reports?from=2026-13-45&limit=-1", "/reports?cursor=%ff%fe",
		"/summary?from=x&to=y&limit=99999999999999999999", "/report/%00", "/faults?resource=%3Cscript%3E",
		"/static/../console.go", "/report/OOPS-" + strings.Repeat("a", 500),
	} {
		f.Add(s)
	}
	h := newConsole(f, newRepo(f, orderReport(now.Add(-time.Hour))))
	f.Fuzz(func(t *testing.T, target string) {
		if !strings.HasPrefix(target, "/") || strings.ContainsAny(target, " \r\n\t#") {
			t.Skip()
		}
		req, err := http.NewRequest(http.MethodGet, "http://console"+target, nil)
		if err != nil {
			t.Skip()
		}
		req.RequestURI = target
		req.Header.Set("Authorization", "Bearer "+adminToken)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		assert.Less(t, rec.Code, 500, target)
		assert.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"))
		if strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") && rec.Code != http.StatusMovedPermanently {
			doc := parse(t, rec.Body.String())
			for _, s := range find(doc, func(n *html.Node) bool { return n.Data == "script" }) {
				require.True(t, strings.HasSuffix(attr(s, "src"), "/static/oops.js"), target)
			}
		}
	})
}
