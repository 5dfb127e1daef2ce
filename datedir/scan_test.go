//go:build unix

package datedir

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/store"
)

// A day of varied reports, written by Publish, by hand (python's way, and
// bzip2) and among special files: Groups and List give what store.Grouper
// and a sort give over the reports Walk reads, and report every file they
// cannot read, in name order.
func TestScanEqualsWalk(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	outside := t.TempDir()
	var skipped []string
	repo := NewWithOptions(root, &Options{OnSkip: func(err error) { skipped = append(skipped, fileOf(err)) }})
	day := mustDay("2026-11-30")
	for i := range 300 {
		r := &oops.Report{ID: oops.NewID(), Type: fmt.Sprintf("*app.E%d", i%7), Value: fmt.Sprintf("problem %d\xff", i%7),
			Time: day.Add(time.Duration(i) * 17 * time.Second), Topic: fmt.Sprintf("GET /r%d", i%11), URL: fmt.Sprintf("/r%d?i=%d", i%11, i%37),
			Signature: fmt.Sprintf("sig%d", i%5), Reporter: "web", Duration: float64(i) / 100,
			Extra: map[string]any{store.StatusKey: []any{"404", int64(500), 504.0, "x", nil}[i%5]}}
		if i%9 == 0 {
			r.Signature = "" // python's: grouped by type and value
		}
		for k := range i % 4 {
			r.Timeline = append(r.Timeline, oops.TimelineEntry{Start: time.Duration(k) * time.Millisecond, End: time.Duration(k+1) * time.Millisecond,
				Category: []string{"SQL-main", "http-GET", "SQL"}[k%3], Detail: "SELECT 1"})
		}
		_, err := repo.Publish(ctx, r)
		require.NoError(t, err)
	}
	dir := filepath.Join(root, "2026-11-30")
	py, err := os.ReadFile(filepath.Join("testdata", "pyrepo", "2024-05-06", pyPlainID))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "OOPS-python"), py, 0o644))
	bz, err := os.ReadFile(filepath.Join("testdata", "pyrepo", "2024-05-07", pyBzip2ID))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "OOPS-bzip2"), bz, 0o644))
	for _, name := range []string{"OOPS-zz-garbage", "OOPS-aa-garbage", "OOPS-mm-garbage"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte("not bson "+name), 0o644))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "OOPS-empty"), nil, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "OOPS-x.tmp"), []byte("being written"), 0o644))
	require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "OOPS-fifo"), 0o644))
	require.NoError(t, os.Symlink("OOPS-fifo", filepath.Join(dir, "OOPS-link-to-fifo")))
	require.NoError(t, os.Symlink("OOPS-python", filepath.Join(dir, "OOPS-link-inside")))
	data, err := Encode(report(oops.NewID(), day, "outside the root"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(outside, "secret"), data, 0o644))
	require.NoError(t, os.Symlink(filepath.Join(outside, "secret"), filepath.Join(dir, "OOPS-link-outside")))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "subdir"), 0o755))

	var g store.Grouper
	var all []store.Summary
	var walkErrs []string
	for e, err := range repo.Walk(ctx, time.Time{}, time.Time{}) {
		if err != nil {
			walkErrs = append(walkErrs, fileOf(err))
			continue
		}
		s := store.SummaryOf(e.Report)
		g.Add(s)
		all = append(all, s)
	}
	require.Len(t, all, 303, "Publish's, python's, bzip2 and the link inside")
	require.Len(t, walkErrs, 5, "three garbage, one empty, the link outside")

	gs, err := repo.Groups(ctx, store.Query{Limit: store.MaxLimit})
	require.NoError(t, err)
	assert.Equal(t, g.Groups(store.MaxLimit), gs)
	assert.Equal(t, walkErrs, skipped, "the same files, in name order")

	skipped = nil
	page, err := repo.List(ctx, store.Query{Limit: store.MaxLimit})
	require.NoError(t, err)
	require.Len(t, page.Reports, len(all))
	for _, s := range page.Reports {
		assert.Contains(t, all, s)
	}
	for i := 1; i < len(page.Reports); i++ {
		assert.False(t, store.Before(page.Reports[i], page.Reports[i-1]), "newest first")
	}
	assert.Equal(t, walkErrs, skipped)
}

// fileOf returns the file an error of a scan names.
func fileOf(err error) string {
	msg, ok := strings.CutPrefix(err.Error(), "datedir: reading ")
	if !ok {
		return err.Error()
	}
	path, _, _ := strings.Cut(msg, ": ")
	return path
}

// Reading is bounded by MaxReportSize, and a file larger than the read
// buffer reads whole.
func TestScanLargeFiles(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	var skipped []error
	repo := NewWithOptions(root, &Options{OnSkip: func(err error) { skipped = append(skipped, err) }})
	r := report(oops.NewID(), mustDay("2026-11-30"), "big")
	r.TBText = string(make([]byte, 200<<10)) // past the first read's 64 KiB
	_, err := repo.Publish(ctx, r)
	require.NoError(t, err)
	huge := filepath.Join(root, "2026-11-30", "OOPS-huge")
	require.NoError(t, os.WriteFile(huge, make([]byte, MaxReportSize+10), 0o644))
	page, err := repo.List(ctx, store.Query{})
	require.NoError(t, err)
	require.Len(t, page.Reports, 1)
	assert.Equal(t, r.ID, page.Reports[0].ID)
	require.Len(t, skipped, 1)
	assert.ErrorIs(t, skipped[0], ErrCorrupt)
	assert.Contains(t, skipped[0].Error(), huge)
}
