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
