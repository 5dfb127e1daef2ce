// Package benchpair measures what one way of doing a request costs over
// another, in one benchmark: the two run in alternating blocks, so that a
// machine whose load changes during the run slows both alike, and the
// difference is reported per unit of work (per log record, say).
package benchpair

import (
	"runtime"
	"testing"
	"time"
)

// block is how many requests of one side run between two measurements: long
// enough that reading the memory statistics (which stops the world) costs
// little beside them.
const block = 32

// Run measures base and test, each one request of units units of work (unit
// names them: "record"), in alternating blocks, b.N requests of each, and
// reports per unit: base-ns and test-ns (wall time), extra-ns (test minus
// base), extra-cpu-ns (the process's CPU time, garbage collection included,
// where it can be read), extra-allocs and extra-B; and extra-allocs/req per
// request. The
// figures are differences of means, so a small one may come out below zero.
func Run(b *testing.B, units int, unit string, base, test func()) {
	b.Helper()
	var side [2]struct {
		wall, cpu     time.Duration
		allocs, bytes uint64
	}
	var ms runtime.MemStats
	fns := [2]func(){base, test}
	// One untimed request of each warms caches and pools up.
	base()
	test()
	b.ResetTimer()
	for done := 0; done < b.N; done += block {
		n := min(block, b.N-done)
		for i, f := range fns {
			runtime.ReadMemStats(&ms)
			a0, b0 := ms.Mallocs, ms.TotalAlloc
			c0, _ := processCPU()
			t0 := time.Now()
			for range n {
				f()
			}
			wall := time.Since(t0)
			c1, _ := processCPU()
			runtime.ReadMemStats(&ms)
			side[i].wall += wall
			side[i].cpu += time.Duration(c1 - c0)
			side[i].allocs += ms.Mallocs - a0
			side[i].bytes += ms.TotalAlloc - b0
		}
	}
	b.StopTimer()
	if b.N == 0 {
		return
	}
	per := float64(b.N) * float64(units)
	b.ReportMetric(float64(side[0].wall)/per, "base-ns/"+unit)
	b.ReportMetric(float64(side[1].wall)/per, "test-ns/"+unit)
	b.ReportMetric(float64(side[1].wall-side[0].wall)/per, "extra-ns/"+unit)
	if _, ok := processCPU(); ok {
		b.ReportMetric(float64(side[1].cpu-side[0].cpu)/per, "extra-cpu-ns/"+unit)
	}
	b.ReportMetric((float64(side[1].allocs)-float64(side[0].allocs))/per, "extra-allocs/"+unit)
	b.ReportMetric((float64(side[1].allocs)-float64(side[0].allocs))/float64(b.N), "extra-allocs/req")
	b.ReportMetric((float64(side[1].bytes)-float64(side[0].bytes))/per, "extra-B/"+unit)
	// ns/op, B/op and allocs/op of the testing package count both sides and
	// the measurements themselves: meaningless here.
}
