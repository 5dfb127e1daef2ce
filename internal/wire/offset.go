package wire

import (
	"errors"
	"math"
	"time"
)

// OffsetMillis returns a timeline offset as the wire writes it: whole
// milliseconds as an integer (whole is true), else milliseconds as a double
// rounded to the microsecond.
func OffsetMillis(d time.Duration) (ms float64, whole bool) {
	d = d.Round(time.Microsecond)
	if d%time.Millisecond == 0 {
		return float64(d / time.Millisecond), true
	}
	return float64(d/time.Microsecond) / 1000, false
}

// ErrBadOffset is what OffsetFromMillis returns for a value no duration holds.
var ErrBadOffset = errors.New("not a finite number of milliseconds within ±292 years")

// OffsetFromMillis turns a wire offset in milliseconds (integer or double)
// back into a duration, rounded to the microsecond as it was written.
func OffsetFromMillis(ms float64) (time.Duration, error) {
	const limit = float64(math.MaxInt64) / float64(time.Millisecond)
	if math.IsNaN(ms) || ms > limit || ms < -limit {
		return 0, ErrBadOffset
	}
	return time.Duration(math.Round(ms*1000)) * time.Microsecond, nil
}
