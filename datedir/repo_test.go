package datedir

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/oops-go/oops"
)

func mustDay(s string) time.Time {
	t, err := time.Parse(dayLayout, s)
	if err != nil {
		panic(err)
	}
	return t
}

func report(id string, t time.Time, value string) *oops.Report {
	return &oops.Report{ID: id, Type: "*errors.errorString", Value: value, Time: t, Duration: -1}
}

// tmpFiles lists the .tmp files left anywhere under dir.
func tmpFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".tmp") {
			out = append(out, p)
		}
		return err
	}))
	return out
}

func TestPublishLayout(t *testing.T) {
	ctx := context.Background()
	root := filepath.Join(t.TempDir(), "not", "yet")
	repo := New(root)
	id := oops.NewID()
	// 23:30 in UTC-5 is the next day in UTC.
	when := time.Date(2024, 5, 6, 23, 30, 0, 0, time.FixedZone("EST", -5*3600))
	r := report(id, when, "boom")

	ids, err := repo.Publish(ctx, r)
	require.NoError(t, err)
	assert.Equal(t, []string{id}, ids)

	path := filepath.Join(root, "2024-05-07", id)
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm())
	di, err := os.Stat(filepath.Dir(path))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o755), di.Mode().Perm())
	assert.Empty(t, tmpFiles(t, root))

	back, err := ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, id, back.ID)
	assert.Equal(t, "boom", back.Value)
	assert.True(t, when.Equal(back.Time))
}

func TestPublishAssignsID(t *testing.T) {
	ctx := context.Background()
	repo := New(t.TempDir())
	for _, id := range []string{"", "OOPS-1A2B3C", "../../etc/passwd", "OOPS-0123456789ABCDEF0123456789ABCDEF"} {
		r := report(id, mustDay("2024-05-06"), "v")
		ids, err := repo.Publish(ctx, r)
		require.NoError(t, err)
		require.Len(t, ids, 1)
		assert.True(t, oops.ValidID(ids[0]), ids[0])
		assert.Equal(t, id, r.ID, "the caller's report is not changed")
		got, err := repo.Get(ctx, ids[0])
		require.NoError(t, err)
		assert.Equal(t, ids[0], got.ID, "the file holds the id it is named by")
	}
}

func TestPublishZeroTimeUsesNow(t *testing.T) {
	root := t.TempDir()
	before := time.Now().UTC().Format(dayLayout)
	ids, err := New(root).Publish(context.Background(), report("", time.Time{}, "v"))
	require.NoError(t, err)
	after := time.Now().UTC().Format(dayLayout)
	_, err1 := os.Stat(filepath.Join(root, before, ids[0]))
	_, err2 := os.Stat(filepath.Join(root, after, ids[0]))
	assert.True(t, err1 == nil || err2 == nil, "filed under today")
}

func TestPublishSameIDReplaces(t *testing.T) {
	ctx := context.Background()
	repo := New(t.TempDir())
	id := oops.NewID()
	_, err := repo.Publish(ctx, report(id, mustDay("2024-05-06"), "first"))
	require.NoError(t, err)
	_, err = repo.Publish(ctx, report(id, mustDay("2024-05-06"), "second, after the trailing window"))
	require.NoError(t, err)
	got, err := repo.Get(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "second, after the trailing window", got.Value)
}

