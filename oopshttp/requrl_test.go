package oopshttp

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/oops-go/oops/internal/reqvars"
)

// TestHideRequestURLIsHideURL: the request's URL with its secrets hidden,
// made with the query hidden once for QUERY_STRING too, is the text
// HideURL makes of the whole URL: user information, secret parameters,
// fragments, invalid UTF-8, absolute request URLs, queries that differ from
// the raw query.
func TestHideRequestURLIsHideURL(t *testing.T) {
	secrets := newQuerySecrets([]string{"order"})
	targets := []string{
		"/", "/a?b=1", "/a?token=x&b=2", "/a?order=7", "/a?", "/a?&&", "/a?token", "/a?token=",
		"/a?b=1#frag", "/a#frag?token=x", "/p%20q?api_key=k&x=%ff", "/caf\xe9?token=\xff",
		"/a?b=\xe9&password=p", "/a//b?c=d", "/x?y=z?token=t",
		"http://user:pass@example.com/a?token=x", "http://example.com/a?b=1",
		"http://u@h/p?order=1#f", "https://example.com?token=1",
	}
	for _, target := range targets {
		for _, host := range []string{"example.com", "user:pw@example.com", "h\xff", ""} {
			req := httptest.NewRequest("GET", "/", nil)
			req.RequestURI = target
			if u, err := req.URL.Parse(target); err == nil {
				req.URL = u
			}
			req.Host = host
			u := requestURL(req)
			raw := req.URL.RawQuery
			want := secrets.HideURL(u)
			got := hideRequestURL(secrets, u, raw, secrets.HideQuery(raw))
			assert.Equal(t, want, got, "target %q host %q", target, host)
			// A raw query that is not the URL's: HideURL itself.
			assert.Equal(t, want, hideRequestURL(secrets, u, raw+"&other=1", secrets.HideQuery(raw+"&other=1")), "%q", target)
		}
	}
	assert.True(t, strings.HasPrefix(hideRequestURL(secrets, "http://h/a?token=x", "token=x", secrets.HideQuery("token=x")), "http://h/a?token="+reqvars.Hidden))
}
