package datedir

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/internal/reporttest"
)

// appendReportBySchema is appendReport written as a loop over the schema
// (oops.WireFields): the reference appendReport is held to.
func appendReportBySchema(b []byte, r *oops.Report, id string) ([]byte, error) {
	for _, f := range oops.WireFields() {
		if f.Key == "id" {
			b = appendStr(b, "id", id)
			continue
		}
		if !f.Always && f.IsZero(r) {
			continue
		}
		key := cleanKey(f.Key)
		switch p := f.Ptr(r).(type) {
		case *string:
			b = appendStr(b, key, *p)
		case *time.Time:
			b = appendTime(b, key, *p)
		case *map[string]string:
			b = appendReqVars(b, key, *p)
		case *[]oops.TimelineEntry:
			b = appendTimeline(b, key, *p)
		case *float64:
			d := *p
			if math.IsNaN(d) || math.IsInf(d, 0) {
				d = -1
			}
			b = appendDouble(b, key, d)
		case *map[string]any:
			b = appendValue(b, key, oops.Plain(*p))
		case *[]oops.LogRecord:
			b = appendLog(b, key, *p)
		case *int:
			b = appendInt(b, key, int64(*p))
		case *bool:
			b = appendBool(b, key, *p)
		default:
			return b, fmt.Errorf("no BSON form for key %q (%T)", f.Key, p)
		}
	}
	if len(r.Extra) > 0 {
		keys := make([]string, 0, len(r.Extra))
		for k := range r.Extra {
			if _, wire := oops.WireFieldOf(k); !wire {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			b = appendValue(b, cleanKey(k), oops.Plain(r.Extra[k]))
		}
	}
	return b, nil
}

// TestAppendReportIsSchema: the report writer, field by field, writes the
// bytes of a loop over the schema with every value through oops.Plain,
// whichever fields are set.
func TestAppendReportIsSchema(t *testing.T) {
	full, names := reporttest.EveryField(t)
	require.Len(t, oops.WireFields(), len(names), "a field was added to the schema: add it to appendReport")
	reports := []*oops.Report{full, benchReport(0), benchReport(12), {}, {Duration: math.Inf(-1), Pending: true, Revision: 3}}
	extra := full.Clone()
	extra.Extra = map[string]any{
		"status": "200", "n": 7, "big": int64(1) << 40, "i32": int32(-4), "b": false, "err": errors.New("e"),
		"bad\xff": "v\xff", "nul\x00": uint(3), "type": "a wire key, left out", "list": []any{1, "a"},
	}
	extra.Attrs = map[string]any{"s": "x", "n": 300, "i64": int64(-1) << 35, "f": 2.5, "d": time.Second}
	reports = append(reports, extra)
	// Each field alone.
	for _, f := range oops.WireFields() {
		one := &oops.Report{}
		switch p := f.Ptr(one).(type) {
		case *string:
			*p = "v"
		case *time.Time:
			*p = time.Unix(7, 0)
		case *map[string]string:
			*p = map[string]string{"k": "v"}
		case *[]oops.TimelineEntry:
			*p = []oops.TimelineEntry{{Category: "c"}}
		case *float64:
			*p = 1.5
		case *map[string]any:
			*p = map[string]any{"k": 1}
		case *[]oops.LogRecord:
			*p = []oops.LogRecord{{Msg: "m"}}
		case *int:
			*p = -9
		case *bool:
			*p = true
		default:
			t.Fatalf("field %s of an unknown kind %T", f.Key, p)
		}
		reports = append(reports, one)
	}
	for i, r := range reports {
		want, err := appendReportBySchema(nil, r, "OOPS-x")
		require.NoError(t, err, i)
		got, err := appendReport(nil, r, "OOPS-x")
		require.NoError(t, err, i)
		assert.Equal(t, want, got, "report %d", i)
	}
}
