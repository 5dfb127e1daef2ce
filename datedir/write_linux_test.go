package datedir

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
)

// tmpfileWorks reports whether dir's file system, the kernel and the
// process's privileges let a file be made with O_TMPFILE and linked, as
// writeTmpfile does.
func tmpfileWorks(t *testing.T, dir string) bool {
	t.Helper()
	d, err := syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	require.NoError(t, err)
	defer syscall.Close(d)
	f, err := syscall.Openat(d, ".", oTmpfile|syscall.O_WRONLY|syscall.O_CLOEXEC, 0o600)
	if err != nil {
		return false
	}
	defer syscall.Close(f)
	if err := linkTmpfile(f, d, "probe"); err != nil {
		return false
	}
	require.NoError(t, syscall.Unlinkat(d, "probe"))
	return true
}

// publishInto publishes a report of value under id on 2024-05-06 and
// returns its file's path.
func publishInto(t *testing.T, repo *Repo, id, value string, revision int) string {
	t.Helper()
	r := report(id, time.Date(2024, 5, 6, 12, 0, 0, 0, time.UTC), value)
	r.Revision = revision
	r.Pending = revision == 0
	_, err := repo.Publish(context.Background(), r)
	require.NoError(t, err)
	return filepath.Join(repo.Root(), "2024-05-06", id)
}

// TestPublishUnnamedFile: where O_TMPFILE works, a report written into an
// existing day's directory is written unnamed and linked: 0644 under a
// restrictive umask, no ".tmp" left, and the way stays in use.
func TestPublishUnnamedFile(t *testing.T) {
	root := t.TempDir()
	if !tmpfileWorks(t, root) {
		t.Skipf("O_TMPFILE and linkat(AT_EMPTY_PATH) do not work in %s", root)
	}
	old := syscall.Umask(0o077) // process-wide: this test is not parallel
	defer syscall.Umask(old)
	repo := New(root)
	defer repo.Close()
	publishInto(t, repo, oops.NewID(), "makes the day", 0)
	for i := range 3 {
		id := oops.NewID()
		path := publishInto(t, repo, id, fmt.Sprint("report ", i), 1)
		fi, err := os.Stat(path)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm())
		back, err := ReadFile(path)
		require.NoError(t, err)
		assert.Equal(t, fmt.Sprint("report ", i), back.Value)
	}
	assert.True(t, repo.dirs.tmpfileOK(), "the unnamed-file way was given up")
	assert.Empty(t, tmpFiles(t, root))
}

// TestPublishRevisionReplacesFile: a revision of a report whose file
// exists (which linkat cannot replace) replaces it atomically by a rename:
// a reader that opened the first revision still reads it whole, the name
// gives the second, and the unnamed-file way is not given up for later
// writes.
func TestPublishRevisionReplacesFile(t *testing.T) {
	root := t.TempDir()
	works := tmpfileWorks(t, root)
	repo := New(root)
	defer repo.Close()
	publishInto(t, repo, oops.NewID(), "makes the day", 0)
	id := oops.NewID()
	path := publishInto(t, repo, id, "pending", 0)
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	before, err := f.Stat()
	require.NoError(t, err)

	publishInto(t, repo, id, "completed", 1)

	after, err := os.Stat(path)
	require.NoError(t, err)
	assert.False(t, os.SameFile(before, after), "the file was written in place")
	assert.Equal(t, os.FileMode(0o644), after.Mode().Perm())
	held, err := io.ReadAll(f)
	require.NoError(t, err)
	first, err := Decode(held)
	require.NoError(t, err)
	assert.Equal(t, "pending", first.Value)
	back, err := repo.Get(context.Background(), id)
	require.NoError(t, err)
	assert.Equal(t, "completed", back.Value)
	assert.Equal(t, 1, back.Revision)
	assert.Empty(t, tmpFiles(t, root))
	assert.Equal(t, works, repo.dirs.tmpfileOK())
}

// TestPublishWithoutTmpfile: a Repo that found O_TMPFILE unusable writes
// every report through a locked ".tmp" file renamed into place, with the
// same results.
func TestPublishWithoutTmpfile(t *testing.T) {
	old := syscall.Umask(0o077) // process-wide: this test is not parallel
	defer syscall.Umask(old)
	root := t.TempDir()
	repo := New(root)
	defer repo.Close()
	repo.dirs.noTmpfile()
	require.False(t, repo.dirs.tmpfileOK())
	publishInto(t, repo, oops.NewID(), "makes the day", 0)
	id := oops.NewID()
	path := publishInto(t, repo, id, "pending", 0)
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm())
	publishInto(t, repo, id, "completed", 1)
	back, err := repo.Get(context.Background(), id)
	require.NoError(t, err)
	assert.Equal(t, "completed", back.Value)
	fi, err = os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm())
	assert.Empty(t, tmpFiles(t, root))
	assert.False(t, repo.dirs.tmpfileOK())
}

// TestTmpfileKeptAfterDayRemoved: a day's directory removed while the Repo
// keeps it open (Prune, Republish) makes the write go the os.Root way,
// which makes it again, and is not taken for a kernel without O_TMPFILE.
func TestTmpfileKeptAfterDayRemoved(t *testing.T) {
	root := t.TempDir()
	works := tmpfileWorks(t, root)
	repo := New(root)
	defer repo.Close()
	first := publishInto(t, repo, oops.NewID(), "makes the day", 0)
	publishInto(t, repo, oops.NewID(), "keeps the day open", 0)
	require.NoError(t, os.RemoveAll(filepath.Dir(first)))
	path := publishInto(t, repo, oops.NewID(), "after", 0)
	back, err := ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "after", back.Value)
	assert.Equal(t, works, repo.dirs.tmpfileOK())
	assert.Empty(t, tmpFiles(t, root))
}

// TestPublishRevisionsWhileReading: readers of a report that writers keep
// revising always find a whole report, never a partial or missing file.
func TestPublishRevisionsWhileReading(t *testing.T) {
	root := t.TempDir()
	repo := New(root)
	defer repo.Close()
	id := oops.NewID()
	path := publishInto(t, repo, id, "revision 0", 0)
	const writers, revisions = 2, 100
	var wg sync.WaitGroup
	done := make(chan struct{})
	errs := make(chan error, 4)
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				if _, err := ReadFile(path); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	var ww sync.WaitGroup
	for w := range writers {
		ww.Go(func() {
			for i := range revisions {
				r := report(id, time.Date(2024, 5, 6, 12, 0, 0, 0, time.UTC), fmt.Sprint("revision by ", w, " ", i))
				r.Revision = 1 + i
				r.Extra = map[string]any{"padding": string(make([]byte, 1000*(i%8)))}
				if _, err := repo.Publish(context.Background(), r); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	ww.Wait()
	close(done)
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	assert.Empty(t, tmpFiles(t, root))
}
