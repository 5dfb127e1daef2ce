package oopsamqp

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestBackoffDoublesUpToItsCap(t *testing.T) {
	b := newBackoff(100*time.Millisecond, time.Second)
	for n, want := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 4: 800 * time.Millisecond, 5: time.Second, 50: time.Second} {
		d := b.delay(n)
		assert.LessOrEqual(t, d, want, "n=%d", n)
		assert.GreaterOrEqual(t, d, want*4/5, "n=%d: at most a fifth of jitter", n)
	}
	z := newBackoff(0, 0)
	assert.Equal(t, DefaultMinBackoff, z.min)
	assert.Equal(t, DefaultMaxBackoff, z.max)
	assert.Equal(t, time.Second, newBackoff(time.Second, time.Millisecond).max, "max is at least min")
}

func TestSleepStopsWithItsContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		start := time.Now()
		assert.True(t, sleep(ctx, time.Minute))
		assert.Equal(t, time.Minute, time.Since(start))
		time.AfterFunc(time.Second, cancel)
		assert.False(t, sleep(ctx, time.Hour))
		assert.Equal(t, time.Minute+time.Second, time.Since(start))
	})
}
