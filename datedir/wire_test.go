package datedir

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/internal/reporttest"
)

// TestBSONCoversReport: every field of Report is written under its wire key
// and read back, and python reads the file.
func TestBSONCoversReport(t *testing.T) {
	r, names := reporttest.EveryField(t)
	r.ID = "OOPS-0123456789abcdef0123456789abcdef"
	data, err := Encode(r)
	require.NoError(t, err)
	raw := bson.Raw(data)
	for _, name := range names {
		f := fieldByName(name)
		if !assert.NotEmpty(t, f.Key, "Report.%s is missing from the schema", name) {
			continue
		}
		_, err := raw.LookupErr(f.Key)
		assert.NoError(t, err, "BSON writes %s", f.Key)
	}
	back, err := Decode(data)
	require.NoError(t, err)
	assert.Equal(t, r, back)

	repo := New(t.TempDir())
	_, err = repo.Publish(context.Background(), r)
	require.NoError(t, err)
	py := pythonRead(t, filepath.Join(repo.Root(), "2025-01-02", r.ID))
	assert.ElementsMatch(t, oops.WireKeys(), py.Keys)
}

func fieldByName(name string) oops.WireField {
	for _, f := range oops.WireFields() {
		if f.Name == name {
			return f
		}
	}
	return oops.WireField{}
}

// TestPublishTimesPythonCannotHold: times outside years 1 to 9999, in the
// report and its values, are kept as text; the report is filed where Get and
// Walk look; python reads the file; a non-finite duration is -1.
func TestPublishTimesPythonCannotHold(t *testing.T) {
	ctx := context.Background()
	far := time.Date(10000, 1, 2, 3, 4, 5, 0, time.UTC)
	early := time.Date(0, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, when := range []time.Time{far, early} {
		repo := New(t.TempDir())
		r := &oops.Report{
			ID: oops.NewID(), Type: "E", Time: when, Duration: math.NaN(),
			Attrs: map[string]any{"far": far, "early": early, "ok": time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
			Log:   []oops.LogRecord{{Time: far, Level: "INFO", Msg: "m"}},
		}
		_, err := repo.Publish(ctx, r)
		require.NoError(t, err)

		got, err := repo.Get(ctx, r.ID)
		require.NoError(t, err, "Get finds a report of %v", when)
		assert.True(t, when.Equal(got.Time), "%v != %v", when, got.Time)
		assert.Equal(t, -1.0, got.Duration)
		assert.Equal(t, "10000-01-02T03:04:05Z", got.Attrs["far"])
		assert.Equal(t, "0000-06-01T00:00:00Z", got.Attrs["early"])
		assert.Equal(t, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), got.Attrs["ok"])
		assert.True(t, far.Equal(got.Log[0].Time))

		var walked []*oops.Report
		for e, err := range repo.Walk(ctx, time.Time{}, time.Time{}) {
			require.NoError(t, err)
			walked = append(walked, e.Report)
		}
		require.Len(t, walked, 1, "Walk finds it")
		assert.Equal(t, r.ID, walked[0].ID)

		path := filepath.Join(repo.Root(), time.Now().UTC().Format(dayLayout), r.ID)
		py := pythonRead(t, path)
		assert.Equal(t, 0.0, py.DurationPlusOne, "python does arithmetic on the duration")
		assert.Regexp(t, `^str:`, py.Values["time"], "the time is kept as text")
	}
}

// TestPublishCutsWhatReadersWouldRefuse: a report larger than readers take
// is cut to fit, marked, and read back by Get, Walk, Republish and python.
func TestPublishCutsWhatReadersWouldRefuse(t *testing.T) {
	ctx := context.Background()
	repo := New(t.TempDir())
	big := strings.Repeat("x", 20<<20)
	r := &oops.Report{ID: oops.NewID(), Type: "E", Value: "too big", Time: time.Now(),
		Attrs: map[string]any{"payload": big, "small": "kept"}}
	_, err := repo.Publish(ctx, r)
	require.NoError(t, err)
	assert.Len(t, r.Attrs["payload"], 20<<20, "the caller's report is not changed")

	got, err := repo.Get(ctx, r.ID)
	require.NoError(t, err, "Get reads what Publish wrote")
	p := got.Attrs["payload"].(string)
	assert.Less(t, len(p), MaxReportSize)
	assert.Greater(t, len(p), MaxReportSize/2, "no more is cut than needed")
	assert.Regexp(t, `…\[cut \d+ bytes\]$`, p)
	assert.Equal(t, "kept", got.Attrs["small"])
	assert.Equal(t, "too big", got.Value)
	assert.Contains(t, got.Extra[oops.CutKey], "attrs.payload")

	n := 0
	for e, err := range repo.Walk(ctx, time.Time{}, time.Time{}) {
		require.NoError(t, err)
		assert.Equal(t, r.ID, e.Report.ID)
		n++
		pythonRead(t, e.Path)
	}
	assert.Equal(t, 1, n)

	dst := New(t.TempDir())
	moved, err := repo.Republish(ctx, dst)
	require.NoError(t, err)
	assert.Equal(t, 1, moved, "the report leaves the spool")
	again, err := dst.Get(ctx, r.ID)
	require.NoError(t, err)
	assert.Equal(t, got.Attrs, again.Attrs)
}
