package sqlstore

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops/store"
)

// One batch holding two revisions of a report (in either order) and faults
// of one resource stores what storing them one by one in time order would.
func TestOneBatch(t *testing.T) {
	dsns := map[string]func(t *testing.T) (string, string){
		"sqlite":   func(t *testing.T) (string, string) { return "sqlite", filepath.Join(t.TempDir(), "b.db") },
		"postgres": func(t *testing.T) (string, string) { return "pgx", benchPostgres(t) },
	}
	for name, dsn := range dsns {
		t.Run(name, func(t *testing.T) {
			driver, d := dsn(t)
			s, err := Open(context.Background(), driver, d, &Options{FaultWindow: time.Minute})
			require.NoError(t, err)
			defer s.Close()
			rng := rand.New(rand.NewPCG(3, 3))
			mk := func(at time.Duration, tb string, rev int) *row {
				r := benchReport(rng, benchDay0.Add(at))
				r.Resource, r.TBText, r.Revision = "vm/1", tb, rev
				rw, err := s.row(r)
				require.NoError(t, err)
				return rw
			}
			detailed := mk(0, "main.f(...)\n", 0)
			undetailed := mk(30*time.Second, "", 0) // within the window: kept out
			rev1 := mk(time.Hour, "", 1)
			rev0 := *rev1
			rev0.revision, rev0.value = 0, "older revision"
			ctx := context.Background()
			tx, err := s.db.BeginTx(ctx, nil)
			require.NoError(t, err)
			require.NoError(t, s.writeRows(ctx, tx, []*row{undetailed, rev1, detailed, &rev0}))
			require.NoError(t, tx.Commit())

			got, err := s.Get(ctx, rev1.id)
			require.NoError(t, err)
			assert.Equal(t, 1, got.Revision, "the older revision, later in the batch, did not win")
			f, err := s.LatestFault(ctx, "vm/1", store.Viewer)
			require.NoError(t, err)
			assert.Equal(t, rev1.id, f.ID)

			// Without the newest, the detailed one stays the latest.
			_, err = s.db.Exec(s.rebind("DELETE FROM oops_latest_faults"))
			require.NoError(t, err)
			tx, err = s.db.BeginTx(ctx, nil)
			require.NoError(t, err)
			require.NoError(t, s.writeRows(ctx, tx, []*row{undetailed, detailed}))
			require.NoError(t, tx.Commit())
			f, err = s.LatestFault(ctx, "vm/1", store.Viewer)
			require.NoError(t, err)
			assert.Equal(t, detailed.id, f.ID)
		})
	}
}
