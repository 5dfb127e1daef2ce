package sqlstore_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/datedir"
	"github.com/oops-go/oops/store"
)

func TestImportDatedirTree(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		dir := t.TempDir()
		repo := datedir.New(dir)
		var want []*oops.Report
		for i := range 300 {
			r := report(i * 7) // over several days
			r.Resource = "order/" + string(rune('0'+i%4))
			_, err := repo.Publish(ctx, r)
			require.NoError(t, err)
			want = append(want, r)
		}
		// A garbage file and an empty one, and python's own files.
		day := filepath.Join(dir, "2026-12-01")
		require.NoError(t, os.WriteFile(filepath.Join(day, "OOPS-garbage"), []byte("not bson"), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(day, "OOPS-empty"), nil, 0o644))
		python, err := filepath.Abs("../datedir/testdata/pyrepo")
		require.NoError(t, err)
		require.NoError(t, os.CopyFS(filepath.Join(dir), os.DirFS(python)))

		s := b.open(t, nil)
		for run := range 2 {
			n, err := s.Import(ctx, dir)
			assert.Equal(t, 302, n, "run %d", run)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "OOPS-garbage")
			assert.Contains(t, err.Error(), "OOPS-empty")
			assert.Len(t, listAll(t, s, store.Query{Limit: store.MaxLimit}), 302, "run %d: each report once", run)
		}
		for _, r := range want[:20] {
			got, err := s.Get(ctx, r.ID)
			require.NoError(t, err)
			assert.Equal(t, r.Value, got.Value)
			assert.Equal(t, r.Resource, got.Resource)
			assert.True(t, r.Time.Equal(got.Time))
		}
		_, err = s.Get(ctx, "OOPS-8c0ffa89962170b6e12623e36a3252e0")
		assert.NoError(t, err, "python's report")
		f, err := s.LatestFault(ctx, "order/3", store.Admin)
		require.NoError(t, err)
		assert.NotNil(t, f.Details)

		n, err := s.Import(ctx, filepath.Join(dir, "does-not-exist"))
		assert.NoError(t, err)
		assert.Zero(t, n)
	})
}
