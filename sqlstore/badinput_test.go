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

// countRows returns how many reports the store holds.
func countRows(t *testing.T, s *sqlstore.Store) int {
	var n int
	require.NoError(t, s.DB().QueryRow("SELECT COUNT(*) FROM oops_reports").Scan(&n))
	return n
}

func TestHostileReports(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t, nil)

		t.Run("10 MB attribute", func(t *testing.T) {
			r := report(1)
			r.Attrs = map[string]any{"body": strings.Repeat("x", 10<<20)}
			_, err := s.Publish(ctx, r)
			require.NoError(t, err)
			got, err := s.Get(ctx, r.ID)
			require.NoError(t, err)
			assert.Len(t, got.Attrs["body"], 10<<20, "kept whole: it fits MaxReportBytes")
		})

		t.Run("invalid UTF-8 and NUL bytes", func(t *testing.T) {
			r := report(2)
			r.Value = "bad \xff\xfe byte and a NUL \x00 here"
			r.Topic = "GET /\x00/\xc3"
			r.Resource = "order/\x00\xff"
			r.Attrs = map[string]any{"k\x00": "v\xff"}
			r.Timeline[0].Detail = "SELECT '\x00'"
			_, err := s.Publish(ctx, r)
			require.NoError(t, err)
			got, err := s.Get(ctx, r.ID)
			require.NoError(t, err)
			assert.True(t, utf8.ValidString(got.Value))
			assert.Contains(t, got.Value, "\x00", "the report keeps its NUL bytes")
			assert.Equal(t, "SELECT '\x00'", got.Timeline[0].Detail)
			page, err := s.List(ctx, store.Query{Topic: r.Topic})
			require.NoError(t, err)
			require.Len(t, page.Reports, 1, "a filter with the same bytes finds it")
			assert.True(t, utf8.ValidString(page.Reports[0].Topic))
			assert.NotContains(t, page.Reports[0].Topic, "\x00")
			f, err := s.LatestFault(ctx, r.Resource, store.Viewer)
			require.NoError(t, err)
			assert.Equal(t, r.ID, f.ID)
		})

		t.Run("100k-entry timeline", func(t *testing.T) {
			r := report(3)
			r.Timeline = make([]oops.TimelineEntry, 100_000)
			for i := range r.Timeline {
				r.Timeline[i] = oops.TimelineEntry{Start: time.Duration(i) * time.Microsecond, End: time.Duration(i+1) * time.Microsecond, Category: "SQL-main", Detail: "SELECT 1"}
			}
			_, err := s.Publish(ctx, r)
			require.NoError(t, err)
			page, err := s.List(ctx, store.Query{Text: r.Value})
			require.NoError(t, err)
			require.Len(t, page.Reports, 1)
			assert.Equal(t, 100_000, page.Reports[0].Statements)
			got, err := s.Get(ctx, r.ID)
			require.NoError(t, err)
			assert.Len(t, got.Timeline, 100_000)
		})

		t.Run("ids that are not OOPS ids", func(t *testing.T) {
			for _, id := range []string{"'; DROP TABLE oops_reports; --", "../../etc/passwd", strings.Repeat("z", 5000), "\x00"} {
				r := report(4)
				r.ID = id
				ids, err := s.Publish(ctx, r)
				require.NoError(t, err)
				require.Len(t, ids, 1)
				assert.True(t, oops.ValidID(ids[0]), "a new id")
				assert.Equal(t, id, r.ID, "the caller's report is not changed")
				got, err := s.Get(ctx, ids[0])
				require.NoError(t, err)
				orig, _ := got.Extra[sqlstore.OriginalIDKey].(string)
				assert.NotEmpty(t, orig, "marked with its original id")
				assert.LessOrEqual(t, len(orig), 200)
			}
			r := report(5)
			r.ID = "oops-" + strings.ToUpper(strings.TrimPrefix(oops.NewID(), "OOPS-"))
			ids, err := s.Publish(ctx, r)
			require.NoError(t, err)
			assert.Equal(t, strings.ToLower(r.ID[5:]), ids[0][5:])
			assert.True(t, oops.ValidID(ids[0]))
			ids, err = s.Publish(ctx, &oops.Report{Value: "no id, no time"})
			require.NoError(t, err)
			got, err := s.Get(ctx, ids[0])
			require.NoError(t, err)
			assert.False(t, got.Time.IsZero())
		})

		t.Run("SQL injection in every field", func(t *testing.T) {
			before := countRows(t, s)
			inj := []string{
				"'; DROP TABLE oops_reports; --", `"); DELETE FROM oops_reports; --`, "' OR '1'='1",
				"%' OR 1=1 --", "\\'; SELECT pg_sleep(10); --", "?", "$1", "' UNION SELECT report FROM oops_reports --",
			}
			for i, x := range inj {
				r := report(6 + i)
				r.Value, r.Type, r.Topic, r.Reporter, r.Hostname = x, x, x, x, x
				r.URL, r.Username, r.Signature, r.Resource, r.TraceID, r.Level = x, x, x, x, x, x
				r.Extra = map[string]any{store.StatusKey: x, x: x}
				_, err := s.Publish(ctx, r)
				require.NoError(t, err)
				got, err := s.Get(ctx, r.ID)
				require.NoError(t, err)
				assert.Equal(t, x, got.Value)
				for _, q := range []store.Query{{Text: x}, {Topic: x}, {Signature: x}, {Type: x}, {Reporter: x}, {Resource: x}} {
					page, err := s.List(ctx, q)
					require.NoError(t, err)
					if assert.Len(t, page.Reports, 1, "%+v", q) {
						assert.Equal(t, r.ID, page.Reports[0].ID)
					}
				}
				_, err = s.Groups(ctx, store.Query{Signature: x})
				require.NoError(t, err)
				f, err := s.LatestFault(ctx, x, store.Viewer)
				require.NoError(t, err)
				assert.Equal(t, r.ID, f.ID)
				_, err = s.Get(ctx, x)
				assert.ErrorIs(t, err, oops.ErrBadID)
			}
			assert.Equal(t, before+len(inj), countRows(t, s), "no rows lost, none added")
		})

		t.Run("long searchable fields", func(t *testing.T) {
			r := report(20)
			r.URL = "https://x/" + strings.Repeat("é", 5000)
			r.Topic = strings.Repeat("t", 10000)
			r.Resource = strings.Repeat("r", 10000)
			_, err := s.Publish(ctx, r)
			require.NoError(t, err)
			page, err := s.List(ctx, store.Query{Topic: r.Topic})
			require.NoError(t, err)
			require.Len(t, page.Reports, 1)
			assert.LessOrEqual(t, len(page.Reports[0].URL), sqlstore.MaxColumn)
			assert.True(t, utf8.ValidString(page.Reports[0].URL))
			got, err := s.Get(ctx, r.ID)
			require.NoError(t, err)
			assert.Equal(t, r.URL, got.URL, "the report keeps it whole")
			f, err := s.LatestFault(ctx, r.Resource, store.Viewer)
			require.NoError(t, err)
			assert.Equal(t, r.ID, f.ID)
		})
	})
}

