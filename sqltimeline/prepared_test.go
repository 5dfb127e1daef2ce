package sqltimeline

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPreparedWithoutTimelineRecordsRuns: the wrapper looks a statement's
// timeline up when it runs, not when it is prepared, so a statement prepared
// with a context that has none records the runs made with one, and only
// those; statements run without a timeline in between change nothing.
func TestPreparedWithoutTimelineRecordsRuns(t *testing.T) {
	for _, tc := range pathCases() {
		t.Run(tc.name, func(t *testing.T) {
			db := tc.open(t)
			bg := context.Background()
			ex, err := db.PrepareContext(bg, tc.exec)
			require.NoError(t, err)
			defer ex.Close()
			q, err := db.PrepareContext(bg, tc.query)
			require.NoError(t, err)
			defer q.Close()

			query := func(ctx context.Context) {
				t.Helper()
				rows, err := q.QueryContext(ctx)
				require.NoError(t, err)
				n := 0
				for rows.Next() {
					n++
				}
				require.NoError(t, rows.Err())
				require.NoError(t, rows.Close())
				assert.Equal(t, tc.queryRows, n)
			}

			_, err = ex.ExecContext(bg, "x")
			require.NoError(t, err)
			query(bg)
			// Unprepared statements without a timeline, which on the
			// minimal driver reuse the conn's spare statement wrapper.
			_, err = db.ExecContext(bg, tc.exec, "y")
			require.NoError(t, err)

			ctx, tl := traced()
			_, err = ex.ExecContext(ctx, "z")
			require.NoError(t, err)
			query(ctx)
			_, err = db.ExecContext(bg, tc.exec, "w")
			require.NoError(t, err)
			_, err = db.ExecContext(ctx, tc.exec, "v")
			require.NoError(t, err)

			want := []string{
				tc.category + ": " + tc.exec,
				tc.category + ": " + tc.query,
				tc.category + ": " + tc.exec,
			}
			assert.Equal(t, want, details(tl))
		})
	}
}
