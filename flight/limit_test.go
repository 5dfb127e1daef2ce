package flight

import (
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Many goroutines hitting one signature at once get exactly the burst
// through, and the next report let through carries every suppressed one.
func TestLimiterConcurrentBurst(t *testing.T) {
	const burst, goroutines, each = 10, 16, 2000
	l := newLimiter(burst, time.Minute, 100)
	now := time.Now()
	var allowed, carried atomic.Int64
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range each {
				if ok, n := l.allow("sig", now); ok {
					allowed.Add(1)
					carried.Add(int64(n))
				}
			}
		})
	}
	wg.Wait()
	assert.EqualValues(t, burst, allowed.Load())
	assert.Zero(t, carried.Load(), "nothing was suppressed before the burst ran out")

	ok, _ := l.allow("sig", now.Add(30*time.Second))
	assert.False(t, ok, "half a token is not a token")
	ok, n := l.allow("sig", now.Add(time.Minute))
	require.True(t, ok, "a token a minute")
	assert.Equal(t, goroutines*each-burst+1, n)
	ok, _ = l.allow("sig", now.Add(time.Minute))
	assert.False(t, ok)
}

// A bucket refills up to the burst, not beyond, and a new bucket is full
// even for a caller whose clock reads a little behind the first caller's.
func TestLimiterRefill(t *testing.T) {
	l := newLimiter(3, time.Second, 10)
	now := time.Now()
	ok, _ := l.allow("a", now)
	require.True(t, ok)
	for range 2 {
		ok, _ = l.allow("b", now.Add(-time.Millisecond))
		assert.True(t, ok, "a new bucket is full")
	}
	later := now.Add(time.Hour)
	got := 0
	for range 10 {
		if ok, _ := l.allow("a", later); ok {
			got++
		}
	}
	assert.Equal(t, 3, got, "refilled to the burst only")

	one := newLimiter(1, time.Second, 10)
	ok, _ = one.allow("x", now)
	require.True(t, ok)
	ok, _ = one.allow("y", now.Add(-time.Millisecond))
	assert.True(t, ok, "burst 1: the first report of a signature passes")
}

// Past MaxSignatures new signatures share the overflow bucket until a sweep
// (at most once a second) forgets buckets that are full and quiet.
func TestLimiterBoundAndSweep(t *testing.T) {
	l := newLimiter(1, time.Second, 4)
	now := time.Now()
	for i := range 4 {
		ok, _ := l.allow(strconv.Itoa(i), now)
		require.True(t, ok)
	}
	assert.Equal(t, 4, l.tracked())
	ok, _ := l.allow("new1", now)
	assert.True(t, ok, "the overflow bucket's token")
	ok, _ = l.allow("new2", now)
	assert.False(t, ok, "the overflow bucket is shared")
	assert.Equal(t, 4, l.tracked())

	// Two seconds on, every bucket is full again and none suppressed:
	// a sweep forgets them, and new signatures get their own.
	later := now.Add(2 * time.Second)
	ok, n := l.allow("new3", later)
	assert.True(t, ok)
	assert.Zero(t, n)
	assert.Equal(t, 1, l.tracked())

	// The overflow bucket kept what it suppressed.
	l.giveBack("gone", 2)
	assert.EqualValues(t, 3, l.overflow.suppressed.load())
}

func TestLimiterOff(t *testing.T) {
	l := newLimiter(-1, time.Second, 4)
	ok, n := l.allow("x", time.Now())
	assert.True(t, ok)
	assert.Zero(t, n)
	assert.Zero(t, l.tracked())
}
