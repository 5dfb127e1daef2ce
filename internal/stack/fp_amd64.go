package stack

// haveFramePointers: on amd64 every Go function that calls another saves
// the caller's frame pointer at the bottom of its frame, under the return
// address, so that the chain of frames can be followed without the
// runtime's unwinder.
const haveFramePointers = true

// framePointer returns the frame pointer of the function that calls it.
//
//go:noescape
func framePointer() uintptr

// load returns the word at addr, an address in the calling goroutine's
// stack that walk has checked.
//
//go:noescape
func load(addr uintptr) uintptr
