package oopshttp_test

import "syscall"

// threadCPU returns the CPU time the calling OS thread has used, in
// nanoseconds (RUSAGE_THREAD). On a shared machine wall time also counts the
// time spent waiting for a CPU; this does not.
func threadCPU() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
