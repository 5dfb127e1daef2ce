//go:build unix

package sqltimeline

import (
	"syscall"
	"testing"
	"time"
)

// sqlCPUTime is the CPU time the process has used so far (user + system, all
// threads). On a shared, loaded machine the CPU time per op measures the work
// done rather than the wait for a core, which sec/op also counts.
func sqlCPUTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportSQLCPU reports cpu-ns/op for the b.N iterations run since start (in
// nanoseconds: testing prints a metric in seconds with too few digits).
func reportSQLCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(sqlCPUTime(b)-start)/float64(b.N), "cpu-ns/op")
}
