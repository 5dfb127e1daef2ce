package datedir

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/store"
)

// filled publishes n reports per day over three days, an hour apart,
// alternating two signatures and topics, and returns them newest first.
func filled(t *testing.T, repo *Repo, n int) []*oops.Report {
	t.Helper()
	ctx := context.Background()
	var out []*oops.Report
	for d := range 3 {
		for i := range n {
			r := report(oops.NewID(), mustDay("2026-11-28").AddDate(0, 0, d).Add(time.Duration(i)*time.Hour), "boom")
			r.Signature, r.Topic, r.URL = "sig-a", "GET /a", "https://x/a"
			if i%2 == 1 {
				r.Signature, r.Topic, r.Value = "sig-b", "GET /b", "Not Found: /b"
				r.Extra = map[string]any{store.StatusKey: "404"}
			}
			_, err := repo.Publish(ctx, r)
			require.NoError(t, err)
			out = append([]*oops.Report{r}, out...)
		}
	}
	return out
}

func TestGetPastedIDs(t *testing.T) {
	ctx := context.Background()
	repo := New(t.TempDir())
	r := filled(t, repo, 1)[0]
	hex := strings.TrimPrefix(r.ID, "OOPS-")
	for _, pasted := range []string{r.ID, "  " + strings.ToUpper(r.ID) + "\n", hex, "oops-" + strings.ToUpper(hex),
		"https://oops.example/oops/" + r.ID, "https://oops.example/show?id=" + r.ID, "<" + r.ID + ">."} {
		got, err := repo.Get(ctx, pasted)
		require.NoError(t, err, "%q", pasted)
		assert.Equal(t, r.ID, got.ID)
	}
	_, err := repo.Get(ctx, oops.NewID())
	assert.ErrorIs(t, err, store.ErrNotFound)
	assert.ErrorIs(t, err, ErrNotFound)
	_, err = repo.Get(ctx, "../../etc/passwd")
	assert.ErrorIs(t, err, oops.ErrBadID)
	assert.ErrorIs(t, err, ErrInvalidName)
	_, err = New(filepath.Join(t.TempDir(), "none")).Get(ctx, r.ID)
	assert.ErrorIs(t, err, store.ErrNotFound)
}

func TestListPagesNewestFirst(t *testing.T) {
	ctx := context.Background()
	repo := New(t.TempDir())
	want := filled(t, repo, 5)
	var got []string
	q := store.Query{Limit: 4}
	for pages := 0; ; pages++ {
		require.Less(t, pages, 10)
		p, err := repo.List(ctx, q)
		require.NoError(t, err)
		assert.LessOrEqual(t, len(p.Reports), 4)
		for _, s := range p.Reports {
			got = append(got, s.ID)
		}
		if p.Next == "" {
			break
		}
		q.Cursor = p.Next
	}
	var wantIDs []string
	for _, r := range want {
		wantIDs = append(wantIDs, r.ID)
	}
	assert.Equal(t, wantIDs, got)

	// Filters and a time range.
	p, err := repo.List(ctx, store.Query{Signature: "sig-b", From: mustDay("2026-11-29"), To: mustDay("2026-11-30")})
	require.NoError(t, err)
	require.Len(t, p.Reports, 2)
	assert.Equal(t, want[6].ID, p.Reports[0].ID)
	assert.Equal(t, want[8].ID, p.Reports[1].ID)
	assert.Equal(t, 404, p.Reports[0].Status)
	assert.Empty(t, p.Next)
	p, err = repo.List(ctx, store.Query{Text: "NOT FOUND", Topic: "GET /b"})
	require.NoError(t, err)
	assert.Len(t, p.Reports, 6)

	_, err = repo.List(ctx, store.Query{Cursor: "garbage!"})
	assert.ErrorIs(t, err, store.ErrBadCursor)
	p, err = New(filepath.Join(t.TempDir(), "none")).List(ctx, store.Query{})
	require.NoError(t, err)
	assert.Empty(t, p.Reports)
}

