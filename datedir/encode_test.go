package datedir

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/oops-go/oops"
)

var sameTime = time.Date(2024, 5, 6, 12, 34, 56, 789_000_000, time.UTC)

// sameReport is the report whose python encoding, with the same keys in the
// same order, is testdata/python-encoded.bson (written by python's bson
// library, the way oops-datedir-repo's serializer_bson.dumps writes).
func sameReport() *oops.Report {
	bt := "main.update()\n\t/app/db.go:7\n"
	return &oops.Report{
		ID:         "OOPS-0123456789abcdef0123456789abcdef",
		Type:       "*fs.PathError",
		Value:      "open /nope: no such file or directory",
		TBText:     "main.main()\n\t/app/main.go:12\n",
		Time:       sameTime,
		Hostname:   "app1",
		Reporter:   "shop-web",
		Topic:      "GET /orders/{id}",
		URL:        "http://shop.example.com/orders/1",
		Username:   "alice",
		BranchNick: "main",
		Revno:      "abc123",
		ReqVars:    map[string]string{"User-Agent": "curl/8", "Cookie": "<hidden>"},
		Timeline: []oops.TimelineEntry{
			{Start: 0, End: 3 * time.Millisecond, Category: "SQL-main", Detail: "SELECT 1"},
			{Start: 3 * time.Millisecond, End: 5_000_000_000 * time.Millisecond, Category: "SQL-main", Detail: "UPDATE orders SET state = $1",
				Backtrace: &bt, Error: "database is locked"},
		},
		Duration: 0.25,
		Level:    "ERROR",
		Msg:      "request failed",
		Attrs: map[string]any{
			"n": 42, "big": int64(1) << 40, "f": 1.5, "ok": true,
			"nested": map[string]any{"a": []any{"x", nil}}, "when": sameTime,
		},
		Log: []oops.LogRecord{
			{Time: sameTime, Level: "INFO", Msg: "starting", Attrs: map[string]any{"k": "v"}},
		},
		Signature:       "abcd1234",
		TraceID:         "0af7651916cd43dd8448eb211c80319c",
		SpanID:          "b7ad6b7169203331",
		TimelineDropped: 2,
		Suppressed:      1,
		Extra:           map[string]any{"zz_extra": "x", "aa": []int{1, 2}, "id": "ignored: a wire key"},
	}
}

func TestEncodeIsByteForBytePython(t *testing.T) {
	want, err := os.ReadFile("testdata/python-encoded.bson")
	require.NoError(t, err)
	got, err := Encode(sameReport())
	require.NoError(t, err)
	if !bytes.Equal(got, want) {
		t.Errorf("Encode differs from python's encoding of the same dictionary:\n got %s\nwant %s",
			bson.Raw(got), bson.Raw(want))
	}
}

// TestEncodeShape decodes what we write with the bson library's generic
// decoding (not ours) and checks the keys and value types of the wire format.
func TestEncodeShape(t *testing.T) {
	data, err := Encode(sameReport())
	require.NoError(t, err)
	var d bson.D
	require.NoError(t, bson.Unmarshal(data, &d))

	var keys []string
	types := map[string]bson.Type{}
	raw := bson.Raw(data)
	for _, e := range d {
		keys = append(keys, e.Key)
		types[e.Key] = raw.Lookup(e.Key).Type
	}
	assert.Equal(t, []string{
		"id", "type", "value", "tb_text", "time", "hostname", "reporter", "topic", "url", "username",
		"branch_nick", "revno", "req_vars", "timeline", "duration", "level", "msg", "attrs", "log",
		"signature", "trace_id", "span_id", "timeline_dropped", "suppressed", "aa", "zz_extra",
	}, keys)
	for _, k := range []string{"id", "type", "value", "tb_text", "hostname", "reporter", "topic", "url",
		"username", "branch_nick", "revno", "level", "msg", "signature", "trace_id", "span_id"} {
		assert.Equal(t, bson.TypeString, types[k], k)
	}
	assert.Equal(t, bson.TypeDateTime, types["time"])
	assert.Equal(t, bson.TypeEmbeddedDocument, types["req_vars"])
	assert.Equal(t, bson.TypeArray, types["timeline"])
	assert.Equal(t, bson.TypeDouble, types["duration"])
	assert.Equal(t, bson.TypeEmbeddedDocument, types["attrs"])
	assert.Equal(t, bson.TypeArray, types["log"])
	assert.Equal(t, bson.TypeInt32, types["timeline_dropped"])
	assert.Equal(t, bson.TypeInt32, types["suppressed"])

	m := unmarshalM(t, data)
	assert.Equal(t, bson.DateTime(sameTime.UnixMilli()), m["time"])
	assert.Equal(t, bson.M{"Cookie": "<hidden>", "User-Agent": "curl/8"}, m["req_vars"])
	assert.Equal(t, bson.A{
		bson.A{int32(0), int32(3), "SQL-main", "SELECT 1", nil},
		bson.A{int32(3), int64(5_000_000_000), "SQL-main", "UPDATE orders SET state = $1",
			"main.update()\n\t/app/db.go:7\n", "database is locked"},
	}, m["timeline"])
	assert.Equal(t, 0.25, m["duration"])
	assert.Equal(t, bson.M{
		"n": int32(42), "big": int64(1) << 40, "f": 1.5, "ok": true,
		"nested": bson.M{"a": bson.A{"x", nil}}, "when": bson.DateTime(sameTime.UnixMilli()),
	}, m["attrs"])
	assert.Equal(t, bson.A{bson.M{"time": bson.DateTime(sameTime.UnixMilli()), "level": "INFO",
		"msg": "starting", "attrs": bson.M{"k": "v"}}}, m["log"])
	assert.Equal(t, bson.A{int32(1), int32(2)}, m["aa"])
	assert.Equal(t, "OOPS-0123456789abcdef0123456789abcdef", m["id"], "an Extra key named like a wire key is ignored")
}

