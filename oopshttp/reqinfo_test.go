package oopshttp_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
)

// TestRequestVariablesPerReport: the request's variables are read once per
// request, yet each report owns its map: what a hook changes in one report
// shows in no other, and the completed report has the request's variables
// back over the hook's change.
func TestRequestVariablesPerReport(t *testing.T) {
	c := &collector{}
	cfg := newConfig(c)
	cfg.Hooks = append(cfg.Hooks, func(_ context.Context, r *oops.Report, _ *oops.Event) {
		r.ReqVars["HTTP_X_TRACE"] = "changed by a hook"
		r.ReqVars["only_"+r.ID] = "x"
	})
	var first, second string
	srv, done := serve(t, cfg, nil, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, id := range []*string{&first, &second} {
			rep := cfg.Create(r.Context(), oops.Event{Err: errors.New("boom")})
			ids, err := cfg.Publish(r.Context(), rep)
			require.NoError(t, err)
			*id = ids[0]
		}
		w.WriteHeader(http.StatusOK)
	}))
	get(t, srv.URL+"/p?token=s3cret&q=1", "X-Trace", "abc", "Cookie", "a=b")
	<-done

	r1, r2 := c.byID(t, first), c.byID(t, second)
	assert.Equal(t, 1, r1.Revision, "the first report is the request's, completed")
	assert.Equal(t, 0, r2.Revision)
	assert.Equal(t, "abc", r1.ReqVars["HTTP_X_TRACE"], "completed: the request's value again")
	assert.Equal(t, "changed by a hook", r2.ReqVars["HTTP_X_TRACE"])
	assert.Contains(t, r1.ReqVars, "only_"+first)
	assert.NotContains(t, r1.ReqVars, "only_"+second)
	assert.Contains(t, r2.ReqVars, "only_"+second)
	assert.NotContains(t, r2.ReqVars, "only_"+first)
	for _, r := range []*oops.Report{r1, r2} {
		assert.Equal(t, "<hidden>", r.ReqVars["HTTP_COOKIE"])
		assert.NotContains(t, r.URL, "s3cret")
		assert.NotContains(t, r.ReqVars["QUERY_STRING"], "s3cret")
	}
}
