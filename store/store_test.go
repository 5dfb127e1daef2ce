package store_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/store"
)

func detailed() *oops.Report {
	bt := "main.f(...)\n\tmain.go:1\n"
	return &oops.Report{
		ID: oops.NewID(), Type: "*pq.Error", Value: strings.Repeat("é", 300), TBText: "main.main(...)\n",
		Time: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), Topic: "POST /orders", URL: "https://x/orders?token=1",
		ReqVars: map[string]string{"HTTP_COOKIE": "<hidden>"}, Attrs: map[string]any{"card": "4111"},
		Log:      []oops.LogRecord{{Msg: "secret"}},
		Timeline: []oops.TimelineEntry{{Start: 0, End: time.Millisecond, Category: "SQL-main", Detail: "SELECT card FROM users", Backtrace: &bt, Error: "boom"}},
		Extra:    map[string]any{store.StatusKey: "500", "internal": "x"}, Resource: "order/1", Duration: 0.5,
	}
}

func TestForRoleViewerSeesNoDetails(t *testing.T) {
	r := detailed()
	assert.Same(t, r, store.ForRole(r, store.Admin))
	v := store.ForRole(r, store.Viewer)
	b, err := json.Marshal(v)
	require.NoError(t, err)
	for _, secret := range []string{"main.main", "token", "HTTP_COOKIE", "4111", "secret", "SELECT card", "boom", "internal", "main.go"} {
		assert.NotContains(t, string(b), secret)
	}
	assert.Equal(t, r.ID, v.ID)
	assert.Equal(t, r.Value, v.Value)
	assert.Equal(t, 500, store.Status(v))
	require.Len(t, v.Timeline, 1)
	assert.Equal(t, oops.TimelineEntry{Start: 0, End: time.Millisecond, Category: "SQL-main"}, v.Timeline[0])
	assert.Equal(t, store.Viewer, store.Role(0), "the zero role hides details")
}

func TestFaultOf(t *testing.T) {
	r := detailed()
	f := store.FaultOf(r, store.Viewer)
	assert.Nil(t, f.Details)
	assert.Equal(t, store.MaxMessage, utf8.RuneCountInString(f.Message))
	assert.True(t, strings.HasSuffix(f.Message, "…"))
	assert.True(t, utf8.ValidString(f.Message))
	b, err := json.Marshal(f)
	require.NoError(t, err)
	assert.NotContains(t, string(b), "details", "absent, not empty")

	f = store.FaultOf(r, store.Admin)
	require.NotNil(t, f.Details)
	assert.Equal(t, r.TBText, f.Details.TBText)
	assert.Equal(t, r.Value, f.Details.Value)
}

func TestCut(t *testing.T) {
	assert.Equal(t, "abc", store.Cut("abc", 3))
	got := store.Cut(strings.Repeat("é", 10), 8)
	assert.True(t, utf8.ValidString(got))
	assert.LessOrEqual(t, len(got), 8)
	assert.True(t, strings.HasSuffix(got, "…"))
	assert.Equal(t, "a\uFFFDb", store.Cut("a\xffb", 10))
	assert.Equal(t, "ab…", store.CutRunes("abcd", 3))
	assert.Equal(t, "abc", store.CutRunes("abc", 3))
}

func TestCursorRoundTrip(t *testing.T) {
	p := store.Position{Time: time.Date(2026, 12, 1, 10, 0, 0, 123456789, time.UTC), ID: "OOPS-abc"}
	got, err := store.DecodeCursor(store.EncodeCursor(p))
	require.NoError(t, err)
	assert.True(t, p.Time.Equal(got.Time))
	assert.Equal(t, p.ID, got.ID)
	for _, bad := range []string{"!!", "eA", strings.Repeat("a", 1000)} {
		_, err := store.DecodeCursor(bad)
		assert.ErrorIs(t, err, store.ErrBadCursor, bad)
	}
	older := store.Summary{ID: "OOPS-zzz", Time: p.Time.Add(-time.Second)}
	same := store.Summary{ID: "OOPS-abb", Time: p.Time}
	newer := store.Summary{ID: "OOPS-aaa", Time: p.Time.Add(time.Second)}
	assert.True(t, p.After(older))
	assert.True(t, p.After(same))
	assert.False(t, p.After(newer))
	assert.False(t, p.After(store.Summary{ID: p.ID, Time: p.Time}))
}

func TestQueryMatches(t *testing.T) {
	s := store.SummaryOf(detailed())
	assert.Equal(t, 1, s.Statements)
	assert.Equal(t, time.Millisecond, s.SQLTime)
	assert.Equal(t, 500, s.Status)
	assert.LessOrEqual(t, len(s.Value), store.MaxValue)
	assert.True(t, store.Query{}.Matches(s))
	assert.True(t, store.Query{Text: "ÉÉ", Topic: "POST /orders", Resource: "order/1"}.Matches(s))
	assert.False(t, store.Query{Type: "other"}.Matches(s))
	assert.True(t, store.Query{From: s.Time, To: s.Time.Add(time.Second)}.Matches(s))
	assert.False(t, store.Query{To: s.Time}.Matches(s), "To is exclusive")
	assert.Equal(t, store.DefaultLimit, store.Query{}.PageSize())
	assert.Equal(t, store.MaxLimit, store.Query{Limit: 1 << 30}.PageSize())
}

func TestParseRole(t *testing.T) {
	r, err := store.ParseRole(" Admin ")
	require.NoError(t, err)
	assert.Equal(t, store.Admin, r)
	_, err = store.ParseRole("root")
	assert.Error(t, err)
}
