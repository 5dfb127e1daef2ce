package timeline_test

import (
	"fmt"
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

// A kept record whose category the timeline's table of them has no room
// for is released as any other when the cap drops it.
func TestAddToTimelineReleasesPastTheCategoryTable(t *testing.T) {
	tl := timeline.NewWithOptions(&timeline.Options{MaxEntries: 2}) // first 1, recent 1
	now := time.Now()
	var rs []*releasable
	for i := range 40 {
		r := &releasable{text: fmt.Sprint(i)}
		rs = append(rs, r)
		release.AddToTimeline(tl, fmt.Sprint("log-", i), now, r)
	}
	assert.Zero(t, rs[0].released.Load(), "the first half is kept")
	for i, r := range rs[1 : len(rs)-1] {
		assert.Equal(t, int32(1), r.released.Load(), "record %d dropped: released once", i+1)
	}
	assert.Zero(t, rs[len(rs)-1].released.Load(), "the most recent is kept")
	es := tl.Entries()
	require.Len(t, es, 2)
	assert.Equal(t, "log-0", es[0].Category)
	assert.Equal(t, "log-39", es[1].Category)
	assert.Equal(t, "39", es[1].Detail)
}
