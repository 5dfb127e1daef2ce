package timeline_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/oops-go/oops/timeline"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func details(es []timeline.Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Detail
	}
	return out
}

// withoutNow clears the end of unfinished entries, which is "now" and so
// moves between two calls of Entries.
func withoutNow(es []timeline.Entry) []timeline.Entry {
	out := append([]timeline.Entry(nil), es...)
	for i := range out {
		if out[i].Unfinished {
			out[i].End = 0
		}
	}
	return out
}

func TestNilTimelineIsNoOp(t *testing.T) {
	var tl *timeline.Timeline
	assert.NotPanics(t, func() {
		a := tl.Start("SQL-main", "SELECT 1")
		assert.Nil(t, a.Timeline())
		a.Finish()
		a.FinishErr(errors.New("x"))
		tl.StartLazy("SQL-main", panicky{}).Finish()
		now := time.Now()
		tl.Add("log-INFO", now, now, "hello")
		tl.AddLazy("log-INFO", now, now, panicky{})
		tl.AddErr("SQL-main", now, now, "x", errors.New("x"))
	})
	assert.Nil(t, tl.Entries())
	assert.Zero(t, tl.Dropped())
	assert.Zero(t, tl.Len())
	assert.True(t, tl.Started().IsZero())

	var zero timeline.Action
	assert.NotPanics(t, zero.Finish)
	assert.Nil(t, zero.Timeline())
}

func TestContextCarrier(t *testing.T) {
	assert.Nil(t, timeline.FromContext(context.Background()))
	//lint:ignore SA1012 a nil context must be tolerated
	assert.Nil(t, timeline.FromContext(nil))

	tl := timeline.New()
	ctx := timeline.NewContext(context.Background(), tl)
	assert.Same(t, tl, timeline.FromContext(ctx))
	child, cancel := context.WithCancel(ctx)
	defer cancel()
	assert.Same(t, tl, timeline.FromContext(child))

	// The context NewContext returns keeps the parent's values, deadline
	// and cancellation, whichever of a timeline's NewContext calls made it.
	type key struct{}
	parent, cancelParent := context.WithCancel(context.WithValue(context.Background(), key{}, "v"))
	defer cancelParent()
	tl2 := timeline.New()
	for i := range 2 {
		c := timeline.NewContext(parent, tl2)
		assert.Same(t, tl2, timeline.FromContext(c), "call %d", i)
		assert.Equal(t, "v", c.Value(key{}), "call %d", i)
		inner, cancelInner := context.WithCancel(timeline.NewContext(c, tl))
		assert.Same(t, tl, timeline.FromContext(inner), "call %d: the innermost timeline wins", i)
		assert.Equal(t, "v", inner.Value(key{}), "call %d", i)
		assert.Contains(t, fmt.Sprint(c), "WithValue", "call %d", i)
		if i == 1 {
			cancelParent()
			<-inner.Done()
			assert.ErrorIs(t, inner.Err(), context.Canceled)
		}
		cancelInner()
	}

	// A nil timeline in a context reads back as nil and stays a no-op.
	ctx = timeline.NewContext(context.Background(), nil)
	assert.Nil(t, timeline.FromContext(ctx))
	assert.NotPanics(t, func() { timeline.FromContext(ctx).Start("x", "y").Finish() })
}

func TestStartFinish(t *testing.T) {
	before := time.Now()
	tl := timeline.New()
	after := time.Now()
	assert.False(t, tl.Started().Before(before))
	assert.False(t, tl.Started().After(after))

	a := tl.Start("SQL-main", "SELECT 1")
	assert.Same(t, tl, a.Timeline())
	a.Finish()
	b := tl.Start("SQL-main", "SELECT 2")
	boom := errors.New("boom")
	b.FinishErr(boom)
	// Finishing twice keeps the first end and error.
	es := tl.Entries()
	b.FinishErr(errors.New("second"))
	a.FinishErr(errors.New("late"))
	es2 := tl.Entries()
	assert.Equal(t, es, es2)

	require.Len(t, es, 2)
	assert.Equal(t, []string{"SELECT 1", "SELECT 2"}, details(es))
	for _, e := range es {
		assert.Equal(t, "SQL-main", e.Category)
		assert.False(t, e.Unfinished)
		assert.GreaterOrEqual(t, e.Start, time.Duration(0))
		assert.GreaterOrEqual(t, e.End, e.Start)
		assert.Empty(t, e.Stack, "stacks are off by default")
	}
	assert.NoError(t, es[0].Err)
	assert.Same(t, boom, es[1].Err)
	assert.LessOrEqual(t, es[0].End, es[1].Start)
	assert.Equal(t, 2, tl.Len())
	assert.Zero(t, tl.Dropped())
}

