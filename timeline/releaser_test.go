package timeline_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/oops-go/oops/internal/release"
	"github.com/oops-go/oops/timeline"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// releasable is a lazy detail that counts its releases and can hold its
// String call until told to go on.
type releasable struct {
	text     string
	released atomic.Int32
	entered  chan struct{} // closed when String is first called, if set
	proceed  chan struct{} // String waits on it, if set
}

func (r *releasable) String() string {
	if r.entered != nil {
		close(r.entered)
		r.entered = nil
		<-r.proceed
	}
	return r.text
}

func (r *releasable) Release() { r.released.Add(1) }

func TestAddToTimelineReleasesWhatTheCapDrops(t *testing.T) {
	tl := timeline.NewWithOptions(&timeline.Options{MaxEntries: 3}) // first 1, recent 2
	now := time.Now()
	var rs []*releasable
	add := func() *releasable {
		r := &releasable{text: "r" + string(rune('0'+len(rs)))}
		rs = append(rs, r)
		release.AddToTimeline(tl, "log-INFO", now, r)
		return r
	}
	for range 3 {
		add()
	}
	for _, r := range rs {
		assert.Zero(t, r.released.Load(), "nothing dropped yet")
	}
	add()
	assert.Zero(t, rs[0].released.Load(), "the first half is kept")
	assert.Equal(t, int32(1), rs[1].released.Load(), "dropped: released once")
	tl.Start("SQL-main", "SELECT 1").Finish() // a Start drops one too
	assert.Equal(t, int32(1), rs[2].released.Load())
	tl.Start("SQL-main", "SELECT 2").Finish()
	assert.Equal(t, int32(1), rs[3].released.Load())
	tl.Start("SQL-main", "SELECT 3").Finish() // drops an action: nothing to release
	for _, r := range rs {
		assert.LessOrEqual(t, r.released.Load(), int32(1))
	}
	assert.Equal(t, []string{"r0", "SELECT 2", "SELECT 3"}, details(tl.Entries()))
	assert.Equal(t, 4, tl.Dropped())

	var nilTL *timeline.Timeline
	release.AddToTimeline(nilTL, "log-INFO", now, &releasable{}) // no-op
}

func TestAddToTimelineKeepsWhatEntriesRenders(t *testing.T) {
	tl := timeline.NewWithOptions(&timeline.Options{MaxEntries: 1})
	now := time.Now()
	held := &releasable{text: "held", entered: make(chan struct{}), proceed: make(chan struct{})}
	entered := held.entered
	release.AddToTimeline(tl, "log-INFO", now, held)
	done := make(chan []timeline.Entry)
	go func() { done <- tl.Entries() }()
	<-entered // Entries is rendering held

	next := &releasable{text: "next"}
	release.AddToTimeline(tl, "log-INFO", now, next)
	assert.Zero(t, held.released.Load(), "dropped while rendered: not released")
	close(held.proceed)
	es := <-done
	require.Len(t, es, 1)
	assert.Equal(t, "held", es[0].Detail)

	release.AddToTimeline(tl, "log-INFO", now, &releasable{text: "last"})
	assert.Equal(t, int32(1), next.released.Load(), "dropped with no reader: released")
	assert.Zero(t, held.released.Load(), "held is never released")
}
