package flight

import (
	"math/rand/v2"
	"runtime"
	"sync/atomic"
)

// A counter is a count that many goroutines add to at once, as every
// suppressed record of a storm does: spread over shards a cache line apart,
// so that adds from different cores do not take the same line from each
// other, and read by summing them. The zero counter is not usable; see
// newCounter.
type counter struct {
	shards []counterShard
}

type counterShard struct {
	n atomic.Int64
	_ [cacheLine - 8]byte
}

// cacheLine is the size of a cache line on the processors Go runs on most.
const cacheLine = 64

// counterShards is how many shards a counter has: as many as there are
// processors to run goroutines, up to 8 (a bucket per signature has one),
// a power of two.
var counterShards = func() int {
	n := 1
	for n < runtime.GOMAXPROCS(0) && n < 8 {
		n *= 2
	}
	return n
}()

func newCounter() counter { return counter{shards: make([]counterShard, counterShards)} }

// add adds d to a shard picked at random: a goroutine's adds need no order,
// and the runtime's random source is per thread.
func (c *counter) add(d int64) {
	c.shards[rand.Uint32()&uint32(len(c.shards)-1)].n.Add(d)
}

// addAt adds d to the shard i picks, for a caller that adds to two counters
// at once and draws i (at random) once for both.
func (c *counter) addAt(i uint32, d int64) {
	c.shards[i&uint32(len(c.shards)-1)].n.Add(d)
}

// load returns the count.
func (c *counter) load() int64 {
	var n int64
	for i := range c.shards {
		n += c.shards[i].n.Load()
	}
	return n
}

// take returns the count and sets it to zero. An add that runs at the same
// time is counted by this take or by the next one, never by both or neither.
func (c *counter) take() int64 {
	var n int64
	for i := range c.shards {
		n += c.shards[i].n.Swap(0)
	}
	return n
}
