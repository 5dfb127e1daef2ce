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
	"github.com/oops-go/oops/oopshttp"
)

var errDeclined = errors.New("card declined")

// holding keeps the reports it is given themselves, not copies, as an
// oops.Async does until its worker has written them.
type holding struct {
	mu   sync.Mutex
	reps []*oops.Report
}

func (h *holding) Publish(_ context.Context, r *oops.Report) ([]string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.reps = append(h.reps, r)
	return []string{r.ID}, nil
}

// TestCompletionLeavesThePendingRevisionAlone: a request's report is
// published pending when it is made and completed when the request ends;
// the completion, which shares the pending revision's maps where it does
// not change them, never writes into the maps of the revision published
// (a publisher may be reading it on another goroutine).
func TestCompletionLeavesThePendingRevisionAlone(t *testing.T) {
	h := &holding{}
	cfg := &oops.Config{Hooks: append(oops.DefaultHooks(), oopshttp.AttachRequest), Publisher: h}
	handler := oopshttp.Middleware(cfg, nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway) // the report, made and published pending
		oopshttp.Error(w, r, errDeclined)    // the completion says so in Extra
	}))
	req := httptest.NewRequest(http.MethodGet, "/orders/7?step=1", nil)
	req.Header.Set("User-Agent", "test")
	handler.ServeHTTP(httptest.NewRecorder(), req)

	require.Len(t, h.reps, 2)
	pending, last := h.reps[0], h.reps[1]
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
