package benchcpu

import (
	"runtime"
	"testing"
	"time"
)

// TestStartReportsBusyLoop runs a benchmark whose every operation keeps a
// core busy for a while, and checks that it reports a cpu-ns/op which is
// positive and in nanoseconds: not above the wall time per op times the
// number of cores, and not far below the wall time.
func TestStartReportsBusyLoop(t *testing.T) {
	if _, ok := processCPU(); !ok {
		t.Skip("no CPU time on this system")
	}
	const spin = 200 * time.Microsecond
	r := testing.Benchmark(func(b *testing.B) {
		stop := Start(b)
		for b.Loop() {
			for start := time.Now(); time.Since(start) < spin; {
			}
		}
		stop()
		stop() // reports nothing more
	})
	cpu, ok := r.Extra["cpu-ns/op"]
	if !ok {
		t.Fatalf("no cpu-ns/op in %v", r.Extra)
	}
	wall := float64(r.NsPerOp())
	t.Logf("N=%d, ns/op=%.0f, cpu-ns/op=%.0f", r.N, wall, cpu)
	if cpu <= 0 {
		t.Errorf("cpu-ns/op = %v, want > 0", cpu)
	}
	if hi := wall * float64(runtime.NumCPU()); cpu > hi {
		t.Errorf("cpu-ns/op = %.0f, want at most ns/op × cores = %.0f", cpu, hi)
	}
	if lo := wall / 100; cpu < lo {
		t.Errorf("cpu-ns/op = %.0f, want at least ns/op / 100 = %.0f", cpu, lo)
	}
}
