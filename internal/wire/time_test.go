package wire

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTimeRoundTrip(t *testing.T) {
	for _, tm := range []time.Time{
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(123456, 2, 29, 1, 2, 3, 4, time.UTC),
		time.Date(0, 12, 31, 23, 59, 59, 999, time.UTC),
		time.Date(-44, 3, 15, 12, 0, 0, 0, time.UTC),
		time.Date(2024, 5, 6, 7, 8, 9, 10, time.UTC),
	} {
		assert.Equal(t, tm.Year() >= 1 && tm.Year() <= 9999, TimeOK(tm), tm)
		got, err := ParseTime(FormatTime(tm))
		require.NoError(t, err, FormatTime(tm))
		assert.True(t, tm.Equal(got), "%v != %v", tm, got)
	}
	for _, bad := range []string{"", "x", "10000-02-30T00:00:00Z", "-", "99999999999999-01-01T00:00:00Z", "10001-02-29T00:00:00Z"} {
		_, err := ParseTime(bad)
		assert.Error(t, err, bad)
	}
}

func TestQuoteID(t *testing.T) {
	assert.Equal(t, `"OOPS-1"`, QuoteID("OOPS-1"))
	long := QuoteID(strings.Repeat("é", 1<<20))
	assert.Less(t, len(long), 120)
	assert.Contains(t, long, "(2097152 bytes)")
	assert.Equal(t, "\"\uFFFD\"", QuoteID("\xff"))
}

// FuzzParseTime: whatever ParseTime accepts, FormatTime writes so that
// ParseTime reads the same instant back.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2024-05-06T07:08:09Z", "10000-01-01T00:00:00Z", "-0044-03-15T12:00:00.5+01:00", "x", "123456789012-01-01T00:00:00Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := ParseTime(s)
		if err != nil {
			return
		}
		back, err := ParseTime(FormatTime(tm))
		if err != nil {
			t.Fatalf("%q: %v", FormatTime(tm), err)
		}
		if !back.Equal(tm) {
			t.Fatalf("%q: %v != %v", s, back, tm)
		}
	})
}
