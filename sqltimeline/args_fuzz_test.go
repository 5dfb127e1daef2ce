package sqltimeline

import (
	"database/sql/driver"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzArgs: whatever the arguments, the recorded detail is valid UTF-8,
// starts with the statement, and stays bounded by MaxArgLen per value.
func FuzzArgs(f *testing.F) {
	f.Add("SELECT ?", "plain", []byte("bytes"), int64(7), 3)
	f.Add("Q", "\xff\xfe invalid \x00", []byte{0xff}, int64(-1), 1)
	f.Add("Q", strings.Repeat("é", 100), []byte(strings.Repeat("x", 100)), int64(0), 8)
	f.Fuzz(func(t *testing.T, query, s string, bs []byte, n int64, maxLen int) {
		if maxLen <= 0 || maxLen > 1<<10 {
			maxLen = DefaultMaxArgLen
		}
		c := newConfig("x", &Options{Args: true, MaxArgLen: maxLen})
		d := c.withArgs(query, []driver.NamedValue{
			{Ordinal: 1, Value: s}, {Ordinal: 2, Value: bs}, {Name: "n", Value: n}, {Ordinal: 4, Value: nil},
		})
		if !strings.HasPrefix(d, query) {
			t.Fatalf("detail %q lost the query %q", d, query)
		}
		rest := d[len(query):]
		if !utf8.ValidString(rest) {
			t.Fatalf("arguments part is not valid UTF-8: %q", rest)
		}
		// Each value is cut to maxLen bytes before quoting; quoting at most
		// quadruples it (\xNN), plus fixed decorations.
		if limit := 4*(4*maxLen) + 200; len(rest) > limit {
			t.Fatalf("arguments part is %d bytes, over %d", len(rest), limit)
		}
	})
}
