package oops

import (
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// appendJSONString must write strings as encoding/json does, so that a
// hand-written timeline reads like the rest of the report: byte for byte for
// valid UTF-8, and decoding to the same text for invalid UTF-8 (encoding/json
// writes its replacement as "\ufffd" up to Go 1.26 and as the character
// itself from Go 1.27 on).
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
		got := appendJSONString(nil, s)
		if utf8.ValidString(s) {
			if string(got) != string(want) {
				t.Fatalf("appendJSONString(%q) = %s, encoding/json writes %s", s, got, want)
			}
			return
		}
		var g, w string
		if err := json.Unmarshal(got, &g); err != nil {
			t.Fatalf("appendJSONString(%q) = %s, which is not JSON: %v", s, got, err)
		}
		if err := json.Unmarshal(want, &w); err != nil {
			t.Fatal(err)
		}
		if g != w {
			t.Fatalf("appendJSONString(%q) reads back as %q, encoding/json's as %q", s, g, w)
		}
	})
}