func TestScanSkipsGarbage(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	var mu sync.Mutex
	var skipped []error
	repo := NewWithOptions(root, &Options{OnSkip: func(err error) {
		mu.Lock()
		defer mu.Unlock()
		skipped = append(skipped, err)
	}})
	filled(t, repo, 2)
	bad := filepath.Join(root, "2026-11-29", "OOPS-garbage")
	require.NoError(t, os.WriteFile(bad, []byte("not bson at all"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(root, "2026-11-29", "OOPS-empty"), nil, 0o644))

	p, err := repo.List(ctx, store.Query{})
	require.NoError(t, err)
	assert.Len(t, p.Reports, 6, "the good reports are all listed")
	require.Len(t, skipped, 2)
	assert.ErrorIs(t, skipped[0], ErrCorrupt)
	assert.Contains(t, skipped[1].Error(), bad, "the error names the file")

	skipped = nil
	gs, err := repo.Groups(ctx, store.Query{})
	require.NoError(t, err)
	assert.Len(t, gs, 2)
	assert.Len(t, skipped, 2)
}

func TestGroups(t *testing.T) {
	ctx := context.Background()
	repo := New(t.TempDir())
	want := filled(t, repo, 5) // per day: three sig-a, two sig-b
	gs, err := repo.Groups(ctx, store.Query{})
	require.NoError(t, err)
	require.Len(t, gs, 2)
	a := gs[0]
	assert.Equal(t, "sig-a", a.Signature)
	assert.Equal(t, 9, a.Count)
	assert.Equal(t, want[0].ID, a.ExampleID, "the latest report")
	assert.True(t, a.Last.Equal(want[0].Time))
	assert.True(t, a.First.Equal(mustDay("2026-11-28")))
	assert.Equal(t, []store.Count{{Value: "GET /a", N: 9, ExampleID: want[0].ID}}, a.Topics)
	assert.Equal(t, "sig-b", gs[1].Signature)
	assert.Equal(t, 404, gs[1].Status)
	assert.Equal(t, 6, gs[1].Count)

	gs, err = repo.Groups(ctx, store.Query{From: mustDay("2026-11-30"), Type: "*errors.errorString", Limit: 1})
	require.NoError(t, err)
	require.Len(t, gs, 1)
	assert.Equal(t, 3, gs[0].Count)

	ctx2, cancel := context.WithCancel(ctx)
	cancel()
	_, err = repo.Groups(ctx2, store.Query{})
	assert.True(t, errors.Is(err, context.Canceled))
}

func TestPrunerInterface(t *testing.T) {
	ctx := context.Background()
	repo := New(t.TempDir())
	filled(t, repo, 2)
	var p store.Pruner = repo
	n, err := p.Prune(ctx, mustDay("2026-11-30"))
	require.NoError(t, err)
	assert.Equal(t, 4, n)
	page, err := repo.List(ctx, store.Query{})
	require.NoError(t, err)
	assert.Len(t, page.Reports, 2)
}

// A query ending at a midnight does not read the day that starts there: no
// report filed by its time is in range. A report filed there by hand with
// an earlier time is seen by a query whose range reaches into that day.
func TestScanStopsAtTo(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	repo := New(root)
	in := report(oops.NewID(), mustDay("2026-11-30").Add(10*time.Hour), "in range")
	_, err := repo.Publish(ctx, in)
	require.NoError(t, err)
	misfiled := report(oops.NewID(), mustDay("2026-11-30").Add(11*time.Hour), "filed under the next day by hand")
	data, err := Encode(misfiled)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Join(root, "2026-12-01"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "2026-12-01", misfiled.ID), data, 0o644))

	q := store.Query{From: mustDay("2026-11-30"), To: mustDay("2026-12-01")}
	page, err := repo.List(ctx, q)
	require.NoError(t, err)
	require.Len(t, page.Reports, 1)
	assert.Equal(t, in.ID, page.Reports[0].ID)

	q.To = q.To.Add(time.Second)
	page, err = repo.List(ctx, q)
	require.NoError(t, err)
	assert.Len(t, page.Reports, 2)
	gs, err := repo.Groups(ctx, q)
	require.NoError(t, err)
	assert.Len(t, gs, 2)
}
