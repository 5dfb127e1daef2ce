package main

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseAge(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"24h": 24 * time.Hour, "90m": 90 * time.Minute, "30d": 30 * 24 * time.Hour, "2w": 14 * 24 * time.Hour,
		"1d12h": 36 * time.Hour, " 1w1d ": 8 * 24 * time.Hour, "1h30m": 90 * time.Minute,
	} {
		got, err := parseAge(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"", "0", "0h", "-3d", "yesterday", "3", "d", "1x", "99999w", "1d-1h", "2562047h1d"} {
		_, err := parseAge(bad)
		assert.Error(t, err, bad)
	}
}

func TestParseTime(t *testing.T) {
	for in, want := range map[string]time.Time{
		"2026-12-01":                time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
		" 2026-12-01 15:04 ":        time.Date(2026, 12, 1, 15, 4, 0, 0, time.UTC),
		"2026-12-01T15:04:05":       time.Date(2026, 12, 1, 15, 4, 5, 0, time.UTC),
		"2026-12-01T15:04:05+01:00": time.Date(2026, 12, 1, 14, 4, 5, 0, time.UTC),
	} {
		got, err := parseTime(in)
		require.NoError(t, err, in)
		assert.True(t, want.Equal(got), "%s: %v", in, got)
	}
	for _, bad := range []string{"", "today", "2026-13-01", "01/12/2026"} {
		_, err := parseTime(bad)
		assert.Error(t, err, bad)
	}
}

func TestTimeRange(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	from, to, err := (&timeRange{}).resolve(now, "24h")
	require.NoError(t, err)
	assert.Equal(t, now.Add(-24*time.Hour), from)
	assert.True(t, to.IsZero())
	from, to, err = (&timeRange{from: "2026-11-30", to: "2026-12-01"}).resolve(now, "24h")
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), from)
	assert.Equal(t, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), to)
	_, _, err = (&timeRange{from: "2026-12-01", to: "2026-11-30"}).resolve(now, "")
	assert.Error(t, err)
	from, _, err = (&timeRange{}).resolve(now, "")
	require.NoError(t, err)
	assert.True(t, from.IsZero(), "no default: unbounded")
}

// FuzzParseAge: any input gives a positive duration or an error quoting at
// most a short, printable prefix of it; never a panic.
func FuzzParseAge(f *testing.F) {
	for _, s := range []string{"24h", "30d", "2w", "1d12h", "-1d", "9999999999d", "1w2d3h4m5s", "\x00d", "ddd", "1.5d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseAge(s)
		if err != nil {
			assert.LessOrEqual(t, len(err.Error()), 120)
			assert.True(t, utf8.ValidString(err.Error()))
			assert.False(t, strings.ContainsAny(err.Error(), "\x00\x1b\n"))
			return
		}
		assert.Positive(t, d)
	})
}

// FuzzParseTime: any input gives a UTC time or a short, clean error.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2026-12-01", "2026-12-01 15:04", "2026-12-01T15:04:05Z", "2026-12-01T15:04:05.999999999-07:00", "0000-00-00", "\x1b[31m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := parseTime(s)
		if err != nil {
			assert.LessOrEqual(t, len(err.Error()), 160)
			assert.False(t, strings.ContainsAny(err.Error(), "\x00\x1b\n"))
			return
		}
		assert.Equal(t, time.UTC, tm.Location())
	})
}
