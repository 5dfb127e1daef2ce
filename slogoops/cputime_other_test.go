//go:build !linux

package slogoops_test

// processCPU is not measured outside Linux.
func processCPU() int64 { return 0 }
