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
	assert.Equal(t, `"\ufffd"`, QuoteID("\xff"))
}