func TestUnfinishedEndsNow(t *testing.T) {
	// Fake time: "later" is exactly the 2 ms slept, whatever the machine does.
	synctest.Test(t, func(t *testing.T) {
		tl := timeline.New()
		tl.Start("SQL-main", "SELECT pg_sleep(10)")
		done := tl.Start("SQL-main", "SELECT 1")
		done.Finish()
		lo := time.Since(tl.Started())
		es := tl.Entries()
		hi := time.Since(tl.Started())
		require.Len(t, es, 2)
		assert.True(t, es[0].Unfinished)
		assert.GreaterOrEqual(t, es[0].End, lo)
		assert.LessOrEqual(t, es[0].End, hi)
		assert.False(t, es[1].Unfinished)
		assert.LessOrEqual(t, es[1].End, lo)

		// Read later, the unfinished action has moved on; the finished has not.
		time.Sleep(2 * time.Millisecond)
		later := tl.Entries()
		assert.Equal(t, es[0].End+2*time.Millisecond, later[0].End)
		assert.Equal(t, es[1].End, later[1].End)
	})
}

func TestAdd(t *testing.T) {
	tl := timeline.New()
	t0 := tl.Started()
	tl.Add("log-INFO", t0.Add(5*time.Millisecond), t0.Add(5*time.Millisecond), "hello")
	tl.Add("http-GET", t0.Add(time.Millisecond), t0.Add(3*time.Millisecond), "https://example.com/")
	boom := errors.New("boom")
	tl.AddErr("SQL-main", t0.Add(2*time.Millisecond), t0.Add(4*time.Millisecond), "SELECT 1", boom)
	// An end before the start is taken as the start.
	tl.Add("weird", t0.Add(9*time.Millisecond), t0.Add(8*time.Millisecond), "backwards")

	es := tl.Entries()
	require.Len(t, es, 4)
	assert.Equal(t, []string{"https://example.com/", "SELECT 1", "hello", "backwards"}, details(es), "ordered by start")
	assert.Equal(t, timeline.Entry{Start: time.Millisecond, End: 3 * time.Millisecond, Category: "http-GET", Detail: "https://example.com/"}, es[0])
	assert.Equal(t, timeline.Entry{Start: 2 * time.Millisecond, End: 4 * time.Millisecond, Category: "SQL-main", Detail: "SELECT 1", Err: boom}, es[1])
	assert.Equal(t, es[2].Start, es[2].End)
	assert.Equal(t, 9*time.Millisecond, es[3].End)
}

func TestConcurrentOverlappingActions(t *testing.T) {
	const goroutines, perG = 32, 200
	tl := timeline.NewWithOptions(&timeline.Options{NoMaxEntries: true})
	var wg sync.WaitGroup
	stopReading := make(chan struct{})
	readerDone := make(chan struct{})
	go func() { // a concurrent reader, as a report made mid-request is
		defer close(readerDone)
		for {
			select {
			case <-stopReading:
				return
			default:
				for _, e := range tl.Entries() {
					if e.End < e.Start {
						t.Errorf("entry %q ends before it starts", e.Detail)
					}
				}
				tl.Len()
				tl.Dropped()
			}
		}
	}()
	for g := range goroutines {
		wg.Go(func() {
			for i := range perG {
				outer := tl.Start("SQL-main", fmt.Sprintf("outer %d/%d", g, i))
				inner := tl.Start("SQL-other", fmt.Sprintf("inner %d/%d", g, i))
				if i%2 == 0 {
					outer.Finish() // overlapping, not nested
					inner.FinishErr(errors.New(strconv.Itoa(i)))
				} else {
					inner.Finish()
					outer.Finish()
				}
			}
		})
	}
	wg.Wait()
	close(stopReading)
	<-readerDone

	es := tl.Entries()
	require.Len(t, es, goroutines*perG*2)
	assert.Zero(t, tl.Dropped())
	seen := make(map[string]bool, len(es))
	for i, e := range es {
		assert.False(t, e.Unfinished, e.Detail)
		assert.GreaterOrEqual(t, e.End, e.Start, e.Detail)
		if i > 0 {
			assert.GreaterOrEqual(t, e.Start, es[i-1].Start, "sorted by start")
		}
		assert.False(t, seen[e.Detail], "duplicate %q", e.Detail)
		seen[e.Detail] = true
		if strings.HasPrefix(e.Detail, "inner") {
			var g, i int
			_, err := fmt.Sscanf(e.Detail, "inner %d/%d", &g, &i)
			require.NoError(t, err)
			if i%2 == 0 {
				assert.EqualError(t, e.Err, strconv.Itoa(i), "the error went to the right entry")
			} else {
				assert.NoError(t, e.Err)
			}
		}
	}
}

// At the cap, slots are reused while actions whose entries they held are
// still being finished (late, twice, with errors) and a reader renders them:
// every kept entry is whole and its own.
func TestConcurrentAtCap(t *testing.T) {
	const goroutines, perG, maxEntries = 8, 300, 8
	for _, stacks := range []bool{false, true} {
		tl := timeline.NewWithOptions(&timeline.Options{MaxEntries: maxEntries, Stacks: stacks})
		var wg sync.WaitGroup
		stopReading := make(chan struct{})
		readerDone := make(chan struct{})
		go func() {
			defer close(readerDone)
			for {
				select {
				case <-stopReading:
					return
				default:
					for _, e := range tl.Entries() {
						if !e.Unfinished && e.Err != nil && e.Err.Error() != e.Detail {
							t.Errorf("entry %q has the error %q", e.Detail, e.Err)
						}
					}
				}
			}
		}()
		for g := range goroutines {
			wg.Go(func() {
				var late []timeline.Action
				for i := range perG {
					detail := fmt.Sprintf("%d/%d", g, i)
					var a timeline.Action
					if i%3 == 0 {
						a = tl.StartLazy("c", lazyText(detail))
					} else {
						a = tl.Start("c", detail)
					}
					if i%2 == 0 {
						a.FinishErr(errors.New(detail))
					} else {
						late = append(late, a) // finished once others took its slot
					}
					if len(late) > 4 {
						late[0].Finish()
						late[0].FinishErr(errors.New("second"))
						late = late[1:]
					}
				}
				for _, a := range late {
					a.Finish()
				}
			})
		}
		wg.Wait()
		close(stopReading)
		<-readerDone

		es := tl.Entries()
		require.Len(t, es, maxEntries)
		assert.Equal(t, goroutines*perG-maxEntries, tl.Dropped())
		for _, e := range es {
			assert.False(t, e.Unfinished, e.Detail)
			var g, i int
			_, err := fmt.Sscanf(e.Detail, "%d/%d", &g, &i)
			require.NoError(t, err, e.Detail)
			if i%2 == 0 {
				assert.EqualError(t, e.Err, e.Detail)
			} else {
				assert.NoError(t, e.Err, e.Detail)
			}
			assert.Equal(t, stacks, e.Stack != "", e.Detail)
		}
	}
}

func TestCapKeepsFirstHalfAndMostRecent(t *testing.T) {
	tl := timeline.NewWithOptions(&timeline.Options{MaxEntries: 10})
	actions := make([]timeline.Action, 25)
	for i := range actions {
		actions[i] = tl.Start("step", strconv.Itoa(i))
	}
	assert.Equal(t, 10, tl.Len())
	assert.Equal(t, 15, tl.Dropped())
	es := tl.Entries()
	assert.Equal(t, []string{"0", "1", "2", "3", "4", "20", "21", "22", "23", "24"}, details(es))

	// Finishing a dropped action changes nothing.
	for i := 5; i < 20; i++ {
		actions[i].FinishErr(fmt.Errorf("dropped %d", i))
	}
	assert.Equal(t, withoutNow(es), withoutNow(tl.Entries()))

	// Finishing kept actions, in the first half and in the wrapped ring,
	// finishes exactly those entries.
	actions[3].FinishErr(errors.New("three"))
	actions[22].FinishErr(errors.New("twenty-two"))
	for _, e := range tl.Entries() {
		switch e.Detail {
		case "3":
			assert.False(t, e.Unfinished)
			assert.EqualError(t, e.Err, "three")
		case "22":
			assert.False(t, e.Unfinished)
			assert.EqualError(t, e.Err, "twenty-two")
		default:
			assert.True(t, e.Unfinished, e.Detail)
			assert.NoError(t, e.Err, e.Detail)
		}
	}

	// The ring keeps turning: after wrapping several times, the most recent
	// five are kept and an action evicted since is no longer finishable.
	late := make([]timeline.Action, 13)
	for i := range late {
		late[i] = tl.Start("late", strconv.Itoa(100+i))
	}
	assert.Equal(t, 28, tl.Dropped())
	actions[22].FinishErr(errors.New("again")) // evicted now
	late[0].Finish()                           // evicted too
	late[12].FinishErr(errors.New("last"))
	es = tl.Entries()
	assert.Equal(t, []string{"0", "1", "2", "3", "4", "108", "109", "110", "111", "112"}, details(es))
	assert.EqualError(t, es[9].Err, "last")
	for _, e := range es[5:9] {
		assert.True(t, e.Unfinished, e.Detail)
	}
}

func TestCapSmallAndUnbounded(t *testing.T) {
	for _, tc := range []struct {
		max     int
		n       int
		want    []string
		dropped int
	}{
		{max: 1, n: 4, want: []string{"3"}, dropped: 3},
		{max: 2, n: 4, want: []string{"0", "3"}, dropped: 2},
		{max: 3, n: 6, want: []string{"0", "4", "5"}, dropped: 3},
		{max: 4, n: 4, want: []string{"0", "1", "2", "3"}, dropped: 0},
		{max: -1, n: 3000, dropped: 0},
	} {
		t.Run(fmt.Sprint("max=", tc.max), func(t *testing.T) {
			tl := timeline.NewWithOptions(&timeline.Options{MaxEntries: tc.max, NoMaxEntries: tc.max < 0})
			for i := range tc.n {
				a := tl.Start("step", strconv.Itoa(i))
				a.Finish()
			}
			assert.Equal(t, tc.dropped, tl.Dropped())
			es := tl.Entries()
			if tc.want != nil {
				assert.Equal(t, tc.want, details(es))
			} else {
				assert.Len(t, es, tc.n)
			}
			for _, e := range es {
				assert.False(t, e.Unfinished, e.Detail)
			}
		})
	}
}

func TestDefaultCap(t *testing.T) {
	tl := timeline.New()
	now := time.Now()
	for i := range timeline.DefaultMaxEntries + 7 {
		tl.Add("log-DEBUG", now, now, strconv.Itoa(i))
	}
	assert.Equal(t, timeline.DefaultMaxEntries, tl.Len())
	assert.Equal(t, 7, tl.Dropped())
	es := tl.Entries()
	assert.Equal(t, "0", es[0].Detail)
}

// startHere starts an action from a function of its own, so that the test
// can tell the first frame of the captured stack.
func startHere(tl *timeline.Timeline) timeline.Action { return tl.Start("SQL-main", "SELECT 1") }

func startLazyHere(tl *timeline.Timeline) timeline.Action {
	return tl.StartLazy("SQL-main", lazyText("SELECT 2"))
}

func TestStacks(t *testing.T) {
	tl := timeline.NewWithOptions(&timeline.Options{Stacks: true})
	startHere(tl).Finish()
	startLazyHere(tl)
	tl.Add("log-INFO", time.Now(), time.Now(), "no stack for Add")
	es := tl.Entries()
	require.Len(t, es, 3)

	for i, fn := range []string{"startHere", "startLazyHere"} {
		lines := strings.Split(es[i].Stack, "\n")
		require.GreaterOrEqual(t, len(lines), 4, es[i].Stack)
		assert.Equal(t, "github.com/oops-go/oops/timeline_test."+fn+"(...)", lines[0], "the first frame is the caller of Start")
		assert.Regexp(t, `^\t.*/timeline/timeline_test\.go:\d+$`, lines[1])
		assert.Equal(t, "github.com/oops-go/oops/timeline_test.TestStacks(...)", lines[2])
		assert.NotContains(t, es[i].Stack, "oops/timeline.(*Timeline)", "no timeline internals")
	}
	assert.Empty(t, es[2].Stack)

	off := timeline.New()
	startHere(off).Finish()
	assert.Empty(t, off.Entries()[0].Stack)
}

type lazyText string

func (l lazyText) String() string { return string(l) }

type countingStringer struct {
	calls *atomic.Int32
	text  string
}

func (c countingStringer) String() string { c.calls.Add(1); return c.text }

type panicky struct{}

func (panicky) String() string { panic("no detail for you") }

func TestLazyDetails(t *testing.T) {
	tl := timeline.New()
	var calls atomic.Int32
	tl.StartLazy("SQL-main", countingStringer{&calls, "SELECT 42"}).Finish()
	now := time.Now()
	tl.AddLazy("log-INFO", now, now, countingStringer{&calls, "kept record"})
	assert.Zero(t, calls.Load(), "nothing rendered before Entries")

	es := tl.Entries()
	assert.Equal(t, int32(2), calls.Load())
	assert.Equal(t, []string{"SELECT 42", "kept record"}, details(es))
}

// Every combination of a lazy detail, an error and a stack is kept whole,
// also in a ring slot that held another combination before.
func TestDetailErrorStackCombinations(t *testing.T) {
	for _, stacks := range []bool{false, true} {
		tl := timeline.NewWithOptions(&timeline.Options{Stacks: stacks, MaxEntries: 2})
		for i := range 8 {
			lazy, failed := i&1 != 0, i&2 != 0
			detail := fmt.Sprint("step ", i)
			var a timeline.Action
			if lazy {
				a = tl.StartLazy("c", lazyText(detail))
			} else {
				a = tl.Start("c", detail)
			}
			var err error
			if failed {
				err = fmt.Errorf("step %d failed", i)
			}
			a.FinishErr(err)
			a.FinishErr(errors.New("second")) // the first end and error are kept
			es := tl.Entries()
			require.NotEmpty(t, es)
			last := es[len(es)-1]
			assert.Equal(t, detail, last.Detail, "stacks %v", stacks)
			assert.Equal(t, err, last.Err, "stacks %v, step %d", stacks, i)
			assert.Equal(t, stacks, last.Stack != "", "stacks %v, step %d", stacks, i)
			assert.False(t, last.Unfinished)
		}
		assert.Equal(t, 6, tl.Dropped())
	}
}

func TestLazyDetailThatPanics(t *testing.T) {
	tl := timeline.New()
	tl.StartLazy("SQL-main", panicky{}).Finish()
	tl.AddLazy("log-INFO", time.Now(), time.Now(), panicky{})
	var es []timeline.Entry
	require.NotPanics(t, func() { es = tl.Entries() })
	require.Len(t, es, 2)
	for _, e := range es {
		assert.Equal(t, "<detail panicked: no detail for you>", e.Detail)
	}
}

type observed struct {
	kind     string
	a        timeline.Action
	category string
	detail   string
	at       time.Time
	err      error
}

type recorder struct {
	mu  sync.Mutex
	got []observed
}

func (r *recorder) Started(a timeline.Action, category, detail string, start time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, observed{kind: "start", a: a, category: category, detail: detail, at: start})
}

func (r *recorder) Finished(a timeline.Action, end time.Time, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, observed{kind: "finish", a: a, at: end, err: err})
}

func TestObserver(t *testing.T) {
	rec := &recorder{}
	tl := timeline.NewWithOptions(&timeline.Options{Observer: rec})
	before := time.Now()
	a := tl.Start("SQL-main", "SELECT 1")
	b := tl.StartLazy("http-GET", lazyText("https://example.com/"))
	boom := errors.New("boom")
	b.FinishErr(boom)
	a.Finish()
	a.Finish() // a second Finish is not observed
	tl.Add("log-INFO", time.Now(), time.Now(), "Add is not observed")
	after := time.Now()

	require.Len(t, rec.got, 4)
	assert.Equal(t, "start", rec.got[0].kind)
	assert.Equal(t, a, rec.got[0].a)
	assert.Equal(t, "SQL-main", rec.got[0].category)
	assert.Equal(t, "SELECT 1", rec.got[0].detail)
	assert.Equal(t, "start", rec.got[1].kind)
	assert.Equal(t, b, rec.got[1].a)
	assert.Equal(t, "https://example.com/", rec.got[1].detail, "an observer gets the rendered detail")
	assert.Equal(t, observed{kind: "finish", a: b, at: rec.got[2].at, err: boom}, rec.got[2])
	assert.Equal(t, "finish", rec.got[3].kind)
	assert.Equal(t, a, rec.got[3].a)
	assert.NoError(t, rec.got[3].err)
	for _, o := range rec.got {
		assert.False(t, o.at.Before(before), o.kind)
		assert.False(t, o.at.After(after), o.kind)
	}
	assert.False(t, rec.got[3].at.Before(rec.got[0].at))

	// The times the observer saw are those the entries report.
	es := tl.Entries()
	assert.Equal(t, rec.got[0].at, tl.Started().Add(es[0].Start))
	assert.Equal(t, rec.got[3].at, tl.Started().Add(es[0].End))
}

func TestObserverPanickingLazyDetail(t *testing.T) {
	rec := &recorder{}
	tl := timeline.NewWithOptions(&timeline.Options{Observer: rec})
	require.NotPanics(t, func() { tl.StartLazy("SQL-main", panicky{}).Finish() })
	require.Len(t, rec.got, 2)
	assert.Equal(t, "<detail panicked: no detail for you>", rec.got[0].detail)
}

func TestObserverDroppedAction(t *testing.T) {
	rec := &recorder{}
	tl := timeline.NewWithOptions(&timeline.Options{MaxEntries: 2, Observer: rec})
	a := tl.Start("step", "0")
	b := tl.Start("step", "1") // kept in the ring, then evicted by the next
	tl.Start("step", "2")
	b.Finish()
	a.Finish()
	var finished []timeline.Action
	for _, o := range rec.got {
		if o.kind == "finish" {
			finished = append(finished, o.a)
		}
	}
	assert.Equal(t, []timeline.Action{b, a}, finished, "a dropped action's Finish still reaches the observer")
	assert.Equal(t, []string{"0", "2"}, details(tl.Entries()))
}

func TestStartStackCapturesWithStacksOff(t *testing.T) {
	tl := timeline.New()
	tl.StartStack("SQL-x", "SELECT 1").Finish()
	tl.Start("SQL-x", "SELECT 2").Finish()
	es := tl.Entries()
	require.Len(t, es, 2)
	first, _, _ := strings.Cut(es[0].Stack, "\n")
	assert.Equal(t, "github.com/oops-go/oops/timeline_test.TestStartStackCapturesWithStacksOff(...)", first)
	assert.Empty(t, es[1].Stack)
	var nilTL *timeline.Timeline
	assert.Equal(t, timeline.Action{}, nilTL.StartStack("SQL-x", "SELECT 3"))
}

// An entry added with times before the timeline began, even the zero time,
// is a finished entry, not an unfinished one.
func TestAddBeforeStart(t *testing.T) {
	tl := timeline.New()
	before := tl.Started().Add(-time.Second)
	tl.Add("log-INFO", before, before, "early")
	tl.Add("log-INFO", time.Time{}, time.Time{}, "zero")
	es := tl.Entries()
	require.Len(t, es, 2)
	for _, e := range es {
		assert.False(t, e.Unfinished, e.Detail)
		assert.Equal(t, e.Start, e.End, e.Detail)
	}
	assert.Equal(t, "zero", es[0].Detail)
	assert.Equal(t, -time.Second, es[1].Start)
}

// A request's recording is cheap in allocations: a fresh timeline put in a
// context is one, and its first 14 actions add none; the 15th adds a chunk,
// and the next chunks up to the 123rd action add one each.
func TestRequestAllocations(t *testing.T) {
	bg := context.Background()
	for _, c := range []struct {
		actions int
		max     float64
		what    string
	}{
		{0, 1, "an empty timeline and its context"},
		{10, 1, "a timeline with 10 actions and its context"},
		{17, 2, "a timeline with 17 actions and its context"},
		{100, 4, "a timeline with 100 actions and its context"},
	} {
		allocs := testing.AllocsPerRun(100, func() {
			ctx := timeline.NewContext(bg, timeline.New())
			for range c.actions {
				timeline.FromContext(ctx).Start("SQL-main", "SELECT 1").Finish()
			}
		})
		assert.LessOrEqual(t, allocs, c.max, c.what)
	}
}