func TestTooLargeReportsAreCutOrRefused(t *testing.T) {
	ctx := context.Background()
	s := backends[1].open(t, &sqlstore.Options{MaxReportBytes: 1 << 20})
	r := report(1)
	r.Attrs = map[string]any{"body": strings.Repeat("x", 4<<20), "n": 3}
	r.Timeline = make([]oops.TimelineEntry, 50_000)
	for i := range r.Timeline {
		r.Timeline[i] = oops.TimelineEntry{Category: "SQL-main", Detail: strings.Repeat("SELECT 1 ", 10)}
	}
	_, err := s.Publish(ctx, r)
	require.NoError(t, err)
	got, err := s.Get(ctx, r.ID)
	require.NoError(t, err)
	b, err := json.Marshal(got)
	require.NoError(t, err)
	assert.LessOrEqual(t, len(b), 1<<20)
	assert.NotEmpty(t, got.Extra[sqlstore.CutKey], "marked, listing what was cut")
	assert.Equal(t, r.Value, got.Value, "small values are kept")
	var cut int
	require.NoError(t, s.DB().QueryRow("SELECT cut FROM oops_reports WHERE id = ?", r.ID).Scan(&cut))
	assert.Equal(t, 1, cut)
	assert.Len(t, r.Attrs["body"], 4<<20, "the caller's report is not changed")

	// A limit nothing can fit under is refused, with no row written.
	tiny := backends[1].open(t, &sqlstore.Options{MaxReportBytes: 10})
	_, err = tiny.Publish(ctx, report(2))
	require.ErrorIs(t, err, sqlstore.ErrTooLarge)
	assert.Zero(t, countRows(t, tiny), "no half-written row")
}
