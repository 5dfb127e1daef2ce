package flight

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// limiter is a token bucket per signature, with a bounded number of buckets.
// It takes no lock: a storm of one signature from many goroutines would
// otherwise queue every log call on one mutex. Buckets are found in a
// sync.Map, and each bucket is one compare-and-swap word (see bucket).
type limiter struct {
	every time.Duration
	span  int64 // burst * every: how far ahead of now a bucket's tat may run
	max   int

	buckets   sync.Map     // signature → *bucket
	n         atomic.Int64 // buckets in the map
	overflow  *bucket      // shared by new signatures once max are tracked
	lastSweep atomic.Int64 // when the last sweep ran (see offset); sweeps run at most once a second

	once  sync.Once
	epoch time.Time // the first now seen: every offset counts from it

	// suppressed counts every report held back, for Stats: sharded as a
	// bucket's count is, and added to with it.
	suppressed counter
}

// A bucket is a token bucket in the form of the generic cell rate algorithm:
// tat (the theoretical arrival time) is when the bucket will be full again,
// as an offset from the limiter's epoch. A report is let through when
// tat + every is at most burst*every ahead of now, and then pushes tat by
// every: a full bucket lets burst through at once, then one per every, as a
// token bucket does. A tat in the past is a full bucket.
//
// The count of reports suppressed since the last one let through is a
// sharded counter, apart from tat: in a storm every log call adds to it, and
// a single word written from every core would make each call wait for the
// cache line (and tat, read by every call, would share that line).
type bucket struct {
	tat        atomic.Int64
	_          [cacheLine - 8]byte
	suppressed counter
}

func newBucket() *bucket {
	b := &bucket{suppressed: newCounter()}
	b.tat.Store(fullTat)
	return b
}

func newLimiter(burst int, every time.Duration, max int) *limiter {
	if burst <= 0 {
		return nil
	}
	span := int64(burst) * int64(every)
	if every > 0 && span/int64(every) != int64(burst) {
		span = 1<<63 - 1 // never limits, as a burst that large would not
	}
	return &limiter{every: every, span: span, max: max, overflow: newBucket(), suppressed: newCounter()}
}

// fullTat is the tat of a new bucket: full, whatever now is.
const fullTat = -(1 << 62)

// offset returns now as nanoseconds since the limiter's epoch, the first now
// it was given, so that a limiter runs on whatever clock its callers use
// (real or a test's bubble) and the arithmetic stays far from overflowing.
func (l *limiter) offset(now time.Time) int64 {
	l.once.Do(func() { l.epoch = now })
	return int64(now.Sub(l.epoch))
}

// elapsed is offset(time.Now()) from the monotonic clock alone: a token
// bucket needs no wall clock, and time.Since of a time that carries a
// monotonic reading reads one clock where time.Now reads two. (In a
// testing/synctest bubble, time.Since reads the bubble's clock.)
func (l *limiter) elapsed() int64 {
	l.once.Do(func() { l.epoch = time.Now() })
	return int64(time.Since(l.epoch))
}

// allow takes a token from sig's bucket at now. It returns whether a report
// may be published and, if so, how many were suppressed since the last one.
func (l *limiter) allow(sig string, now time.Time) (ok bool, suppressed int) {
	if l == nil {
		return true, 0
	}
	return l.allowAt(sig, l.offset(now))
}

// allowAt is allow at t, an offset from the limiter's epoch (see offset and
// elapsed).
func (l *limiter) allowAt(sig string, t int64) (ok bool, suppressed int) {
	b := l.bucket(sig, t)
	for {
		tat := b.tat.Load()
		next := max(tat, t) + int64(l.every)
		if next-t > l.span {
			// One shard for both counts: one random draw per suppressed
			// report of a storm rather than two.
			i := rand.Uint32()
			b.suppressed.addAt(i, 1)
			l.suppressed.addAt(i, 1)
			return false, 0
		}
		if b.tat.CompareAndSwap(tat, next) {
			return true, int(b.suppressed.take())
		}
	}
}

// bucket returns sig's bucket, making one if there is room, else the shared
// overflow bucket.
func (l *limiter) bucket(sig string, t int64) *bucket {
	if b, ok := l.buckets.Load(sig); ok {
		return b.(*bucket)
	}
	// Reserve a place before making the bucket, so that goroutines making
	// buckets at once never take the count past max.
	for {
		n := l.n.Load()
		if n >= int64(l.max) {
			l.sweep(t)
			if l.n.Load() >= int64(l.max) {
				return l.overflow
			}
			continue
		}
		if l.n.CompareAndSwap(n, n+1) {
			break
		}
	}
	nb := newBucket()
	b, loaded := l.buckets.LoadOrStore(sig, nb)
	if loaded {
		l.n.Add(-1) // another goroutine made sig's bucket first
	}
	return b.(*bucket)
}

// sweep forgets buckets that are full again and suppressed nothing: a fresh
// bucket would behave the same. One goroutine sweeps at a time, at most once
// a second.
func (l *limiter) sweep(t int64) {
	last := l.lastSweep.Load()
	if last != 0 && t-last < int64(time.Second) {
		return
	}
	if !l.lastSweep.CompareAndSwap(last, max(t, 1)) {
		return
	}
	l.buckets.Range(func(sig, v any) bool {
		b := v.(*bucket)
		if b.tat.Load() <= t && b.suppressed.load() == 0 && l.buckets.CompareAndDelete(sig, v) {
			l.n.Add(-1)
		}
		return true
	})
}

// giveBack returns n suppressed reports to sig's count, for a report that
// was let through but then folded into a window instead.
func (l *limiter) giveBack(sig string, n int) {
	if l == nil {
		return
	}
	if b, ok := l.buckets.Load(sig); ok {
		b.(*bucket).suppressed.add(int64(n))
	} else {
		l.overflow.suppressed.add(int64(n))
	}
}

// suppressedTotal returns how many reports allow has held back.
func (l *limiter) suppressedTotal() int64 {
	if l == nil {
		return 0
	}
	return l.suppressed.load()
}

// tracked returns how many signatures have a bucket of their own.
func (l *limiter) tracked() int {
	if l == nil {
		return 0
	}
	return int(l.n.Load())
}
