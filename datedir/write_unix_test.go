//go:build unix

package datedir

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
)

// TestPublishIntoExistingDay covers the writer's common case, a day whose
// directory exists (on Linux, the raw-descriptor way): the file is whole,
// 0644 whatever the umask, no ".tmp" is left, and a second revision under
// the same id replaces the first.
func TestPublishIntoExistingDay(t *testing.T) {
	old := syscall.Umask(0o077) // process-wide: this test is not parallel
	defer syscall.Umask(old)
	ctx := context.Background()
	root := t.TempDir()
	repo := New(root)
	when := time.Date(2024, 5, 6, 12, 0, 0, 0, time.UTC)
	_, err := repo.Publish(ctx, report(oops.NewID(), when, "makes the day"))
	require.NoError(t, err)

	id := oops.NewID()
	r := report(id, when, "pending")
	r.Pending = true
	_, err = repo.Publish(ctx, r)
	require.NoError(t, err)
	r = report(id, when, "completed")
	r.Revision = 1
	_, err = repo.Publish(ctx, r)
	require.NoError(t, err)

	path := filepath.Join(root, "2024-05-06", id)
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm())
	assert.Empty(t, tmpFiles(t, root))
	back, err := repo.Get(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "completed", back.Value)
	assert.Equal(t, 1, back.Revision)
	assert.False(t, back.Pending)
}

// TestPublishThroughLinkInsideRoot: a day's directory that is a symbolic
// link staying inside the root is written through, as os.Root allows.
func TestPublishThroughLinkInsideRoot(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(root, "elsewhere"), 0o755))
	require.NoError(t, os.Symlink("elsewhere", filepath.Join(root, "2024-05-06")))
	id := oops.NewID()
	_, err := New(root).Publish(ctx, report(id, time.Date(2024, 5, 6, 1, 0, 0, 0, time.UTC), "linked"))
	require.NoError(t, err)
	back, err := ReadFile(filepath.Join(root, "elsewhere", id))
	require.NoError(t, err)
	assert.Equal(t, "linked", back.Value)
	assert.Empty(t, tmpFiles(t, root))
}
