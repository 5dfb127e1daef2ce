package datedir

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
)

// openDirs counts the descriptors of this process open on directories
// under root.
func openDirs(t *testing.T, root string) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	n := 0
	for _, e := range ents {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name()))
		if err == nil && len(target) > len(root) && target[:len(root)+1] == root+"/" {
			n++
		}
	}
	return n
}

// TestPublishKeepsDayOpenUntilClose: the day's directory is opened once for
// many writes, and Close closes it; the Repo still writes after Close,
// keeping nothing open.
func TestPublishKeepsDayOpenUntilClose(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	repo := New(root)
	when := time.Date(2024, 5, 6, 12, 0, 0, 0, time.UTC)
	for range 3 {
		_, err := repo.Publish(ctx, report(oops.NewID(), when, "x"))
		require.NoError(t, err)
	}
	assert.Equal(t, 1, openDirs(t, root), "the day's directory is kept open")
	require.NoError(t, repo.Close())
	assert.Zero(t, openDirs(t, root), "Close closes it")
	id := oops.NewID()
	_, err := repo.Publish(ctx, report(id, when, "after close"))
	require.NoError(t, err)
	assert.Zero(t, openDirs(t, root), "nothing kept after Close")
	back, err := repo.Get(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "after close", back.Value)
}

// TestPublishAfterDayRemoved: Prune removing the day's directory kept open
// does not lose the next report, which lands in a new directory of that day.
func TestPublishAfterDayRemoved(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	repo := New(root)
	defer repo.Close()
	when := time.Date(2024, 5, 6, 12, 0, 0, 0, time.UTC)
	for range 2 {
		_, err := repo.Publish(ctx, report(oops.NewID(), when, "x"))
		require.NoError(t, err)
	}
	n, err := repo.Prune(ctx, when.AddDate(0, 0, 1))
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	_, err = os.Stat(filepath.Join(root, "2024-05-06"))
	require.ErrorIs(t, err, os.ErrNotExist, "Prune removed the day")
	for i := range 2 {
		id := oops.NewID()
		_, err = repo.Publish(ctx, report(id, when, "again"))
		require.NoError(t, err, "write %d", i)
		_, err = os.Stat(filepath.Join(root, "2024-05-06", id))
		assert.NoError(t, err, "write %d is in the day's new directory", i)
	}
}

// TestPublishAfterDayReplaced: a day's directory renamed away and replaced
// behind the Repo's back is written into for at most dirMaxAge.
func TestPublishAfterDayReplaced(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		root := t.TempDir()
		repo := New(root)
		defer repo.Close()
		when := time.Date(2024, 5, 6, 12, 0, 0, 0, time.UTC)
		_, err := repo.Publish(ctx, report(oops.NewID(), when, "x"))
		require.NoError(t, err)
		_, err = repo.Publish(ctx, report(oops.NewID(), when, "x"))
		require.NoError(t, err)
		day := filepath.Join(root, "2024-05-06")
		require.NoError(t, os.Rename(day, filepath.Join(root, "moved")))
		require.NoError(t, os.Mkdir(day, 0o755))
		time.Sleep(dirMaxAge)
		id := oops.NewID()
		_, err = repo.Publish(ctx, report(id, when, "new dir"))
		require.NoError(t, err)
		_, err = os.Stat(filepath.Join(day, id))
		assert.NoError(t, err, "written in the day's directory now at its path")
	})
}

// TestPublishChangingDays: reports of several days, written at once, each
// land in their own day, and no descriptor is left open after Close.
func TestPublishChangingDays(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	repo := New(root)
	base := time.Date(2024, 5, 6, 12, 0, 0, 0, time.UTC)
	for d := range 3 {
		_, err := repo.Publish(ctx, report(oops.NewID(), base.AddDate(0, 0, d), "makes the day"))
		require.NoError(t, err)
	}
	var wg sync.WaitGroup
	ids := make([][]string, 4)
	for g := range ids {
		wg.Go(func() {
			for i := range 50 {
				id := oops.NewID()
				_, err := repo.Publish(ctx, report(id, base.AddDate(0, 0, (g+i)%3), "x"))
				assert.NoError(t, err)
				ids[g] = append(ids[g], id)
			}
		})
	}
	wg.Wait()
	for g, gids := range ids {
		for i, id := range gids {
			_, err := os.Stat(filepath.Join(root, base.AddDate(0, 0, (g+i)%3).Format(dayLayout), id))
			assert.NoError(t, err)
		}
	}
	assert.Empty(t, tmpFiles(t, root))
	require.NoError(t, repo.Close())
	assert.Zero(t, openDirs(t, root))
}

// TestPublishUnderNarrowUmask: with the day's directory kept open, files are
// still 0644 whatever the umask of the moment.
func TestPublishUnderNarrowUmask(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	repo := New(root)
	defer repo.Close()
	when := time.Date(2024, 5, 6, 12, 0, 0, 0, time.UTC)
	for range 2 {
		_, err := repo.Publish(ctx, report(oops.NewID(), when, "x"))
		require.NoError(t, err)
	}
	old := syscall.Umask(0o077) // process-wide: this test is not parallel
	defer syscall.Umask(old)
	id := oops.NewID()
	_, err := repo.Publish(ctx, report(id, when, "x"))
	require.NoError(t, err)
	fi, err := os.Stat(filepath.Join(root, "2024-05-06", id))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm())
}
