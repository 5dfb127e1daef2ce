package flight

import (
	"sync"
	"time"
)

// limiter is a token bucket per signature, with a bounded number of buckets.
type limiter struct {
	burst float64
	every time.Duration
	max   int

	mu        sync.Mutex
	buckets   map[string]*bucket
	overflow  bucket    // shared by new signatures once max are tracked
	lastSweep time.Time // sweeps of idle buckets run at most once a second
}

type bucket struct {
	tokens     float64
	last       time.Time
	suppressed int
}

func newLimiter(burst int, every time.Duration, max int) *limiter {
	if burst <= 0 {
		return nil
	}
	return &limiter{burst: float64(burst), every: every, max: max, buckets: make(map[string]*bucket),
		overflow: bucket{tokens: float64(burst)}}
}

// allow takes a token from sig's bucket. It returns whether a report may be
// published and, if so, how many were suppressed since the last one.
func (l *limiter) allow(sig string, now time.Time) (ok bool, suppressed int) {
	if l == nil {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[sig]
	if b == nil {
		if len(l.buckets) >= l.max {
			l.sweep(now)
		}
		if len(l.buckets) < l.max {
			b = &bucket{tokens: l.burst, last: now}
			l.buckets[sig] = b
		} else {
			b = &l.overflow
		}
	}
	l.refill(b, now)
	if b.tokens < 1 {
		b.suppressed++
		return false, 0
	}
	b.tokens--
	suppressed, b.suppressed = b.suppressed, 0
	return true, suppressed
}

func (l *limiter) refill(b *bucket, now time.Time) {
	if !b.last.IsZero() {
		if d := now.Sub(b.last); d > 0 {
			b.tokens += float64(d) / float64(l.every)
			if b.tokens > l.burst {
				b.tokens = l.burst
			}
		}
	}
	b.last = now
}

// sweep forgets buckets that have refilled completely and suppressed nothing:
// a fresh bucket would behave the same. l.mu is held.
func (l *limiter) sweep(now time.Time) {
	if now.Sub(l.lastSweep) < time.Second {
		return
	}
	l.lastSweep = now
	for sig, b := range l.buckets {
		l.refill(b, now)
		if b.tokens >= l.burst && b.suppressed == 0 {
			delete(l.buckets, sig)
		}
	}
}

// giveBack returns n suppressed reports to sig's count, for a report that
// was let through but then folded into a window instead.
func (l *limiter) giveBack(sig string, n int) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if b := l.buckets[sig]; b != nil {
		b.suppressed += n
	} else {
		l.overflow.suppressed += n
	}
}

// tracked returns how many signatures have a bucket of their own.
func (l *limiter) tracked() int {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}
