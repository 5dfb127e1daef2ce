package slogoops_test

import "syscall"

// processCPU returns the CPU time (user and system, all threads, the garbage
// collector's included) the process has used so far, in nanoseconds.
// Benchmarks report it per operation beside the wall time, which on a
// shared, loaded machine mostly measures waiting for a core.
func processCPU() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
