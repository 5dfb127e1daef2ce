package analysis_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

	"github.com/oops-go/oops/analysis"
)

// FuzzNormalize: any text, SQL or not, normalises without a panic, to valid
// UTF-8 when it was, without the literals' digits of a plain statement.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"SELECT 1", "select * from t where id in (1,2,3)", "'unterminated", "$$ x $$", "/* ", "?1?2::int", "\x00\xff", "VALUES (1),(2),(3)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := analysis.Normalize(s)
		if utf8.ValidString(s) {
			assert.True(t, utf8.ValidString(n), "%q -> %q", s, n)
		}
		assert.False(t, strings.HasPrefix(n, " ") || strings.HasSuffix(n, " "), "%q -> %q", s, n)
	})
}
