package datedir

import (
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

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
		_, ok := new(summaryReader).summaryReport(data)
		assert.True(t, ok, "what Encode writes is read the fast way")
	}
	for _, p := range []string{filepath.Join("testdata", "pyrepo", "2024-05-06", pyPlainID), filepath.Join("testdata", "python-encoded.bson")} {
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		checkQuick(t, data)
		_, ok := new(summaryReader).summaryReport(data)
		assert.True(t, ok, "what python writes is read the fast way")
	}
}

// checkQuick checks the summary reader on data: it never takes what the
// full decoder refuses, and its summary is the full decoder's, also when
// the reader read another report just before (nothing of one report leaks
// into the next).
func checkQuick(t *testing.T, data []byte) {
	t.Helper()
	full, err := Decode(data)
	for _, sr := range []*summaryReader{{}, usedReader(t)} {
		quick, ok := sr.summaryReport(data)
		if err != nil {
			assert.False(t, ok, "quick takes what the full decoder refuses")
			_, serr := sr.summary(data, "OOPS-file", "dir")
			assert.ErrorIs(t, serr, ErrCorrupt)
			continue
		}
		want := *full
		if want.ID == "" {
			want.ID = "OOPS-file"
		}
		if ok {
			assert.Equal(t, store.SummaryOf(full), store.SummaryOf(quick))
		}
		s, serr := sr.summary(data, "OOPS-file", "dir")
		require.NoError(t, serr)
		assert.Equal(t, store.SummaryOf(&want), s)
	}
}

// usedReader returns a summaryReader that has read a report with every
// field a summary shows.
func usedReader(t *testing.T) *summaryReader {
	data, err := Encode(&oops.Report{ID: oops.NewID(), Type: "T", Value: "v", Time: time.Now(), Duration: 1, Topic: "t", URL: "u",
		Reporter: "r", Hostname: "h", Username: "n", Level: "ERROR", Signature: "s", TraceID: "tr", Resource: "res",
		Extra:    map[string]any{store.StatusKey: "500"},
		Timeline: []oops.TimelineEntry{{Category: "SQL-x", End: time.Second}}})
	require.NoError(t, err)
	var sr summaryReader
	_, ok := sr.summaryReport(data)
	require.True(t, ok)
	return &sr
}

// FuzzSummaryReport: the summary reader never panics, never takes what
// the full decoder refuses, and agrees with it on what both take. Its seed
// corpus is in testdata/fuzz/FuzzSummaryReport, with python's files and
// the documents below: the cases where the summary's fields are read
// leniently or left empty.
func FuzzSummaryReport(f *testing.F) {
	for _, p := range []string{
		filepath.Join("testdata", "pyrepo", "2024-05-06", pyPlainID),
		filepath.Join("testdata", "pyrepo", "2024-05-07", pyBzip2ID),
		filepath.Join("testdata", "python-encoded.bson"),
	} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	deep := bson.D{{Key: "x", Value: 1}}
	for range maxDepth + 2 {
		deep = bson.D{{Key: "d", Value: deep}}
	}
	for _, doc := range []bson.D{
		{{Key: "id", Value: int32(7)}, {Key: "type", Value: bson.D{{Key: "a", Value: 1}}}, {Key: "value", Value: nil},
			{Key: "time", Value: "2026-12-01T10:00:00Z"}, {Key: "duration", Value: int64(3)}, {Key: "topic", Value: true},
			{Key: "url", Value: 1.5}, {Key: "HTTP_STATUS", Value: int32(404)}},
		{{Key: "time", Value: "not a time"}, {Key: "duration", Value: "slow"}, {Key: "HTTP_STATUS", Value: " 503 "},
			{Key: "timeline", Value: bson.A{bson.A{0, 1, "SQL-a", "x"}, bson.A{0, "one", "SQL-a", "x"}}}},
		{{Key: "timeline", Value: bson.A{bson.A{int64(0), 1.5, bson.D{{Key: "c", Value: "SQL-"}}, "x", nil, "err"}, bson.A{0, 1, "SQL-", "y", "bt"}}},
			{Key: "timeline", Value: bson.A{bson.A{0, 2, "SQL-main", "z"}, "not an entry"}}, {Key: "HTTP_STATUS", Value: 500.7}},
		{{Key: "timeline", Value: bson.A{bson.A{0, 1, "SQL-a"}}}, {Key: "signature", Value: bson.Binary{Subtype: 0, Data: []byte("sig\xff")}},
			{Key: "req_vars", Value: bson.D{{Key: "k", Value: bson.A{1, bson.D{{Key: "n", Value: nil}}}}}}},
		{{Key: "timeline", Value: bson.A{bson.A{math.NaN(), 1, "SQL-a", "x"}}}, {Key: "attrs", Value: deep},
			{Key: "id", Value: bson.Symbol("OOPS-sym")}, {Key: "hostname", Value: bson.Binary{Subtype: 2, Data: []byte("old")}},
			{Key: "extra", Value: bson.Regex{Pattern: "a", Options: "i"}}, {Key: "when", Value: bson.Timestamp{T: 1, I: 2}},
			{Key: "d128", Value: bson.NewDecimal128(1, 2)}, {Key: "min", Value: bson.MinKey{}}, {Key: "oid", Value: bson.NewObjectID()}},
	} {
		data, err := bson.Marshal(doc)
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