func TestEncodeOmitsEmptyKeys(t *testing.T) {
	data, err := Encode(&oops.Report{ID: "OOPS-0123456789abcdef0123456789abcdef", Time: sameTime, Duration: -1})
	require.NoError(t, err)
	var d bson.D
	require.NoError(t, bson.Unmarshal(data, &d))
	assert.Equal(t, bson.D{
		{Key: "id", Value: "OOPS-0123456789abcdef0123456789abcdef"},
		{Key: "time", Value: bson.DateTime(sameTime.UnixMilli())},
		{Key: "duration", Value: -1.0},
	}, d)
}

func TestRoundTrip(t *testing.T) {
	in := sameReport()
	data, err := Encode(in)
	require.NoError(t, err)
	out, err := Decode(data)
	require.NoError(t, err)

	want := sameReport()
	// Decoding gives plain data: integers as int64, slices as []any.
	want.Attrs["n"] = int64(42)
	want.Extra = map[string]any{"zz_extra": "x", "aa": []any{int64(1), int64(2)}}
	assert.Equal(t, want, out)
}

type panicky struct{}

func (panicky) String() string { panic("boom") }

func TestEncodeBadValues(t *testing.T) {
	r := &oops.Report{
		ID:    "OOPS-0123456789abcdef0123456789abcdef",
		Value: "bad \xff utf-8",
		Time:  sameTime,
		Attrs: map[string]any{
			"nan":        math.NaN(),
			"inf":        math.Inf(1),
			"ch":         make(chan int),
			"panics":     panicky{},
			"huge":       uint64(math.MaxUint64),
			"nul\x00key": "v\x00alue",
			"bad\xffkey": []byte("\xfe"),
			"err":        errors.New("e"),
			"typednil":   (*int)(nil),
		},
		Extra: map[string]any{"self": nil},
	}
	data, err := Encode(r)
	require.NoError(t, err)
	m := unmarshalM(t, data)
	assert.Equal(t, "bad \uFFFD utf-8", m["value"])
	attrs := m["attrs"].(bson.M)
	assert.Equal(t, "NaN", attrs["nan"])
	assert.Equal(t, "+Inf", attrs["inf"])
	assert.Contains(t, attrs["ch"], "0x")
	assert.Equal(t, "<panicked: boom>", attrs["panics"])
	assert.Equal(t, "18446744073709551615", attrs["huge"])
	assert.Equal(t, "v\x00alue", attrs["nul\uFFFDkey"])
	assert.Equal(t, "\uFFFD", attrs["bad\uFFFDkey"])
	assert.Equal(t, "e", attrs["err"])
	assert.Nil(t, attrs["typednil"])
	assert.Contains(t, m, "self")

	back, err := Decode(data)
	require.NoError(t, err)
	assert.Equal(t, "bad \uFFFD utf-8", back.Value)
}

