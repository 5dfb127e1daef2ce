package oops_test

import (
	"encoding/json"
	"testing"

	"github.com/oops-go/oops"
)

// FuzzReportUnmarshalJSON feeds UnmarshalJSON arbitrary input (seeds in
// testdata/fuzz/FuzzReportUnmarshalJSON). It must never panic, and whatever
// it accepts must encode, decode again and encode to the same bytes.
func FuzzReportUnmarshalJSON(f *testing.F) {
	for _, seed := range []string{
		`{"id":"OOPS-0123456789abcdef0123456789abcdef","time":"2026-11-21T23:50:01Z","duration":-1}`,
		`{"req_vars":[["a","b"],["c",1]],"timeline":[[0,1.5,"SQL-main","SELECT 1"]]}`,
		`{"timeline":[[0,1,"c","d",null,"e"]],"log":[{"time":"2026-01-01T00:00:00Z","level":"INFO","msg":"m","attrs":{"a":[1,{"b":null}]}}]}`,
		`{"time":"2012-03-04 05:06:07.123456","revno":42,"x":{"y":"\u00e9"}}`,
		`null`, `[]`, `{}`, `{"timeline":[null]}`, "{\"value\":\"\xff\xfe\"}",
		`{"attrs":{"big":9007199254740993,"huge":18446744073709551615,"f":1e400,"g":-0.0}}`,
		`{"time":"10000-01-02T03:04:05Z","log":[{"time":"-0001-12-31T00:00:00Z","level":1}]}`,
		`{"req_vars":[["a"],"x",["b","c","d"],[{"k":1},null]],"duration":"x","timeline":"y"}`,
		`{"time":"bad","undecodable_time":1,"pending":"yes","revision":1.5,"cut":{"attrs.x":3}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var r oops.Report
		if err := r.UnmarshalJSON(data); err != nil {
			return
		}
		b1, err := json.Marshal(&r)
		if err != nil {
			t.Fatalf("decoded report does not encode: %v\ninput: %q", err, data)
		}
		var r2 oops.Report
		if err := json.Unmarshal(b1, &r2); err != nil {
			t.Fatalf("encoded report does not decode: %v\nencoded: %s", err, b1)
		}
		b2, err := json.Marshal(&r2)
		if err != nil {
			t.Fatalf("second encoding failed: %v", err)
		}
		if string(b1) != string(b2) {
			t.Fatalf("round trip changed the report:\n%s\n%s", b1, b2)
		}
	})
}