func TestPublishConcurrent(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	repo := New(root)
	shared := oops.NewID() // every goroutine also republishes this one
	const workers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*each*2)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				d := mustDay("2024-05-01").AddDate(0, 0, i%3)
				if _, err := repo.Publish(ctx, report("", d, fmt.Sprint(w, i))); err != nil {
					errs <- err
				}
				if _, err := repo.Publish(ctx, report(shared, mustDay("2024-05-01"), fmt.Sprint(w, i))); err != nil {
					errs <- err
				}
			}
		})
	}
	// A concurrent pruner of other days must not make publishing fail.
	wg.Go(func() {
		for range 20 {
			if _, err := repo.Prune(ctx, mustDay("2024-04-01")); err != nil {
				errs <- err
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	n := 0
	for e, err := range repo.Walk(ctx, time.Time{}, time.Time{}) {
		require.NoError(t, err)
		require.NotNil(t, e.Report)
		n++
	}
	assert.Equal(t, workers*each+1, n)
	assert.Empty(t, tmpFiles(t, root))
}

func TestGetRefusesNames(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	repo := New(root)
	_, err := repo.Publish(ctx, report(oops.NewID(), mustDay("2024-05-06"), "v"))
	require.NoError(t, err)
	for _, name := range []string{
		"", ".", "..", "../secret", "2024-05-06/../x", "a/b", "/etc/passwd", `..\x`, "x\x00y",
		"OOPS-0123456789abcdef0123456789abcdef.tmp", strings.Repeat("a", 256), "2024-05-06",
	} {
		_, err := repo.Get(ctx, name)
		if name == "2024-05-06" {
			// A safe name; it is no report file.
			assert.ErrorIs(t, err, ErrNotFound, "%q", name)
			continue
		}
		assert.ErrorIs(t, err, ErrInvalidName, "%q", name)
	}
}

func TestGetOtherNames(t *testing.T) {
	// Other tools name files differently (python's older UniqueFileAllocator
	// wrote names like 01800.T1); such names are fine when they stay inside.
	ctx := context.Background()
	root := t.TempDir()
	data, err := Encode(report("OOPS-1A2B3C", mustDay("2024-05-06"), "older id"))
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Join(root, "2024-05-06"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "2024-05-06", "01800.T1"), data, 0o644))

	got, err := New(root).Get(ctx, "01800.T1")
	require.NoError(t, err)
	assert.Equal(t, "OOPS-1A2B3C", got.ID)
	_, err = New(root).Get(ctx, "OOPS-1A2B3C")
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestGetNewestDayFirst(t *testing.T) {
	ctx := context.Background()
	repo := New(t.TempDir())
	id := oops.NewID()
	_, err := repo.Publish(ctx, report(id, mustDay("2024-05-06"), "old"))
	require.NoError(t, err)
	_, err = repo.Publish(ctx, report(id, mustDay("2024-05-08"), "new"))
	require.NoError(t, err)
	got, err := repo.Get(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "new", got.Value)
}

func TestGetMissing(t *testing.T) {
	ctx := context.Background()
	_, err := New(filepath.Join(t.TempDir(), "none")).Get(ctx, oops.NewID())
	assert.ErrorIs(t, err, ErrNotFound, "a root that does not exist is empty")
	_, err = New(t.TempDir()).Get(ctx, oops.NewID())
	assert.ErrorIs(t, err, ErrNotFound)
}

// TestNoEscapeBySymlink plants symbolic links that lead out of the root: to
// a report file, and as a whole date directory. Nothing outside is read.
func TestNoEscapeBySymlink(t *testing.T) {
	ctx := context.Background()
	outside := t.TempDir()
	secretID := oops.NewID()
	data, err := Encode(report(secretID, mustDay("2024-05-06"), "outside the root"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(outside, secretID), data, 0o644))

	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "2024-05-06"), 0o755))
	linkedID := oops.NewID()
	require.NoError(t, os.Symlink(filepath.Join(outside, secretID), filepath.Join(root, "2024-05-06", linkedID)))
	require.NoError(t, os.Symlink(outside, filepath.Join(root, "2024-05-07")))

	repo := New(root)
	for _, id := range []string{linkedID, secretID} {
		r, err := repo.Get(ctx, id)
		assert.Error(t, err, id)
		assert.Nil(t, r, id)
	}
	walked := 0
	for e, err := range repo.Walk(ctx, time.Time{}, time.Time{}) {
		walked++
		assert.Error(t, err, e.Path)
		assert.Nil(t, e.Report, e.Path)
	}
	assert.Equal(t, 1, walked, "the link is met, and refused; the linked day is no date directory")
	// Publishing into a day whose directory is a link out of the root fails
	// rather than writing outside.
	_, err = repo.Publish(ctx, report(oops.NewID(), mustDay("2024-05-07"), "v"))
	assert.Error(t, err)
	ents, err := os.ReadDir(outside)
	require.NoError(t, err)
	assert.Len(t, ents, 1, "nothing was written outside the root")
}

func TestCorruptFilesNamed(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	dir := filepath.Join(root, "2024-05-06")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	empty, garbage := oops.NewID(), oops.NewID()
	require.NoError(t, os.WriteFile(filepath.Join(dir, empty), nil, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, garbage), []byte("<html>not a report</html>"), 0o644))

	repo := New(root)
	for _, id := range []string{empty, garbage} {
		_, err := repo.Get(ctx, id)
		require.ErrorIs(t, err, ErrCorrupt)
		assert.Contains(t, err.Error(), filepath.Join(dir, id))
		_, err = ReadFile(filepath.Join(dir, id))
		require.ErrorIs(t, err, ErrCorrupt)
		assert.Contains(t, err.Error(), filepath.Join(dir, id))
	}
	_, err := repo.Get(ctx, empty)
	assert.Contains(t, err.Error(), "empty")
}

