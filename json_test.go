package oops_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/oops-go/oops"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func strp(s string) *string { return &s }

// fullReport has every well-known field set, so that its encoding shows
// every wire key.
func fullReport() *oops.Report {
	return &oops.Report{
		ID:         "OOPS-0123456789abcdef0123456789abcdef",
		Type:       "*fs.PathError",
		Value:      "open /x: no such file or directory",
		TBText:     "main.main(...)\n\t/src/main.go:10\n",
		Time:       time.Date(2026, 11, 21, 23, 50, 1, 250_000_000, time.UTC),
		Hostname:   "web-1",
		Reporter:   "billing",
		Topic:      "GET /invoices/{id}",
		URL:        "https://example.com/invoices/7",
		Username:   "alice",
		BranchNick: "main",
		Revno:      "1234",
		ReqVars:    map[string]string{"HTTP_COOKIE": "<hidden>", "REQUEST_METHOD": "GET"},
		Timeline: []oops.TimelineEntry{
			{Start: 0, End: 12 * time.Millisecond, Category: "SQL-main", Detail: "SELECT 1"},
			{Start: 13 * time.Millisecond, End: 20 * time.Millisecond, Category: "SQL-main", Detail: "SELECT * FROM users", Backtrace: strp("main.q(...)\n\t/src/q.go:3\n"), Error: "no such table: users"},
		},
		Duration:        0.5,
		Level:           "ERROR",
		Msg:             "loading invoice",
		Attrs:           map[string]any{"invoice": int64(7), "user": map[string]any{"name": "alice"}},
		Log:             []oops.LogRecord{{Time: time.Date(2026, 11, 21, 23, 50, 0, 0, time.UTC), Level: "INFO", Msg: "started", Attrs: map[string]any{"n": int64(1)}}},
		Signature:       "3f2a91c0",
		TraceID:         "4bf92f3577b34da6a3ce929d0e0e4736",
		SpanID:          "00f067aa0ba902b7",
		TraceFlags:      1,
		TimelineDropped: 3,
		Suppressed:      2,
		Resource:        "order/8123",
		Revision:        1,
		Pending:         true,
		Extra:           map[string]any{"region": "eu-west-1"},
	}
}

func decodeObject(t *testing.T, b []byte) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &m), string(b))
	return m
}

func TestMarshalJSONWireKeys(t *testing.T) {
	b, err := json.Marshal(fullReport())
	require.NoError(t, err)
	m := decodeObject(t, b)
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	want := append(oops.WireKeys(), "region")
	assert.ElementsMatch(t, want, keys)
	assert.Len(t, oops.WireKeys(), 28)

	assert.JSONEq(t, `"2026-11-21T23:50:01.25Z"`, string(m["time"]))
	assert.JSONEq(t, `{"HTTP_COOKIE":"<hidden>","REQUEST_METHOD":"GET"}`, string(m["req_vars"]))
	assert.JSONEq(t, `[[0,12,"SQL-main","SELECT 1",null],
		[13,20,"SQL-main","SELECT * FROM users","main.q(...)\n\t/src/q.go:3\n","no such table: users"]]`, string(m["timeline"]))
	assert.JSONEq(t, `0.5`, string(m["duration"]))
	assert.JSONEq(t, `"1234"`, string(m["revno"]))
	assert.JSONEq(t, `[{"time":"2026-11-21T23:50:00Z","level":"INFO","msg":"started","attrs":{"n":1}}]`, string(m["log"]))
	assert.JSONEq(t, `3`, string(m["timeline_dropped"]))
	assert.JSONEq(t, `"eu-west-1"`, string(m["region"]))
}

func TestMarshalJSONTimeIsRFC3339(t *testing.T) {
	r := fullReport()
	r.Time = time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("X", 2*3600))
	b, err := json.Marshal(r)
	require.NoError(t, err)
	var s string
	require.NoError(t, json.Unmarshal(decodeObject(t, b)["time"], &s))
	got, err := time.Parse(time.RFC3339Nano, s)
	require.NoError(t, err, s)
	assert.True(t, got.Equal(r.Time))
}

