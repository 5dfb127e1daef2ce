//go:build !amd64

package stack

const haveFramePointers = false

func framePointer() uintptr { return 0 }

func load(uintptr) uintptr { return 0 }
