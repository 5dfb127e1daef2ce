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

// TestFIFONeverOpened plants a named pipe where a report could be: opening
// it would block the reader forever.
func TestFIFONeverOpened(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	ids := fill(t, root, "2024-05-06")
	fifo := oops.NewID()
	require.NoError(t, syscall.Mkfifo(filepath.Join(root, "2024-05-06", fifo), 0o644))
	require.NoError(t, os.Symlink(fifo, filepath.Join(root, "2024-05-06", "link-to-fifo")))

	var names []string
	for e, err := range New(root).Walk(ctx, time.Time{}, time.Time{}) {
		require.NoError(t, err)
		names = append(names, e.Name)
	}
	assert.Equal(t, []string{ids["2024-05-06"]}, names)

	_, err := New(root).Get(ctx, fifo)
	assert.ErrorIs(t, err, ErrCorrupt)
	assert.Contains(t, err.Error(), "not a regular file")
}

// TestPublishPermsUnderUmask checks 0644 files and 0755 directories when
// the process's umask would make them private.
func TestPublishPermsUnderUmask(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	base := t.TempDir()
	root := filepath.Join(base, "var", "oops", "r")
	ids, err := New(root).Publish(context.Background(), report("", mustDay("2024-05-06"), "v"))
	require.NoError(t, err)
	fi, err := os.Stat(filepath.Join(root, "2024-05-06", ids[0]))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm())
	// The parents Publish made too: other users reach the store through them.
	for _, dir := range []string{filepath.Join(base, "var"), filepath.Join(base, "var", "oops"), root, filepath.Join(root, "2024-05-06")} {
		di, err := os.Stat(dir)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o755), di.Mode().Perm(), dir)
	}
}