func TestMarshalJSONMinimalReport(t *testing.T) {
	// Empty well-known keys are left out, except id, time and duration.
	b, err := json.Marshal(&oops.Report{ID: "OOPS-0123456789abcdef0123456789abcdef", Duration: -1})
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"OOPS-0123456789abcdef0123456789abcdef","time":"0001-01-01T00:00:00Z","duration":-1}`, string(b))
}

func TestMarshalJSONReportValue(t *testing.T) {
	// A Report value (not only a pointer) encodes with the wire keys: in a
	// map, as an interface value, or passed by value.
	r := *fullReport()
	for name, v := range map[string]any{
		"value":     r,
		"map value": map[string]oops.Report{"r": r},
		"pointer":   &r,
	} {
		b, err := json.Marshal(v)
		require.NoError(t, err, name)
		assert.Contains(t, string(b), `"tb_text":`, name)
		assert.NotContains(t, string(b), `"TBText"`, name)
	}
}

func TestMarshalJSONExtraCollisionsIgnored(t *testing.T) {
	r := fullReport()
	r.Log = nil // its records have a "time" key of their own
	r.Extra = map[string]any{"id": "OOPS-forged", "time": "yesterday", "timeline": 1, "custom": []any{"a", 1.5}}
	b, err := json.Marshal(r)
	require.NoError(t, err)
	m := decodeObject(t, b)
	assert.JSONEq(t, `"OOPS-0123456789abcdef0123456789abcdef"`, string(m["id"]))
	assert.JSONEq(t, `"2026-11-21T23:50:01.25Z"`, string(m["time"]))
	assert.JSONEq(t, `["a",1.5]`, string(m["custom"]))
	assert.Equal(t, 1, strings.Count(string(b), `"id":`), "no duplicate keys")
	assert.Equal(t, 1, strings.Count(string(b), `"time":`), "no duplicate keys")

	// Only colliding extras: nothing is spliced in.
	r.Extra = map[string]any{"type": "x"}
	b, err = json.Marshal(r)
	require.NoError(t, err)
	assert.NotContains(t, string(b), `"type":"x"`)
	assert.True(t, json.Valid(b))
}

func TestJSONRoundTrip(t *testing.T) {
	in := fullReport()
	b, err := json.Marshal(in)
	require.NoError(t, err)
	var out oops.Report
	require.NoError(t, json.Unmarshal(b, &out))
	assert.True(t, in.Time.Equal(out.Time))
	out.Time = in.Time
	assert.Equal(t, *in, out)

	// Nothing is lost in a second pass either.
	b2, err := json.Marshal(&out)
	require.NoError(t, err)
	assert.Equal(t, string(b), string(b2))
}

func TestUnmarshalJSONDefaultsAndErrors(t *testing.T) {
	var r oops.Report
	require.NoError(t, json.Unmarshal([]byte(`{"id":"OOPS-x"}`), &r))
	assert.Equal(t, -1.0, r.Duration, "a missing duration is unknown")
	assert.Nil(t, r.Extra)

	// Decoding replaces what the report held.
	r = *fullReport()
	require.NoError(t, json.Unmarshal([]byte(`{"id":"OOPS-y"}`), &r))
	assert.Equal(t, oops.Report{ID: "OOPS-y", Duration: -1}, r)

	for _, bad := range []string{``, `[]`, `"x"`, `{`, `{"id":}`} {
		err := json.Unmarshal([]byte(bad), &r)
		assert.Error(t, err, bad)
	}

	// A well-known key of the wrong type hides nothing else: its value is
	// kept under a key of its own.
	for bad, key := range map[string]string{
		`{"time":"not a time"}`: "time", `{"timeline":[[1,2,"c"]]}`: "timeline",
		`{"timeline":[[1,2,"c","d",null,"e","f"]]}`: "timeline", `{"timeline":[["a",2,"c","d"]]}`: "timeline",
		`{"timeline":[[1,{},"c","d"]]}`: "timeline", `{"timeline":{}}`: "timeline", `{"req_vars":"x"}`: "req_vars",
		`{"duration":"fast"}`: "duration", `{"timeline_dropped":"many"}`: "timeline_dropped", `{"revno":{}}`: "revno",
		`{"attrs":[]}`: "attrs",
	} {
		var r oops.Report
		withID := `{"id":"OOPS-z",` + bad[1:]
		require.NoError(t, json.Unmarshal([]byte(withID), &r), bad)
		assert.Equal(t, "OOPS-z", r.ID, bad)
		assert.Contains(t, r.Extra, oops.UndecodableKey(key), bad)
		assert.Len(t, r.Extra, 1, bad)
		if key == "duration" {
			assert.Equal(t, -1.0, r.Duration)
		}
	}
}

func TestUnmarshalJSONPythonStyle(t *testing.T) {
	// As python-oops tools write reports: req_vars as a list of pairs,
	// timeline entries of four to six elements with float offsets, an
	// integer revno, a naive ISO 8601 time, nulls.
	in := `{
		"id": "OOPS-1a2b3c",
		"type": "ValueError",
		"value": "bad value",
		"time": "2012-03-04T05:06:07.123456",
		"revno": 1234,
		"req_vars": [["HTTP_HOST", "example.com"], ["CONTENT_LENGTH", 12], ["EMPTY", null]],
		"timeline": [
			[0, 1.5, "SQL-main", "SELECT 1"],
			[2.0, 3, "SQL-main", "SELECT 2", null],
			[4, 5, "SQL-main", "SELECT 3", "  File \"x.py\", line 1\n"],
			[6, 7, "SQL-main", "SELECT 4", null, "boom"]
		],
		"duration": null,
		"branch_nick": null,
		"some_python_key": {"nested": [1, 2]}
	}`
	var r oops.Report
	require.NoError(t, json.Unmarshal([]byte(in), &r))
	assert.Equal(t, "OOPS-1a2b3c", r.ID)
	assert.Equal(t, "ValueError", r.Type)
	assert.Equal(t, time.Date(2012, 3, 4, 5, 6, 7, 123456000, time.UTC), r.Time)
	assert.Equal(t, "1234", r.Revno)
	assert.Equal(t, map[string]string{"HTTP_HOST": "example.com", "CONTENT_LENGTH": "12", "EMPTY": ""}, r.ReqVars)
	assert.Equal(t, []oops.TimelineEntry{
		{Start: 0, End: 1500 * time.Microsecond, Category: "SQL-main", Detail: "SELECT 1"},
		{Start: 2 * time.Millisecond, End: 3 * time.Millisecond, Category: "SQL-main", Detail: "SELECT 2"},
		{Start: 4 * time.Millisecond, End: 5 * time.Millisecond, Category: "SQL-main", Detail: "SELECT 3", Backtrace: strp("  File \"x.py\", line 1\n")},
		{Start: 6 * time.Millisecond, End: 7 * time.Millisecond, Category: "SQL-main", Detail: "SELECT 4", Error: "boom"},
	}, r.Timeline)
	assert.Equal(t, -1.0, r.Duration)
	assert.Empty(t, r.BranchNick)
	assert.Equal(t, map[string]any{"some_python_key": map[string]any{"nested": []any{int64(1), int64(2)}}}, r.Extra)

	for s, want := range map[string]time.Time{
		`"2012-03-04 05:06:07"`:              time.Date(2012, 3, 4, 5, 6, 7, 0, time.UTC),
		`"2012-03-04 05:06:07.5+00:00"`:      time.Date(2012, 3, 4, 5, 6, 7, 5e8, time.UTC),
		`"2012-03-04T05:06:07+02:00"`:        time.Date(2012, 3, 4, 3, 6, 7, 0, time.UTC),
		`"2012-03-04T05:06:07.000001Z"`:      time.Date(2012, 3, 4, 5, 6, 7, 1000, time.UTC),
		`"2012-03-04T05:06:07.123456789Z"`:   time.Date(2012, 3, 4, 5, 6, 7, 123456789, time.UTC),
		`"2012-03-04 05:06:07.123456-05:00"`: time.Date(2012, 3, 4, 10, 6, 7, 123456000, time.UTC),
	} {
		var r oops.Report
		require.NoError(t, json.Unmarshal([]byte(`{"time":`+s+`}`), &r), s)
		assert.True(t, want.Equal(r.Time), "%s gave %v", s, r.Time)
	}
}

func TestMarshalJSONUnencodableValues(t *testing.T) {
	type node struct {
		Name string
		Next *node
	}
	loop := &node{Name: "a"}
	loop.Next = loop
	cyclic := map[string]any{"name": "cyclic"}
	cyclic["self"] = cyclic
	cyclic["again"] = cyclic

	r := &oops.Report{
		ID:       "OOPS-0123456789abcdef0123456789abcdef",
		Duration: math.NaN(),
		Attrs: map[string]any{
			"ch":     make(chan int),
			"fn":     func() {},
			"nan":    math.NaN(),
			"inf":    math.Inf(-1),
			"cyclic": cyclic,
			"loop":   loop,
			"ok":     "fine",
			"bad":    "\xff\xfeok",
		},
		Log:   []oops.LogRecord{{Level: "INFO", Msg: "m", Attrs: map[string]any{"nan": math.NaN()}}},
		Extra: map[string]any{"ch": make(chan string), "inf": math.Inf(1), "fine": 1},
	}
	b, err := json.Marshal(r)
	require.NoError(t, err)
	require.True(t, json.Valid(b))
	var back map[string]any
	require.NoError(t, json.Unmarshal(b, &back))
	attrs := back["attrs"].(map[string]any)
	assert.Equal(t, "NaN", attrs["nan"])
	assert.Equal(t, "-Inf", attrs["inf"])
	assert.Equal(t, "fine", attrs["ok"])
	assert.Equal(t, "\uFFFDok", attrs["bad"], "a run of invalid UTF-8 is replaced, the rest kept")
	assert.IsType(t, "", attrs["ch"])
	assert.IsType(t, "", attrs["fn"])
	c := attrs["cyclic"].(map[string]any)
	assert.Equal(t, "cyclic", c["name"])
	assert.Equal(t, "<cycle>", c["self"])
	assert.Equal(t, "<cycle>", c["again"])
	assert.Contains(t, attrs["loop"], "Name:a")
	assert.Equal(t, -1.0, back["duration"], "a NaN duration is written as unknown")
	assert.Equal(t, "NaN", back["log"].([]any)[0].(map[string]any)["attrs"].(map[string]any)["nan"])
	assert.Equal(t, "+Inf", back["inf"])
	assert.IsType(t, "", back["ch"])
	assert.Equal(t, 1.0, back["fine"])

	// The report itself is left as it was.
	assert.True(t, math.IsNaN(r.Attrs["nan"].(float64)))
	assert.True(t, math.IsNaN(r.Duration))
}

func TestTimelineEntryJSON(t *testing.T) {
	for _, tc := range []struct {
		e    oops.TimelineEntry
		wire string
	}{
		{oops.TimelineEntry{Start: 1 * time.Millisecond, End: 2 * time.Millisecond, Category: "SQL-main", Detail: "SELECT 1"}, `[1,2,"SQL-main","SELECT 1",null]`},
		{oops.TimelineEntry{Start: 1 * time.Millisecond, End: 2 * time.Millisecond, Category: "c", Detail: "d", Backtrace: strp("bt")}, `[1,2,"c","d","bt"]`},
		{oops.TimelineEntry{Start: 1 * time.Millisecond, End: 2 * time.Millisecond, Category: "c", Detail: "d", Error: "e"}, `[1,2,"c","d",null,"e"]`},
	} {
		b, err := json.Marshal(tc.e)
		require.NoError(t, err)
		assert.JSONEq(t, tc.wire, string(b))
		var back oops.TimelineEntry
		require.NoError(t, json.Unmarshal(b, &back))
		assert.Equal(t, tc.e, back)
	}
	var e oops.TimelineEntry
	assert.ErrorContains(t, e.FromList([]any{1.0, 2.0, "c"}), "3 elements")
	require.NoError(t, e.FromList([]any{int64(1), int32(2), "c", "d", nil, nil}))
	assert.Equal(t, oops.TimelineEntry{Start: 1 * time.Millisecond, End: 2 * time.Millisecond, Category: "c", Detail: "d"}, e)
	require.NoError(t, e.FromList([]any{json.Number("3"), json.Number("4.7"), "c", "d"}))
	assert.Equal(t, 3*time.Millisecond, e.Start)
	assert.Equal(t, 4700*time.Microsecond, e.End, "fractions of a millisecond are kept")
}

func TestTimelineOffsetsKeepMicroseconds(t *testing.T) {
	e := oops.TimelineEntry{Start: 1234 * time.Microsecond, End: 2 * time.Millisecond, Category: "SQL-main", Detail: "SELECT 1"}
	b, err := json.Marshal(e)
	require.NoError(t, err)
	assert.Equal(t, `[1.234,2,"SQL-main","SELECT 1",null]`, string(b), "whole milliseconds stay integers, as python writes them")
	var back oops.TimelineEntry
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, e, back)

	e.Start = 1234567 * time.Nanosecond
	b, err = json.Marshal(e)
	require.NoError(t, err)
	assert.Equal(t, `[1.235,2,"SQL-main","SELECT 1",null]`, string(b), "rounded to the microsecond")

	for _, bad := range []string{`[1e300,2,"c","d"]`, `["x",2,"c","d"]`, `[1,null,"c","d"]`} {
		assert.Error(t, json.Unmarshal([]byte(bad), &back), bad)
	}
}

func TestParseID(t *testing.T) {
	const id = "OOPS-3f2a9c0e1d2b4a5f8e7d6c5b4a392817"
	for _, in := range []string{
		id, "  " + id + "\n", "oops-3f2a9c0e1d2b4a5f8e7d6c5b4a392817", "3F2A9C0E1D2B4A5F8E7D6C5B4A392817",
		"OOPS-3F2A9C0E1D2B4A5F8E7D6C5B4A392817", "https://oops.example.com/report/" + id,
		"https://oops.example.com/report/" + id + "/", "http://x/oops?id=" + id, `"` + id + `".`,
	} {
		got, err := oops.ParseID(in)
		if assert.NoError(t, err, in) {
			assert.Equal(t, id, got, in)
		}
	}
	got, err := oops.ParseID("OOPS-1234AB56")
	require.NoError(t, err)
	assert.Equal(t, "OOPS-1234AB56", got, "older python ids keep their case")
	for _, bad := range []string{"", "OOPS-", "../../etc/passwd", "OOPS-'; DROP TABLE reports; --", "OOPS-" + strings.Repeat("a", 10000), "<script>"} {
		_, err := oops.ParseID(bad)
		if assert.ErrorIs(t, err, oops.ErrBadID, bad) {
			assert.Less(t, len(err.Error()), 200, "a hostile id is not quoted whole")
		}
	}
}

// TestJSONIsExact: integers beyond 2^53 come back as they went in, and a
// value nested deeper than any reader takes is cut as Plain documents.
func TestJSONIsExact(t *testing.T) {
	big := int64(1)<<53 + 1
	deep := map[string]any{}
	cur := deep
	for range 10_000 {
		n := map[string]any{}
		cur["d"] = n
		cur = n
	}
	in := &oops.Report{
		ID:    "OOPS-1",
		Attrs: map[string]any{"big": big, "huge": uint64(math.MaxUint64), "neg": int64(math.MinInt64), "f": 0.1, "deep": deep},
		Extra: map[string]any{"big": []any{big, -big}, "n": json.Number("123456789012345678901234567890")},
		Log:   []oops.LogRecord{{Level: "INFO", Msg: "m", Attrs: map[string]any{"big": big}}},
	}
	b, err := json.Marshal(in)
	require.NoError(t, err, "a 10,000-deep attribute does not make the report unencodable")
	var out oops.Report
	require.NoError(t, json.Unmarshal(b, &out))
	assert.Equal(t, big, out.Attrs["big"])
	assert.Equal(t, uint64(math.MaxUint64), out.Attrs["huge"])
	assert.Equal(t, int64(math.MinInt64), out.Attrs["neg"])
	assert.Equal(t, 0.1, out.Attrs["f"])
	assert.Equal(t, []any{big, -big}, out.Extra["big"])
	assert.Equal(t, 1.2345678901234568e+29, out.Extra["n"])
	assert.Equal(t, big, out.Log[0].Attrs["big"])
	// The deep value is cut where Plain cuts it.
	d := out.Attrs["deep"]
	n := 0
	for {
		m, ok := d.(map[string]any)
		if !ok {
			break
		}
		d = m["d"]
		n++
	}
	assert.Equal(t, "<too deep>", d)
	assert.Less(t, n, 40)
}

// TestJSONTimesOutOfRange: times no RFC 3339 reader (nor python) holds are
// written as wider text and read back.
func TestJSONTimesOutOfRange(t *testing.T) {
	far := time.Date(10000, 1, 2, 3, 4, 5, 0, time.UTC)
	early := time.Date(0, 12, 31, 0, 0, 0, 0, time.UTC)
	in := &oops.Report{ID: "OOPS-1", Time: far, Duration: math.Inf(1),
		Attrs: map[string]any{"when": far, "then": early},
		Log:   []oops.LogRecord{{Time: far, Level: "INFO", Msg: "m"}}}
	b, err := json.Marshal(in)
	require.NoError(t, err)
	m := decodeObject(t, b)
	assert.JSONEq(t, `"10000-01-02T03:04:05Z"`, string(m["time"]))
	assert.JSONEq(t, `-1`, string(m["duration"]), "a non-finite duration is unknown")
	var out oops.Report
	require.NoError(t, json.Unmarshal(b, &out))
	assert.True(t, far.Equal(out.Time))
	assert.True(t, far.Equal(out.Log[0].Time))
	assert.Equal(t, "10000-01-02T03:04:05Z", out.Attrs["when"])
	assert.Equal(t, "0000-12-31T00:00:00Z", out.Attrs["then"])
}
