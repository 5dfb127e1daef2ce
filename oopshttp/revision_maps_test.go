package oopshttp_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/internal/testpub"
	"github.com/oops-go/oops/oopshttp"
)

var errDeclined = errors.New("card declined")

// TestCompletionLeavesThePendingRevisionAlone: a request's report is
// published pending when it is made and completed when the request ends;
// the completion, which shares the pending revision's maps where it does
// not change them, never writes into the maps of the revision published
// (a publisher may be reading it on another goroutine).
func TestCompletionLeavesThePendingRevisionAlone(t *testing.T) {
	h := &testpub.Holder{}
	cfg := &oops.Config{Hooks: append(oops.DefaultHooks(), oopshttp.AttachRequest), Publisher: h}
	handler := oopshttp.Middleware(cfg, nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway) // the report, made and published pending
		oopshttp.Error(w, r, errDeclined)    // the completion says so in Extra
	}))
	req := httptest.NewRequest(http.MethodGet, "/orders/7?step=1", nil)
	req.Header.Set("User-Agent", "test")
	handler.ServeHTTP(httptest.NewRecorder(), req)

	require.Len(t, h.Reports(), 2)
	pending, last := h.Reports()[0], h.Reports()[1]
	assert.Equal(t, pending.ID, last.ID)
	assert.True(t, pending.Pending)
	assert.Equal(t, 0, pending.Revision)
	assert.False(t, last.Pending)
	assert.Equal(t, 1, last.Revision)
	assert.Equal(t, map[string]any{oopshttp.StatusKey: "502"}, pending.Extra, "the pending revision's Extra unchanged")
	assert.Equal(t, "502", last.Extra[oopshttp.StatusKey])
	assert.Equal(t, errDeclined.Error(), last.Extra[oopshttp.HandlerErrorKey])
	assert.Equal(t, pending.ReqVars, last.ReqVars)
	assert.Equal(t, "test", last.ReqVars["HTTP_USER_AGENT"])
}

// TestCompletionWhileThePendingRevisionIsRead runs requests whose reports
// go through an oops.Async to a publisher that reads every map of what it
// is given, so that the worker reads some pending revisions while their
// requests complete them: the race detector holds the completion to
// writing none of the maps it shares with them.
func TestCompletionWhileThePendingRevisionIsRead(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{} // id: highest revision read
	reader := oops.PublisherFunc(func(_ context.Context, r *oops.Report) ([]string, error) {
		n := 0
		for k, v := range r.ReqVars {
			n += len(k) + len(v)
		}
		for k := range r.Attrs {
			n += len(k)
		}
		for k := range r.Extra {
			n += len(k)
		}
		if n == 0 {
			return nil, errors.New("a report without its maps")
		}
		mu.Lock()
		seen[r.ID] = max(seen[r.ID], r.Revision)
		mu.Unlock()
		return []string{r.ID}, nil
	})
	a := oops.NewAsync(reader, nil)
	cfg := &oops.Config{Hooks: append(oops.DefaultHooks(), oopshttp.AttachRequest), Publisher: a}
	handler := oopshttp.Middleware(cfg, nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
		oopshttp.Error(w, r, errDeclined)
	}))
	const requests = 300
	for range requests {
		req := httptest.NewRequest(http.MethodGet, "/orders/7?step=1", nil)
		req.Header.Set("User-Agent", "test")
		handler.ServeHTTP(httptest.NewRecorder(), req)
	}
	require.NoError(t, a.Close(context.Background()))
	s := a.Stats()
	assert.Zero(t, s.DroppedError+s.DroppedFull+s.DroppedPanic)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, seen, requests)
	for id, rev := range seen {
		assert.Equal(t, 1, rev, "%s completed", id)
	}
	t.Logf("%d of %d pending revisions were read before their completion", s.Published-requests, requests)
}
