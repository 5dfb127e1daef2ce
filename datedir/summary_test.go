package datedir

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/store"
)

// The summary a scan reads quickly is the one of the whole report.
func TestQuickSummaryIsSummaryOf(t *testing.T) {
	bt := "x"
	reports := []*oops.Report{
		{ID: oops.NewID(), Type: "T", Value: "v\xff", Time: time.Date(2026, 12, 1, 1, 2, 3, 4e6, time.UTC), Duration: 0.5,
			Topic: "t", URL: "u", Reporter: "r", Hostname: "h", Username: "n", Level: "ERROR", Signature: "s", TraceID: "tr",
			Resource: "order/1", TBText: "tb", ReqVars: map[string]string{"A": "b"}, Attrs: map[string]any{"k": int64(1)},
			Extra: map[string]any{store.StatusKey: "404", "other": []any{"x"}},
			Timeline: []oops.TimelineEntry{
				{Start: 250 * time.Microsecond, End: time.Millisecond, Category: "SQL-main", Detail: "SELECT 1", Backtrace: &bt},
				{Start: time.Millisecond, End: 3 * time.Millisecond, Category: "http-GET", Detail: "x", Error: "boom"},
				{Start: 3 * time.Millisecond, End: 3500 * time.Microsecond, Category: "SQL", Detail: "SELECT 2"},
			}},
		{Duration: -1},
	}
	for _, r := range reports {
		data, err := Encode(r)
		require.NoError(t, err)
		checkQuick(t, data)
	}
	for _, p := range []string{filepath.Join("testdata", "pyrepo", "2024-05-06", pyPlainID), filepath.Join("testdata", "python-encoded.bson")} {
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		checkQuick(t, data)
	}
}

func checkQuick(t *testing.T, data []byte) {
	t.Helper()
	full, err := Decode(data)
	var sr summaryReader
	quick, ok := sr.summaryReport(data)
	if err != nil {
		assert.False(t, ok, "quick takes what the full decoder refuses")
		return
	}
	if !ok {
		return // decoded whole by the caller: the same by construction
	}
	assert.Equal(t, store.SummaryOf(full), store.SummaryOf(quick))
}

// FuzzQuickSummary: the quick summary never panics, never takes what the
// full decoder refuses, and agrees with it on what both take. Its seed
// corpus is FuzzDecode's.
func FuzzQuickSummary(f *testing.F) {
	for _, p := range []string{
		filepath.Join("testdata", "pyrepo", "2024-05-06", pyPlainID),
		filepath.Join("testdata", "python-encoded.bson"),
	} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		checkQuick(t, data)
	})
}
