// Package wire holds what the report encodings of this module share and
// users need not see: the rule for times every reader can hold, timeline
// offsets, ids in error messages, and the check for ASCII text that the
// encoders (and the text they are given) run on every string.
package wire

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// TimeOK reports whether t can be written as a datetime that every reader
// takes: its year in UTC is 1 to 9999, the years of python's datetime (its
// bson library fails on a document holding any other) and of RFC 3339.
func TimeOK(t time.Time) bool {
	y := t.UTC().Year()
	return y >= 1 && y <= 9999
}

// FormatTime is the text a time is written as where a datetime cannot hold
// it: RFC 3339 in UTC, with as many year digits as the year needs and a sign
// for years before 1 ("10000-01-01T00:00:00Z", "-0001-12-31T00:00:00Z").
func FormatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// ParseTime reads RFC 3339 text, also with the wider years FormatTime
// writes.
func ParseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err == nil {
		return t, nil
	}
	// "[-]YYYYY-MM-DD…": parse the rest with a stand-in leap year, then
	// put the year back.
	neg := strings.HasPrefix(s, "-")
	rest := strings.TrimPrefix(s, "-")
	i := strings.IndexByte(rest, '-')
	if i < 4 || i > 12 {
		return time.Time{}, err
	}
	year, perr := strconv.Atoi(rest[:i])
	if perr != nil {
		return time.Time{}, err
	}
	if neg {
		year = -year
	}
	t, perr = time.Parse(time.RFC3339Nano, "2000"+rest[i:])
	if perr != nil {
		return time.Time{}, err
	}
	if t.Month() == time.February && t.Day() == 29 && !leap(year) {
		return time.Time{}, errors.New("parsing time " + strconv.Quote(s) + ": day out of range")
	}
	return time.Date(year, t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location()), nil
}

func leap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }
