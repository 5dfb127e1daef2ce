package timeline_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/oops-go/oops/internal/release"
	"github.com/oops-go/oops/timeline"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every entry keeps its category, however many a timeline sees (more than
// it keeps a table of), however each was made (the same text in other
// memory, the empty string), and whatever else the entry holds, also in
// ring slots that held an entry of another category before.
func TestCategories(t *testing.T) {
	for _, stacks := range []bool{false, true} {
		for _, limit := range []int{-1, 7} {
			tl := timeline.NewWithOptions(&timeline.Options{Stacks: stacks, MaxEntries: limit, NoMaxEntries: limit < 0})
			const n = 60
			want := make([]string, n)
			for i := range n {
				var category string
				switch {
				case i%5 == 4:
					category = "" // an empty category is a category too
				case i%2 == 0:
					category = "SQL-main"
				default:
					// the same texts over and over, each made anew
					category = strings.Clone(fmt.Sprintf("cat-%d", i%37))
				}
				want[i] = category
				detail := fmt.Sprint(i)
				now := time.Now()
				switch i % 6 {
				case 0:
					tl.Start(category, detail).Finish()
				case 1:
					tl.Start(category, detail).FinishErr(errors.New(detail))
				case 2:
					tl.StartLazy(category, lazyText(detail)).Finish()
				case 3:
					tl.AddErr(category, now, now, detail, errors.New(detail))
				case 4:
					release.AddToTimeline(tl, category, now, lazyText(detail))
				case 5:
					tl.Start(category, detail) // unfinished
				}
			}
			es := tl.Entries()
			if limit > 0 {
				require.Len(t, es, limit)
			} else {
				require.Len(t, es, n)
			}
			for _, e := range es {
				var i int
				_, err := fmt.Sscan(e.Detail, &i)
				require.NoError(t, err, e.Detail)
				assert.Equal(t, want[i], e.Category, "stacks %v, max %d, entry %d", stacks, limit, i)
				if i%6 == 1 || i%6 == 3 {
					assert.EqualError(t, e.Err, e.Detail)
				} else {
					assert.NoError(t, e.Err, e.Detail)
				}
				assert.Equal(t, i%6 == 5, e.Unfinished, e.Detail)
			}
		}
	}
}

// Categories are added to a timeline's table from many goroutines at once,
// while it is read.
func TestCategoriesConcurrent(t *testing.T) {
	tl := timeline.NewWithOptions(&timeline.Options{MaxEntries: 50})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				category := fmt.Sprintf("c%d", (g*200+i)%23)
				tl.Start(category, category).Finish()
				if i%50 == 0 {
					for _, e := range tl.Entries() {
						if e.Category != e.Detail {
							t.Errorf("entry %q has the category %q", e.Detail, e.Category)
						}
					}
				}
			}
		})
	}
	wg.Wait()
	for _, e := range tl.Entries() {
		assert.Equal(t, e.Detail, e.Category)
	}
}

// Entry offsets span years either side of the timeline's start: a start far
// out is clamped, never wrapped, and an entry never ends before it starts.
func TestFarOffsets(t *testing.T) {
	tl := timeline.New()
	at := tl.Started()
	far := at.Add(20 * 365 * 24 * time.Hour)
	tl.Add("future", far, far, "far future")
	tl.Add("past", at.Add(-20*365*24*time.Hour), at.Add(-time.Second), "far past")
	year := at.Add(365 * 24 * time.Hour)
	tl.Add("year", year, year, "a year on")
	es := tl.Entries()
	require.Len(t, es, 3)
	assert.Equal(t, "far past", es[0].Detail)
	assert.Less(t, es[0].Start, -8*365*24*time.Hour)
	assert.Equal(t, -time.Second, es[0].End)
	assert.Equal(t, "a year on", es[1].Detail)
	assert.Equal(t, 365*24*time.Hour, es[1].Start)
	assert.Equal(t, es[1].Start, es[1].End)
	assert.Equal(t, "far future", es[2].Detail)
	assert.Greater(t, es[2].Start, 8*365*24*time.Hour)
	assert.LessOrEqual(t, es[2].Start, es[2].End)
	for _, e := range es {
		assert.False(t, e.Unfinished, e.Detail)
	}
}

// An empty category is told apart from the table's free places.
func TestEmptyCategory(t *testing.T) {
	for _, first := range [][]string{{"", "a", "b", "c", "d", "e"}, {"a", "", "b", "c", "d", "e"}, {"a", "b", "", "c", "d", "e"}} {
		tl := timeline.New()
		for _, c := range first {
			tl.Start(c, c).Finish()
		}
		for _, c := range first {
			tl.Start(c, c).Finish()
		}
		for _, e := range tl.Entries() {
			assert.Equal(t, e.Detail, e.Category, "%q", first)
		}
	}
}

// A timeline made outside a testing/synctest bubble and written inside it,
// whose fake clock reads years before the timeline began, keeps whole
// entries with their categories: offsets are clamped, never wrapped.
func TestOffsetsBeforeStartOnFakeClock(t *testing.T) {
	tl := timeline.New()
	synctest.Test(t, func(t *testing.T) {
		require.True(t, time.Now().Before(tl.Started()), "the bubble's clock reads the past")
		tl.Start("SQL-main", "SELECT 1").Finish()
		tl.Start("SQL-main", "SELECT 2")
	})
	es := tl.Entries()
	require.Len(t, es, 2)
	for _, e := range es {
		assert.Equal(t, "SQL-main", e.Category, e.Detail)
		assert.Less(t, e.Start, -8*365*24*time.Hour, e.Detail)
		assert.LessOrEqual(t, e.Start, e.End, e.Detail)
	}
	assert.False(t, es[0].Unfinished)
	assert.True(t, es[1].Unfinished)
}

// A request's categories alternate (statements, log records of two levels,
// the empty one): every entry keeps its own, whichever of them the timeline
// saw last, and whether its text is the one first seen or a copy.
func TestCategoriesAlternating(t *testing.T) {
	cats := []string{"SQL-main", "log-INFO", "log-ERROR", "", "log-INFO"}
	tl := timeline.NewWithOptions(&timeline.Options{NoMaxEntries: true})
	var want []string
	for i := range 40 {
		c := cats[i%len(cats)]
		if i%3 == 0 {
			c = strings.Clone(c)
		}
		want = append(want, c)
		if i%2 == 0 {
			tl.Start(c, "x").Finish()
		} else {
			release.AddToTimeline(tl, c, time.Now(), lazyText("y"))
		}
	}
	es := tl.Entries()
	require.Len(t, es, len(want))
	for i, e := range es {
		assert.Equal(t, want[i], e.Category, "entry %d", i)
	}
}
