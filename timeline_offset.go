package oops

import (
	"strconv"
	"time"

	"github.com/oops-go/oops/internal/wire"
)

// appendOffset appends d in milliseconds, as wire.OffsetMillis gives it.
func appendOffset(b []byte, d time.Duration) []byte {
	ms, whole := wire.OffsetMillis(d)
	if whole {
		return strconv.AppendInt(b, int64(ms), 10)
	}
	return strconv.AppendFloat(b, ms, 'f', -1, 64)
}
