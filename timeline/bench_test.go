package timeline_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oops-go/oops/internal/benchcpu"
	"github.com/oops-go/oops/internal/release"
	"github.com/oops-go/oops/timeline"
)

// BenchmarkStartFinish measures what an instrumented step costs: looking the
// timeline up in ctx, Start and Finish.
func BenchmarkStartFinish(b *testing.B) {
	for _, bc := range []struct {
		name string
		ctx  context.Context
	}{
		{"ctx=timeline/stacks=off", timeline.NewContext(context.Background(), timeline.New())},
		{"ctx=timeline/stacks=on", timeline.NewContext(context.Background(),
			timeline.NewWithOptions(&timeline.Options{Stacks: true}))},
		{"ctx=none", context.Background()},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := bc.ctx
			b.ReportAllocs()
			stopCPU := benchcpu.Start(b)
			for b.Loop() {
				timeline.FromContext(ctx).Start("SQL-main", "SELECT 1").Finish()
			}
			stopCPU()
		})
	}
	// As a request uses it: a fresh timeline (with its context) every 100
	// actions, so that every entry takes a slot no entry held before.
	b.Run("ctx=fresh-timeline", func(b *testing.B) {
		const perTimeline = 100
		bg := context.Background()
		ctx := timeline.NewContext(bg, timeline.New())
		n := 0
		b.ReportAllocs()
		stopCPU := benchcpu.Start(b)
		for b.Loop() {
			if n++; n == perTimeline {
				ctx, n = timeline.NewContext(bg, timeline.New()), 0
			}
			timeline.FromContext(ctx).Start("SQL-main", "SELECT 1").Finish()
		}
		stopCPU()
	})
	// The floor under Start+Finish: the two monotonic clock reads they make,
	// measured beside them so that the ratio is of one run.
	b.Run("ctx=clock-2-reads", func(b *testing.B) {
		start := time.Now()
		b.ReportAllocs()
		stopCPU := benchcpu.Start(b)
		for b.Loop() {
			sinkDuration = time.Since(start)
			sinkDuration = time.Since(start)
		}
		stopCPU()
	})
	// The floor under any Start+Finish that is safe for concurrent use,
	// measured beside them: the two clock reads and three locked
	// instructions, the lock's acquire and release in Start and the
	// compare-and-swap of Finish. (A Start without the lock would still
	// need a locked instruction to take a slot and an atomic store, an
	// exchange on amd64, to publish the entry to Entries.)
	b.Run("ctx=clock-2-reads+lock+cas", func(b *testing.B) {
		start := time.Now()
		var (
			mu     sync.Mutex
			n, end int64
		)
		b.ReportAllocs()
		stopCPU := benchcpu.Start(b)
		for b.Loop() {
			sinkDuration = time.Since(start)
			mu.Lock()
			n++
			mu.Unlock()
			sinkDuration = time.Since(start)
			atomic.CompareAndSwapInt64(&end, n-1, n)
		}
		stopCPU()
	})
	// The floor under ctx=fresh-timeline: the one above, and every 100
	// actions the memory a fresh timeline of 100 entries takes, as blocks
	// of 48-byte structs with pointers, like entries: 21 for the timeline
	// itself (1 KiB), then its chunks of 15, 31 and 63 from its 15th,
	// 30th and 61st entry on.
	b.Run("ctx=clock-2-reads+lock+cas+storage", func(b *testing.B) {
		start := time.Now()
		var (
			mu     sync.Mutex
			n, end int64
		)
		i := 0
		b.ReportAllocs()
		stopCPU := benchcpu.Start(b)
		for b.Loop() {
			switch i++; i {
			case 100:
				i = 0
				sinkBlock = make([]block48, 21)
			case 14:
				sinkBlock = make([]block48, 15)
			case 29:
				sinkBlock = make([]block48, 31)
			case 60:
				sinkBlock = make([]block48, 63)
			}
			sinkDuration = time.Since(start)
			mu.Lock()
			n++
			mu.Unlock()
			sinkDuration = time.Since(start)
			atomic.CompareAndSwapInt64(&end, n-1, n)
		}
		stopCPU()
	})
	b.Run("ctx=timeline/stacks=off/parallel", func(b *testing.B) {
		ctx := timeline.NewContext(context.Background(), timeline.New())
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				timeline.FromContext(ctx).Start("SQL-main", "SELECT 1").Finish()
			}
		})
	})
}

// BenchmarkNilTimeline measures Start+Finish on a nil *Timeline, what
// instrumented code pays when nobody records.
func BenchmarkNilTimeline(b *testing.B) {
	var tl *timeline.Timeline
	b.ReportAllocs()
	for b.Loop() {
		tl.Start("SQL-main", "SELECT 1").Finish()
	}
}

// BenchmarkEntries measures flattening a full default timeline.
func BenchmarkEntries(b *testing.B) {
	tl := timeline.New()
	for range timeline.DefaultMaxEntries {
		tl.Start("SQL-main", "SELECT 1").Finish()
	}
	b.ReportAllocs()
	for b.Loop() {
		tl.Entries()
	}
}

// BenchmarkEntriesRequest measures what a failing request's report pays to
// flatten its timeline: a timeline shaped like a request's, with 20 SQL
// statements and 10 kept log records (lazy details, as the flight recorder
// adds them), one of the statements failed and the last still running.
func BenchmarkEntriesRequest(b *testing.B) {
	for _, n := range []int{20, 40} {
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) {
			tl := requestTimeline(n)
			b.ReportAllocs()
			stopCPU := benchcpu.Start(b)
			for b.Loop() {
				sinkEntries = tl.Entries()
			}
			stopCPU()
		})
	}
}

// requestTimeline returns a timeline of n entries shaped like a request's:
// two SQL statements for every kept log record, the fifth statement failed
// and the last one unfinished.
func requestTimeline(n int) *timeline.Timeline {
	tl := timeline.New()
	for i := range n {
		switch {
		case i%3 == 2:
			release.AddToTimeline(tl, "log-INFO", time.Now(), logDetail("msg=\"user loaded\" id=42"))
		case i == n-1:
			tl.Start("SQL-main", "SELECT * FROM orders WHERE user_id = $1")
		case i == 4:
			tl.Start("SQL-main", "UPDATE users SET seen = now() WHERE id = $1").FinishErr(errBench)
		default:
			tl.Start("SQL-main", "SELECT id, name FROM users WHERE id = $1").Finish()
		}
	}
	return tl
}

// A logDetail is a kept record's lazy detail, rendered already.
type logDetail string

func (d logDetail) String() string { return string(d) }

var (
	errBench    = errors.New("deadlock detected")
	sinkEntries []timeline.Entry
)

var sinkDuration time.Duration

// A block48 is shaped like a timeline's entry: 48 bytes, with pointers.
type block48 struct {
	_ [2]time.Duration
	_ string
	_ any
}

var sinkBlock []block48

// BenchmarkClockRead is the floor under Start+Finish, which read the
// monotonic clock once each: on machines where reading the clock is slow
// (some virtual machines), it dominates.
func BenchmarkClockRead(b *testing.B) {
	start := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		sinkDuration = time.Since(start)
	}
}

// BenchmarkRequest is the shape every recording budget is judged by: one
// request makes a fresh timeline, puts it in its context and records 10
// actions into it. An op is a request; ns/action and cpu-ns/action divide by
// the actions, and allocs/op are the allocations of a whole request (a
// per-action figure would round down to 0).
func BenchmarkRequest(b *testing.B) {
	const actions = 10
	bg := context.Background()
	b.ReportAllocs()
	stopCPU := benchcpu.Start(b)
	for b.Loop() {
		ctx := timeline.NewContext(bg, timeline.New())
		for range actions {
			timeline.FromContext(ctx).Start("SQL-main", "SELECT 1").Finish()
		}
	}
	stopCPU()
	perAction(b, actions)
}

// BenchmarkRequestRecords is BenchmarkRequest for kept log records: a
// fresh timeline per request, with 10 records added as the flight recorder
// adds them (release.AddToTimeline, a lazy detail at a point in time).
func BenchmarkRequestRecords(b *testing.B) {
	const records = 10
	bg := context.Background()
	var rec any = logDetail("msg=\"cache miss\" key=user:42") // converted once, as a kept record is
	b.ReportAllocs()
	stopCPU := benchcpu.Start(b)
	for b.Loop() {
		ctx := timeline.NewContext(bg, timeline.New())
		for range records {
			release.AddToTimeline(timeline.FromContext(ctx), "log-INFO", time.Now(), rec)
		}
	}
	stopCPU()
	perAction(b, records)
}

// BenchmarkRequestMixed is BenchmarkRequest for a request whose
// statements and kept log records alternate, as most do: 10 statements,
// each followed by a kept record (of the category a timeline sees second,
// so that the lookup of each category is measured past the first).
func BenchmarkRequestMixed(b *testing.B) {
	const statements = 10
	bg := context.Background()
	var rec any = logDetail("msg=\"cache miss\" key=user:42")
	b.ReportAllocs()
	stopCPU := benchcpu.Start(b)
	for b.Loop() {
		ctx := timeline.NewContext(bg, timeline.New())
		for range statements {
			timeline.FromContext(ctx).Start("SQL-main", "SELECT 1").Finish()
			release.AddToTimeline(timeline.FromContext(ctx), "log-INFO", time.Now(), rec)
		}
	}
	stopCPU()
	perAction(b, 2*statements)
}

// BenchmarkRequestFloor is the floor under BenchmarkRequest, measured
// beside it: what any request pays that reads the time it began (a wall
// clock for its report, and the monotonic one), takes its timeline's 1 KiB
// of memory with pointers in it, and records 10 actions safe for concurrent
// use: two monotonic clock reads, the lock's acquire and release and a
// compare-and-swap each.
func BenchmarkRequestFloor(b *testing.B) {
	const actions = 10
	var (
		mu     sync.Mutex
		n, end int64
	)
	b.ReportAllocs()
	stopCPU := benchcpu.Start(b)
	for b.Loop() {
		start := time.Now()
		sinkBlock = make([]block48, 21)
		for range actions {
			sinkDuration = time.Since(start)
			mu.Lock()
			n++
			mu.Unlock()
			sinkDuration = time.Since(start)
			atomic.CompareAndSwapInt64(&end, n-1, n)
		}
	}
	stopCPU()
	perAction(b, actions)
}

// perAction reports ns/op divided by n as ns/action.
func perAction(b *testing.B, n int) {
	if b.N > 0 {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/action")
	}
}

var sinkCtx context.Context

// BenchmarkNew is what a request pays for its timeline before recording
// anything: New and NewContext.
func BenchmarkNew(b *testing.B) {
	bg := context.Background()
	b.ReportAllocs()
	stopCPU := benchcpu.Start(b)
	for b.Loop() {
		sinkCtx = timeline.NewContext(bg, timeline.New())
	}
	stopCPU()
}
