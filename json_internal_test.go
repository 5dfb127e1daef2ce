package oops

import (
	"encoding/json"
	"testing"
)

// appendJSONString must write strings exactly as encoding/json does, so that
// a hand-written timeline reads like the rest of the report.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{
		"", "plain", `quote " backslash \`, "<script>&amp;</script>", "\b\f\n\r\t\x00\x01\x1f\x7f",
		"bad \xff\xfe utf-8", "\xe2\x80", "line\u2028para\u2029", "héllo wörld ✓ 🎉", "\xed\xa0\x80",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString(nil, s); string(got) != string(want) {
			t.Fatalf("appendJSONString(%q) = %s, encoding/json writes %s", s, got, want)
		}
	})
}
