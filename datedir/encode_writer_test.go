package datedir

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/internal/reporttest"
)

// TestEncodeWriterIsBSON checks the hand-written BSON writer against the BSON
// library: each document read into a bson.D (which keeps order and every
// element's type) and written back by the library gives the same bytes.
func TestEncodeWriterIsBSON(t *testing.T) {
	full, _ := reporttest.EveryField(t)
	odd := full.Clone()
	bt := "main.f()\n\tmain.go:1\n"
	odd.Timeline = append(odd.Timeline, oops.TimelineEntry{Start: 1500 * time.Microsecond, End: -3, Category: "x\xff", Detail: "d\x00", Backtrace: &bt, Error: "boom"})
	odd.Time = time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC)
	odd.Duration = math.NaN()
	long := benchReport(100) // array keys past the precomputed ones
	long.Attrs["list"] = make([]any, 70)
	reports := []*oops.Report{full, odd, benchReport(0), long, {ID: "not an id"}, {
		ID:    "OOPS-0123456789abcdef0123456789abcdef",
		Value: "bad \xff utf-8",
		Attrs: map[string]any{
			"nan": math.NaN(), "inf": math.Inf(1), "panics": panicky{}, "huge": uint64(math.MaxUint64),
			"nul\x00key": "v\x00alue", "bad\xffkey": []byte("\xfe"), "err": errors.New("e"), "typednil": (*int)(nil),
			"neg": -5, "big": int64(1) << 40, "f": 1.5, "b": true, "t": time.Unix(5, 0),
			"list": []any{1, "a", nil, map[string]any{"k": []int{1, 2}}},
		},
		Extra: map[string]any{"self": nil, "zz": 3, "aa": uint(7), "": "empty key"},
		Log:   []oops.LogRecord{{Time: time.Unix(1, 0), Level: "INFO", Msg: "m", Attrs: map[string]any{"a": 1}}, {Level: "WARN", Msg: "n"}},
	}}
	for i, r := range reports {
		data, err := Encode(r)
		require.NoError(t, err, i)
		var d bson.D
		require.NoError(t, bson.Unmarshal(data, &d), i)
		again, err := bson.Marshal(d)
		require.NoError(t, err, i)
		assert.Equal(t, again, data, "report %d", i)
	}
}

// FuzzEncode feeds arbitrary text to every kind of place a report holds it
// (values, keys, timeline entries, nested attributes): the hand-written
// writer's document must be one the BSON library reads and writes back to
// the same bytes, and Decode must read it.
func FuzzEncode(f *testing.F) {
	f.Add("boom", "key", int64(7), 1.5, true)
	f.Add("\xff\x00nul", "\x00", int64(math.MinInt64), math.Inf(-1), false)
	f.Add("", "", int64(1)<<40, math.NaN(), true)
	f.Fuzz(func(t *testing.T, text, key string, n int64, x float64, b bool) {
		r := &oops.Report{
			ID:      "OOPS-0123456789abcdef0123456789abcdef",
			Value:   text,
			Time:    time.Unix(n%(1<<40), 0),
			ReqVars: map[string]string{key: text, "HTTP_HOST": text},
			Timeline: []oops.TimelineEntry{{
				Start: time.Duration(n), End: time.Duration(n / 3), Category: key, Detail: text, Error: text,
			}},
			Duration: x,
			Attrs: map[string]any{key: text, "n": n, "x": x, "b": b,
				"list": []any{text, n, map[string]any{key: x}}},
			Extra: map[string]any{key: []any{b, nil}, "s" + key: text, "n" + key: int(n)},
			Log:   []oops.LogRecord{{Level: key, Msg: text, Attrs: map[string]any{key: n}}},
		}
		data, err := Encode(r)
		require.NoError(t, err)
		schema, at := begin(nil)
		schema, err = appendReportBySchema(schema, r, r.ID)
		require.NoError(t, err)
		require.Equal(t, end(schema, at), data, "the schema's loop writes the same document")
		var d bson.D
		require.NoError(t, bson.Unmarshal(data, &d))
		again, err := bson.Marshal(d)
		require.NoError(t, err)
		require.Equal(t, again, data)
		back, err := Decode(data)
		require.NoError(t, err)
		require.Equal(t, oops.ValidUTF8(text), back.Value)
	})
}
