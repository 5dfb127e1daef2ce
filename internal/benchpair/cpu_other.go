//go:build !unix

package benchpair

// processCPU cannot read the CPU time outside Unix.
func processCPU() (int64, bool) { return 0, false }
