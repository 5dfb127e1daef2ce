package oopsamqp

import (
	"context"
	"math/rand/v2"
	"time"
)

// Defaults of the backoff between reconnection attempts and before a report
// the store refused goes back to the queue.
const (
	DefaultMinBackoff = 100 * time.Millisecond
	DefaultMaxBackoff = 30 * time.Second
)

// backoff doubles a delay from min up to max, with jitter so that a fleet
// that lost its broker at once does not come back at once.
type backoff struct {
	min, max time.Duration
	n        int
}

func newBackoff(lo, hi time.Duration) backoff {
	if lo <= 0 {
		lo = DefaultMinBackoff
	}
	if hi <= 0 {
		hi = DefaultMaxBackoff
	}
	return backoff{min: lo, max: max(lo, hi)}
}

// delay returns the delay after n consecutive failures (n ≥ 1): min·2^(n-1),
// at most max, less up to a fifth at random.
func (b backoff) delay(n int) time.Duration {
	d := b.min
	for i := 1; i < n && d < b.max; i++ {
		d *= 2
	}
	d = min(d, b.max)
	return d - time.Duration(rand.Int64N(int64(d)/5+1))
}

// next returns the delay for one more failure.
func (b *backoff) next() time.Duration {
	b.n++
	return b.delay(b.n)
}

func (b *backoff) reset() { b.n = 0 }

// sleep waits d or until ctx is done, and reports whether it waited d.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