// fill makes a repository with one good report on each of the given days,
// plus files readers must skip or report.
func fill(t *testing.T, root string, dates ...string) map[string]string {
	t.Helper()
	ctx := context.Background()
	repo := New(root)
	ids := map[string]string{}
	for _, d := range dates {
		got, err := repo.Publish(ctx, report("", mustDay(d).Add(12*time.Hour), "on "+d))
		require.NoError(t, err)
		ids[d] = got[0]
	}
	return ids
}

func TestWalk(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	ids := fill(t, root, "2024-05-03", "2024-05-01", "2024-05-02", "2024-06-01")
	d2 := filepath.Join(root, "2024-05-02")
	require.NoError(t, os.WriteFile(filepath.Join(d2, "OOPS-being-written.tmp"), []byte("x"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(d2, "ZZZ-garbage"), []byte("garbage"), 0o644))
	require.NoError(t, os.Mkdir(filepath.Join(d2, "subdir"), 0o755))
	require.NoError(t, os.Mkdir(filepath.Join(root, "metadata"), 0o755))
	require.NoError(t, os.Mkdir(filepath.Join(root, "2024-5-9"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "2024-05-04"), []byte("a file, not a day"), 0o644))

	repo := New(root)
	type seen struct{ day, name, value string }
	walk := func(from, to time.Time) (out []seen, errs []error) {
		for e, err := range repo.Walk(ctx, from, to) {
			if err != nil {
				assert.Nil(t, e.Report)
				assert.Contains(t, err.Error(), e.Path)
				errs = append(errs, err)
				continue
			}
			out = append(out, seen{e.Day.Format(dayLayout), e.Name, e.Report.Value})
		}
		return out, errs
	}

	all, errs := walk(time.Time{}, time.Time{})
	assert.Equal(t, []seen{
		{"2024-05-01", ids["2024-05-01"], "on 2024-05-01"},
		{"2024-05-02", ids["2024-05-02"], "on 2024-05-02"},
		{"2024-05-03", ids["2024-05-03"], "on 2024-05-03"},
		{"2024-06-01", ids["2024-06-01"], "on 2024-06-01"},
	}, all)
	require.Len(t, errs, 1, "the garbage file is reported, the walk goes on")
	assert.ErrorIs(t, errs[0], ErrCorrupt)
	assert.Contains(t, errs[0].Error(), "ZZZ-garbage")

	// Both ends are included, by date in UTC, whatever the time of day.
	some, _ := walk(time.Date(2024, 5, 2, 23, 59, 0, 0, time.UTC), time.Date(2024, 5, 3, 0, 0, 1, 0, time.UTC))
	assert.Equal(t, []seen{
		{"2024-05-02", ids["2024-05-02"], "on 2024-05-02"},
		{"2024-05-03", ids["2024-05-03"], "on 2024-05-03"},
	}, some)
	late, _ := walk(mustDay("2024-05-03"), time.Time{})
	assert.Len(t, late, 2)
	early, _ := walk(time.Time{}, mustDay("2024-05-01"))
	assert.Len(t, early, 1)

	// Breaking out of the loop stops the walk.
	n := 0
	for range repo.Walk(ctx, time.Time{}, time.Time{}) {
		n++
		break
	}
	assert.Equal(t, 1, n)
}

func TestWalkCanceled(t *testing.T) {
	root := t.TempDir()
	fill(t, root, "2024-05-01", "2024-05-02")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var errs []error
	for e, err := range New(root).Walk(ctx, time.Time{}, time.Time{}) {
		assert.Nil(t, e.Report)
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], context.Canceled)
}

func TestWalkMissingRoot(t *testing.T) {
	for _, err := range New(filepath.Join(t.TempDir(), "none")).Walk(context.Background(), time.Time{}, time.Time{}) {
		t.Fatal("a missing root is an empty repository", err)
	}
}

