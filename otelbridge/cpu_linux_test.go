//go:build linux

package otelbridge_test

import (
	"runtime"
	"syscall"
	"testing"
)

// cpuTimer reports, next to ns/op, the CPU time the benchmark's own thread
// spent per operation (cpu-ns/op). On a machine shared with other work,
// ns/op counts the time the benchmark waited for a CPU too; cpu-ns/op does
// not.
type cpuTimer struct {
	b     *testing.B
	start int64
}

const rusageThread = 1 // RUSAGE_THREAD

func startCPU(b *testing.B) *cpuTimer {
	runtime.LockOSThread()
	return &cpuTimer{b: b, start: threadCPU()}
}

func (c *cpuTimer) stop() {
	used := threadCPU() - c.start
	runtime.UnlockOSThread()
	if c.b.N > 0 {
		c.b.ReportMetric(float64(used)/float64(c.b.N), "cpu-ns/op")
	}
}

func threadCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
