package datedir

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
)

// TestRepublishAndPruneTidyOldDays: as python's republish does, stale .tmp
// files and empty files of days older than two days go; those of recent
// days stay, and so does a .tmp a writer holds.
func TestRepublishAndPruneTidyOldDays(t *testing.T) {
	for _, op := range []string{"republish", "prune"} {
		t.Run(op, func(t *testing.T) {
			ctx := context.Background()
			root := t.TempDir()
			old := time.Now().UTC().AddDate(0, 0, -5).Format(dayLayout)
			recent := time.Now().UTC().AddDate(0, 0, -1).Format(dayLayout)
			ids := fill(t, root, old)
			for _, d := range []string{old, recent} {
				require.NoError(t, os.MkdirAll(filepath.Join(root, d), 0o755))
				require.NoError(t, os.WriteFile(filepath.Join(root, d, "OOPS-x.0011.tmp"), []byte("half"), 0o644))
				require.NoError(t, os.WriteFile(filepath.Join(root, d, "OOPS-empty"), nil, 0o644))
			}
			held, err := os.Create(filepath.Join(root, old, "OOPS-held.ffff.tmp"))
			require.NoError(t, err)
			lockWriting(held)
			defer held.Close()

			repo := New(root)
			switch op {
			case "republish":
				n, err := repo.Republish(ctx, New(t.TempDir()))
				assert.Equal(t, 1, n)
				// Only the recent empty file is reported; the old one is
				// removed, as python does.
				require.ErrorIs(t, err, ErrCorrupt)
				assert.Contains(t, err.Error(), filepath.Join(root, recent, "OOPS-empty"))
				assert.NotContains(t, err.Error(), filepath.Join(root, old, "OOPS-empty"))
				_, err = os.Stat(filepath.Join(root, old, ids[old]))
				assert.ErrorIs(t, err, os.ErrNotExist)
			case "prune":
				// Pruning days before the old one leaves its reports.
				n, err := repo.Prune(ctx, mustDay(old))
				require.NoError(t, err)
				assert.Equal(t, 2, n, "the stale .tmp and the empty file")
				_, err = os.Stat(filepath.Join(root, old, ids[old]))
				assert.NoError(t, err, "reports of days not pruned stay")
			}
			for _, p := range []string{"OOPS-x.0011.tmp", "OOPS-empty"} {
				_, err := os.Stat(filepath.Join(root, old, p))
				assert.ErrorIs(t, err, os.ErrNotExist, "old %s removed", p)
				_, err = os.Stat(filepath.Join(root, recent, p))
				assert.NoError(t, err, "recent %s kept", p)
			}
			_, err = os.Stat(held.Name())
			assert.NoError(t, err, "a .tmp being written is kept")
		})
	}
}

// TestPruneWhilePublishing: publishing into the days being pruned never
// fails, and every report published is there afterwards.
func TestPruneWhilePublishing(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	repo := New(root)
	day := time.Now().UTC().AddDate(0, 0, -10)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			_, err := repo.Prune(ctx, time.Now().AddDate(0, 0, -9))
			assert.NoError(t, err)
		}
	})
	var published []string
	for range 300 {
		ids, err := repo.Publish(ctx, &oops.Report{ID: oops.NewID(), Time: day})
		require.NoError(t, err, "a publish into a day being pruned")
		published = append(published, ids...)
	}
	close(stop)
	wg.Wait()
	assert.Len(t, published, 300)
}

// TestErrorsQuoteIDsShort: an id of a megabyte is not quoted whole.
func TestErrorsQuoteIDsShort(t *testing.T) {
	huge := strings.Repeat("A/", 1<<19)
	_, err := New(t.TempDir()).Get(context.Background(), huge)
	require.ErrorIs(t, err, ErrInvalidName)
	assert.Less(t, len(err.Error()), 200)
	assert.Contains(t, err.Error(), "(1048576 bytes)")
}