func TestEncodeLongTimeline(t *testing.T) {
	r := benchReport(100)
	data, err := Encode(r)
	require.NoError(t, err)
	back, err := Decode(data)
	require.NoError(t, err)
	assert.Equal(t, r.Timeline, back.Timeline)
}

// unmarshalM decodes data with the bson library's generic decoding, every
// document as a bson.M.
func unmarshalM(t testing.TB, data []byte) bson.M {
	t.Helper()
	dec := bson.NewDecoder(bson.NewDocumentReader(bytes.NewReader(data)))
	dec.DefaultDocumentM()
	var m bson.M
	require.NoError(t, dec.Decode(&m))
	return m
}

func mustMarshal(t testing.TB, d bson.D) []byte {
	t.Helper()
	b, err := bson.Marshal(d)
	require.NoError(t, err)
	return b
}

// TestDecodeLenient feeds Decode the shapes python tools write.
func TestDecodeLenient(t *testing.T) {
	data := mustMarshal(t, bson.D{
		{Key: "id", Value: "OOPS-1A2B3C"},
		{Key: "type", Value: nil},
		{Key: "value", Value: "v"},
		{Key: "time", Value: bson.DateTime(sameTime.UnixMilli())},
		{Key: "revno", Value: int32(1234)},
		{Key: "branch_nick", Value: 2.5},
		{Key: "req_vars", Value: bson.A{bson.A{"A", "1"}, bson.A{"B", int64(2)}, bson.A{"C", bson.A{"x"}}}},
		{Key: "timeline", Value: bson.A{
			bson.A{int32(0), int64(5), "SQL-a", "SELECT 1"},
			bson.A{0.0, 7.9, "SQL-a", "SELECT 2", nil},
			bson.A{int32(1), int32(2), "SQL-a", "SELECT 3", "bt", "failed"},
		}},
		{Key: "timeline_dropped", Value: 3.0},
		{Key: "custom", Value: bson.D{{Key: "n", Value: int32(1)}, {Key: "when", Value: bson.DateTime(0)}}},
		{Key: "bin", Value: bson.Binary{Data: []byte("raw")}},
		{Key: "oid", Value: bson.ObjectID{1, 2, 3}},
	})
	r, err := Decode(data)
	require.NoError(t, err)
	assert.Equal(t, "OOPS-1A2B3C", r.ID)
	assert.Equal(t, "", r.Type)
	assert.Equal(t, "1234", r.Revno)
	assert.Equal(t, "2.5", r.BranchNick)
	assert.Equal(t, sameTime, r.Time)
	assert.Equal(t, -1.0, r.Duration, "a missing duration is -1")
	assert.Equal(t, map[string]string{"A": "1", "B": "2", "C": `["x"]`}, r.ReqVars)
	bt := "bt"
	assert.Equal(t, []oops.TimelineEntry{
		{Start: 0, End: 5 * time.Millisecond, Category: "SQL-a", Detail: "SELECT 1"},
		{Start: 0, End: 7900 * time.Microsecond, Category: "SQL-a", Detail: "SELECT 2"},
		{Start: 1 * time.Millisecond, End: 2 * time.Millisecond, Category: "SQL-a", Detail: "SELECT 3", Backtrace: &bt, Error: "failed"},
	}, r.Timeline)
	assert.Equal(t, 3, r.TimelineDropped)
	assert.Equal(t, map[string]any{
		"custom": map[string]any{"n": int64(1), "when": time.UnixMilli(0).UTC()},
		"bin":    []byte("raw"),
		"oid":    "010203000000000000000000",
	}, r.Extra)
}

func TestDecodeCorrupt(t *testing.T) {
	good, err := Encode(sameReport())
	require.NoError(t, err)
	cases := map[string][]byte{
		"empty":          {},
		"garbage":        []byte("this is not BSON at all, nor bzip2"),
		"truncated":      good[:len(good)/2],
		"trailing bytes": append(append([]byte{}, good...), 0, 1, 2),
		"short":          {5, 0, 0},
		"bad bzip2":      []byte("BZh91AY&SY garbage"),
		"bzip2 of nothing": {
			0x42, 0x5a, 0x68, 0x39, 0x17, 0x72, 0x45, 0x38, 0x50, 0x90, 0x00, 0x00, 0x00, 0x00,
		},
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			r, err := Decode(data)
			require.Error(t, err)
			assert.Nil(t, r)
			assert.ErrorIs(t, err, ErrCorrupt)
		})
	}
}

