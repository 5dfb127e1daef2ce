package datedir

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
)

// testdata/pyrepo was written by python: a dictionary as python-oops,
// oops-wsgi and oops-timeline build them, published the way
// oops_datedir_repo.DateDirRepo.publish does (id = "OOPS-" + md5 of the BSON,
// a YYYY-MM-DD directory of the publishing time, .tmp then rename, 0644),
// with python's bson library; the second report, an older style, was then
// compressed with bzip2, as operators compress old reports.
const (
	pyPlainID = "OOPS-8c0ffa89962170b6e12623e36a3252e0"
	pyBzip2ID = "OOPS-f49d6c90325b176f9743c6193ce7e896"
)

func checkPyPlain(t *testing.T, r *oops.Report) {
	t.Helper()
	bt := "  File \"app.py\", line 9, in view\n"
	assert.Equal(t, &oops.Report{
		ID:         pyPlainID,
		Type:       "OperationalError",
		Value:      "database is locked",
		TBText:     "Traceback (most recent call last):\n  File \"app.py\", line 10, in view\n    cur.execute(q)\nOperationalError: database is locked\n",
		Time:       time.Date(2024, 5, 6, 12, 34, 56, 789_000_000, time.UTC),
		Hostname:   "app1.example.com",
		Reporter:   "shop-web",
		Topic:      "OrderView",
		URL:        "https://shop.example.com/orders/42",
		Username:   "alice",
		BranchNick: "production",
		Revno:      "1234",
		ReqVars:    map[string]string{"REQUEST_METHOD": "GET", "PATH_INFO": "/orders/42", "HTTP_COOKIE": "<hidden>"},
		Timeline: []oops.TimelineEntry{
			{Start: 0, End: 3 * time.Millisecond, Category: "SQL-main", Detail: "SELECT 1"},
			{Start: 3 * time.Millisecond, End: 250 * time.Millisecond, Category: "SQL-main", Detail: "UPDATE orders SET state = ? WHERE id = ?", Backtrace: &bt},
			{Start: 250 * time.Millisecond, End: 251 * time.Millisecond, Category: "SQL-main", Detail: "ROLLBACK"},
		},
		Duration: 0.2515,
		Extra: map[string]any{
			"branch_extra": map[string]any{
				"nested": []any{int64(1), 2.5, "x", nil, true},
				"big":    int64(1) << 40,
			},
		},
	}, r)
}

func checkPyBzip2(t *testing.T, r *oops.Report) {
	t.Helper()
	assert.Equal(t, &oops.Report{
		ID:       pyBzip2ID,
		Type:     "NotFound",
		Value:    "Object: <Person at 0x7f>, name: u'+edit\u00e9'",
		Time:     time.Date(2024, 5, 7, 8, 0, 0, 0, time.UTC),
		Reporter: "shop-api",
		URL:      "https://shop.example.com/~bob/+edit",
		Revno:    "99",
		ReqVars:  map[string]string{"HTTP_HOST": "shop.example.com", "QUERY_STRING": "a=1"},
		Timeline: []oops.TimelineEntry{{Start: 0, End: 12 * time.Millisecond, Category: "SQL-replica", Detail: "SELECT name FROM person"}},
		Duration: -1,
	}, r)
}

func TestReadPythonFiles(t *testing.T) {
	plain := filepath.Join("testdata", "pyrepo", "2024-05-06", pyPlainID)
	compressed := filepath.Join("testdata", "pyrepo", "2024-05-07", pyBzip2ID)
	data, err := os.ReadFile(compressed)
	require.NoError(t, err)
	require.True(t, bytes.HasPrefix(data, []byte("BZh")), "the second file is bzip2-compressed")

	r, err := ReadFile(plain)
	require.NoError(t, err)
	checkPyPlain(t, r)
	r, err = ReadFile(compressed)
	require.NoError(t, err)
	checkPyBzip2(t, r)
}

func TestPythonRepo(t *testing.T) {
	ctx := context.Background()
	repo := New(filepath.Join("testdata", "pyrepo"))

	r, err := repo.Get(ctx, pyPlainID)
	require.NoError(t, err)
	checkPyPlain(t, r)
	r, err = repo.Get(ctx, pyBzip2ID)
	require.NoError(t, err)
	checkPyBzip2(t, r)

	var names []string
	for e, err := range repo.Walk(ctx, time.Time{}, time.Time{}) {
		require.NoError(t, err)
		require.NotNil(t, e.Report)
		assert.Equal(t, e.Name, e.Report.ID, "python names files by their id")
		assert.Equal(t, e.Day.Format(dayLayout), filepath.Base(filepath.Dir(e.Path)))
		names = append(names, e.Name)
	}
	assert.Equal(t, []string{pyPlainID, pyBzip2ID}, names)
}

// TestRepublishPythonIntoGo moves python's reports into a repository of
// ours and checks that they read back the same.
func TestRepublishPythonIntoGo(t *testing.T) {
	ctx := context.Background()
	src := t.TempDir()
	require.NoError(t, os.CopyFS(src, os.DirFS(filepath.Join("testdata", "pyrepo"))))
	dst := New(t.TempDir())

	n, err := New(src).Republish(ctx, dst)
	require.NoError(t, err)
	assert.Equal(t, 2, n)

	r, err := dst.Get(ctx, pyPlainID)
	require.NoError(t, err)
	checkPyPlain(t, r)
	r, err = dst.Get(ctx, pyBzip2ID)
	require.NoError(t, err)
	checkPyBzip2(t, r)
	_, err = os.Stat(filepath.Join(src, "2024-05-06"))
	assert.ErrorIs(t, err, os.ErrNotExist, "an old day emptied by Republish is removed")
}
