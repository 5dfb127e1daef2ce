// Package benchcpu reports, beside a benchmark's ns/op, the CPU time the
// benchmark used per operation, as the metric "cpu-ns/op".
//
// On a shared, loaded machine ns/op also counts the time the benchmark spent
// waiting for a core; cpu-ns/op counts only the work done, so it varies much
// less from run to run.
//
// The CPU time is the whole process's, as getrusage(RUSAGE_SELF) gives it:
// user and system time of all its threads. It thus includes the garbage
// collector's work and that of any goroutines the benchmark starts (an
// asynchronous publisher, say), which a single operation causes as surely as
// its own instructions. The time of the benchmark's own thread alone
// (RUSAGE_THREAD) would leave them out, and would need the goroutine locked
// to its thread. The price is that anything else running in the test binary
// during the loop is counted too.
//
// Where getrusage is not available (outside Unix), nothing is reported.
package benchcpu

import "testing"

// Start begins measuring the process's CPU time for b and returns stop,
// which reports the CPU time used since Start, in nanoseconds and divided by
// b.N, as the metric "cpu-ns/op" (see testing.B.ReportMetric). Call Start
// just before the benchmark loop and stop just after it:
//
//	stop := benchcpu.Start(b)
//	for b.Loop() {
//		// ...
//	}
//	stop()
//
// Unlike b's timer, the measurement does not pause at b.StopTimer. stop
// reports nothing when b.N is 0 or the CPU time cannot be read, and nothing
// after its first call.
func Start(b *testing.B) (stop func()) {
	start, ok := processCPU()
	done := false
	return func() {
		if done {
			return
		}
		done = true
		end, endOK := processCPU()
		if !ok || !endOK || b.N <= 0 {
			return
		}
		b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
	}
}