// TestDecodeKeepsBadParts: a well-known key of the wrong type, as a broken
// tool may write it, hides nothing else of the report; its value is kept.
func TestDecodeKeepsBadParts(t *testing.T) {
	cases := map[string]bson.D{
		"value":      {{Key: "value", Value: bson.D{{Key: "x", Value: 1}}}},
		"time":       {{Key: "time", Value: "yesterday"}},
		"timeline":   {{Key: "timeline", Value: bson.A{bson.A{1, 2, "x"}}}},
		"timeline ":  {{Key: "timeline", Value: bson.A{"SELECT"}}},
		"timeline  ": {{Key: "timeline", Value: bson.A{bson.A{"a", 2, "x", "y"}}}},
		"req_vars":   {{Key: "req_vars", Value: "a=1"}},
		"duration":   {{Key: "duration", Value: "slow"}},
		"attrs":      {{Key: "attrs", Value: bson.A{1}}},
		"log":        {{Key: "log", Value: bson.A{"x"}}},
		"suppressed": {{Key: "suppressed", Value: "many"}},
		"pending":    {{Key: "pending", Value: "yes"}},
	}
	for name, doc := range cases {
		key := strings.TrimSpace(name)
		t.Run(key, func(t *testing.T) {
			doc := append(bson.D{{Key: "id", Value: "OOPS-1"}, {Key: "type", Value: "E"}}, doc...)
			r, err := Decode(mustMarshal(t, doc))
			require.NoError(t, err)
			assert.Equal(t, "OOPS-1", r.ID)
			assert.Equal(t, "E", r.Type)
			assert.Contains(t, r.Extra, oops.UndecodableKey(key))
			assert.Len(t, r.Extra, 1)
			// It survives a second trip, as JSON too.
			b, err := Encode(r)
			require.NoError(t, err)
			r2, err := Decode(b)
			require.NoError(t, err)
			assert.Equal(t, r, r2)
		})
	}
}

// TestReqVarsPairsOneRule: python's list of pairs with a malformed pair
// reads the same in BSON and JSON, the good pairs kept.
func TestReqVarsPairsOneRule(t *testing.T) {
	pairs := bson.A{bson.A{"HTTP_HOST", "example.com"}, bson.A{"lonely"}, "not a pair", bson.A{"a", "b", "c"}, bson.A{"n", 3}}
	r, err := Decode(mustMarshal(t, bson.D{{Key: "id", Value: "OOPS-1"}, {Key: "req_vars", Value: pairs}}))
	require.NoError(t, err)
	want := map[string]string{"HTTP_HOST": "example.com", "#1": `["lonely"]`, "#2": "not a pair", "#3": `["a","b","c"]`, "n": "3"}
	assert.Equal(t, want, r.ReqVars)

	var j oops.Report
	require.NoError(t, json.Unmarshal([]byte(`{"id":"OOPS-1","req_vars":[["HTTP_HOST","example.com"],["lonely"],"not a pair",["a","b","c"],["n",3]]}`), &j))
	assert.Equal(t, want, j.ReqVars, "the same rule either way")
}

func TestDecodeDeepNesting(t *testing.T) {
	var v any = "leaf"
	for range maxDepth + 5 {
		v = bson.D{{Key: "d", Value: v}}
	}
	data := mustMarshal(t, bson.D{{Key: "id", Value: "OOPS-1"}, {Key: "deep", Value: v}})
	r, err := Decode(data)
	require.NoError(t, err, "one deep value hides nothing else")
	assert.Equal(t, "OOPS-1", r.ID)
	x := r.Extra["deep"]
	n := 0
	for {
		m, ok := x.(map[string]any)
		if !ok {
			break
		}
		x = m["d"]
		n++
	}
	assert.Equal(t, "<too deep>", x)
	assert.Equal(t, maxDepth+1, n)
}

func isCorrupt(err error) bool { return errors.Is(err, ErrCorrupt) }

func TestDecodeBomb(t *testing.T) {
	// 46 bytes of bzip2 (written by python) that decompress to MaxReportSize+1 zero bytes.
	data, err := os.ReadFile("testdata/bomb.bz2")
	require.NoError(t, err)
	_, err = Decode(data)
	require.ErrorIs(t, err, ErrCorrupt)
	assert.Contains(t, err.Error(), "decompresses to more than")
}