func TestPrune(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	ids := fill(t, root, "2024-05-01", "2024-05-02", "2024-05-03")
	d1 := filepath.Join(root, "2024-05-01")
	require.NoError(t, os.WriteFile(filepath.Join(d1, "x.tmp"), []byte("stale"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(d1, "junk"), nil, 0o644))
	d2 := filepath.Join(root, "2024-05-02")
	require.NoError(t, os.Mkdir(filepath.Join(d2, "keep"), 0o755))
	require.NoError(t, os.Mkdir(filepath.Join(root, "metadata"), 0o755))

	n, err := New(root).Prune(ctx, time.Date(2024, 5, 3, 10, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	assert.Equal(t, 4, n, "two reports, a stale .tmp and a junk file")

	_, err = os.Stat(d1)
	assert.ErrorIs(t, err, os.ErrNotExist, "an emptied day is removed")
	_, err = os.Stat(filepath.Join(d2, ids["2024-05-02"]))
	assert.ErrorIs(t, err, os.ErrNotExist)
	_, err = os.Stat(filepath.Join(d2, "keep"))
	assert.NoError(t, err, "subdirectories are left alone")
	_, err = os.Stat(filepath.Join(root, "2024-05-03", ids["2024-05-03"]))
	assert.NoError(t, err, "the cut-off day itself is kept")
	_, err = os.Stat(filepath.Join(root, "metadata"))
	assert.NoError(t, err)

	n, err = New(filepath.Join(root, "none")).Prune(ctx, time.Now())
	assert.NoError(t, err)
	assert.Zero(t, n)
}

func TestRepublish(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	ids := fill(t, root, "2024-05-01", "2024-05-02", "2024-05-03")
	today := time.Now().UTC()
	todays := fill(t, root, today.Format(dayLayout))[today.Format(dayLayout)]
	d3 := filepath.Join(root, "2024-05-03")
	require.NoError(t, os.WriteFile(filepath.Join(d3, "broken"), []byte("garbage"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(d3, "half.tmp"), []byte("half"), 0o644))

	target := New(t.TempDir())
	refused := errors.New("store down")
	pub := oops.PublisherFunc(func(ctx context.Context, r *oops.Report) ([]string, error) {
		switch r.ID {
		case ids["2024-05-02"]:
			return nil, refused
		case ids["2024-05-03"]:
			return nil, nil // not kept, no error
		}
		return target.Publish(ctx, r)
	})
	n, err := New(root).Republish(ctx, pub)
	assert.Equal(t, 2, n)
	require.Error(t, err)
	assert.ErrorIs(t, err, refused)
	assert.ErrorIs(t, err, ErrCorrupt)
	assert.Contains(t, err.Error(), filepath.Join(root, "2024-05-02", ids["2024-05-02"]))
	assert.Contains(t, err.Error(), filepath.Join(d3, "broken"))

	for _, id := range []string{ids["2024-05-01"], todays} {
		got, err := target.Get(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, id, got.ID)
	}
	_, err = os.Stat(filepath.Join(root, "2024-05-01"))
	assert.ErrorIs(t, err, os.ErrNotExist, "an old day emptied is removed")
	_, err = os.Stat(filepath.Join(root, today.Format(dayLayout)))
	assert.NoError(t, err, "today's directory is kept for writers")
	for _, p := range []string{
		filepath.Join(root, "2024-05-02", ids["2024-05-02"]),
		filepath.Join(d3, ids["2024-05-03"]),
		filepath.Join(d3, "broken"),
	} {
		_, err := os.Stat(p)
		assert.NoError(t, err, "kept: %s", p)
	}
	_, err = os.Stat(filepath.Join(d3, "half.tmp"))
	assert.ErrorIs(t, err, os.ErrNotExist, "a stale .tmp of an old day is removed, as python does")
}

func TestRepublishPanickingPublisher(t *testing.T) {
	root := t.TempDir()
	ids := fill(t, root, "2024-05-01")
	n, err := New(root).Republish(context.Background(), oops.PublisherFunc(
		func(context.Context, *oops.Report) ([]string, error) { panic("bad store") }))
	assert.Zero(t, n)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "bad store")
	_, err = os.Stat(filepath.Join(root, "2024-05-01", ids["2024-05-01"]))
	assert.NoError(t, err)
}

func TestRepublishCanceled(t *testing.T) {
	root := t.TempDir()
	fill(t, root, "2024-05-01")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	n, err := New(root).Republish(ctx, New(t.TempDir()))
	assert.Zero(t, n)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestReportWithoutIDTakesFileName(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	data := mustMarshal(t, bson.D{{Key: "type", Value: "KeyError"}, {Key: "value", Value: "x"}})
	require.NoError(t, os.MkdirAll(filepath.Join(root, "2024-05-06"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "2024-05-06", "hand-made"), data, 0o644))
	got, err := New(root).Get(ctx, "hand-made")
	require.NoError(t, err)
	assert.Equal(t, "hand-made", got.ID)
	assert.Equal(t, "KeyError", got.Type)
}
