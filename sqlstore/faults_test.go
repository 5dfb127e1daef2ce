package sqlstore_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/sqlstore"
	"github.com/oops-go/oops/store"
)

func TestLatestFaultIsFaultOfTheStoredReport(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t, nil)
		_, err := s.LatestFault(ctx, "order/8123", store.Admin)
		require.ErrorIs(t, err, store.ErrNotFound)

		var last *oops.Report
		for i := range 3 {
			r := report(i)
			r.Resource = "order/8123"
			r.Value = strings.Repeat("ü", 300) + " disk full " + string(rune('a'+i))
			_, err := s.Publish(ctx, r)
			require.NoError(t, err)
			last = r
		}
		other := report(10)
		other.Resource = "order/9"
		_, err = s.Publish(ctx, other)
		require.NoError(t, err)

		stored, err := s.Get(ctx, last.ID)
		require.NoError(t, err)
		for _, role := range []store.Role{store.Viewer, store.Admin} {
			f, err := s.LatestFault(ctx, "order/8123", role)
			require.NoError(t, err)
			assert.Equal(t, store.FaultOf(stored, role), f, role.String())
		}

		viewer, err := s.LatestFault(ctx, "order/8123", store.Viewer)
		require.NoError(t, err)
		assert.Equal(t, last.ID, viewer.ID)
		assert.True(t, last.Time.Equal(viewer.Time))
		assert.Equal(t, 255, utf8.RuneCountInString(viewer.Message))
		assert.True(t, strings.HasSuffix(viewer.Message, "…"))
		assert.Nil(t, viewer.Details)
		js, err := json.Marshal(viewer)
		require.NoError(t, err)
		for _, secret := range []string{"details", "tb_text", "main.go", "SELECT", "*pq.Error"} {
			assert.NotContains(t, string(js), secret, "a viewer's fault serialised")
		}

		admin, err := s.LatestFault(ctx, "order/8123", store.Admin)
		require.NoError(t, err)
		require.NotNil(t, admin.Details)
		assert.Equal(t, last.TBText, admin.Details.TBText)
		assert.Equal(t, last.Value, admin.Details.Value)
		assert.Equal(t, last.Type, admin.Details.Type)
		assert.Len(t, admin.Details.Timeline, 20)

		history, err := s.Faults(ctx, "order/8123", store.Viewer, 0)
		require.NoError(t, err)
		require.Len(t, history, 3)
		assert.Equal(t, last.ID, history[0].ID)
		for _, f := range history {
			assert.Nil(t, f.Details)
			assert.Equal(t, "order/8123", f.Resource)
		}
		history, err = s.Faults(ctx, "order/8123", store.Admin, 2)
		require.NoError(t, err)
		require.Len(t, history, 2)
		assert.NotNil(t, history[1].Details)

		none, err := s.Faults(ctx, "order/none", store.Admin, 0)
		require.NoError(t, err)
		assert.Empty(t, none)
	})
}

func TestFaultPrecedence(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t, &sqlstore.Options{FaultWindow: time.Minute})
		publish := func(at time.Duration, tb string) *oops.Report {
			r := report(0)
			r.Time, r.TBText, r.Resource = day.Add(at), tb, "db-instance/42"
			_, err := s.Publish(ctx, r)
			require.NoError(t, err)
			return r
		}
		latest := func() string {
			f, err := s.LatestFault(ctx, "db-instance/42", store.Viewer)
			require.NoError(t, err)
			return f.ID
		}
		detailed := publish(0, "main.resize(...)\n")
		publish(30*time.Second, "") // less detailed, within the window: kept out
		assert.Equal(t, detailed.ID, latest())
		later := publish(2*time.Minute, "") // past the window: replaces
		assert.Equal(t, later.ID, latest())
		newer := publish(2*time.Minute+time.Second, "main.other(...)\n") // detailed: replaces
		assert.Equal(t, newer.ID, latest())
		publish(time.Minute, "main.old(...)\n") // older than the latest: does not replace
		assert.Equal(t, newer.ID, latest())

		history, err := s.Faults(ctx, "db-instance/42", store.Viewer, 0)
		require.NoError(t, err)
		assert.Len(t, history, 5, "every fault is kept")

		// Without the window, the newest always wins.
		s2 := b.open(t, nil)
		r1, r2 := report(0), report(1)
		r1.Resource, r2.Resource, r2.TBText = "vm/1", "vm/1", ""
		for _, r := range []*oops.Report{r1, r2} {
			_, err := s2.Publish(ctx, r)
			require.NoError(t, err)
		}
		f, err := s2.LatestFault(ctx, "vm/1", store.Viewer)
		require.NoError(t, err)
		assert.Equal(t, r2.ID, f.ID)
	})
}

func TestResourceFromContext(t *testing.T) {
	ctx := oops.WithResource(context.Background(), "order/8123")
	s := backends[1].open(t, nil)
	cfg := &oops.Config{Publisher: s} // nil Hooks: DefaultHooks, AttachResource among them
	r := cfg.Create(ctx, oops.Event{Err: assert.AnError})
	_, err := cfg.Publish(ctx, r)
	require.NoError(t, err)
	f, err := s.LatestFault(ctx, "order/8123", store.Viewer)
	require.NoError(t, err)
	assert.Equal(t, r.ID, f.ID)
	assert.Equal(t, assert.AnError.Error(), f.Message)
}
