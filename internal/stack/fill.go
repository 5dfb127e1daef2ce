package stack

import (
	"runtime"
	"strings"
)

// Fill stores in buf the program counters of the calling goroutine's stack,
// skipping skip frames above the caller of Fill (0 = the caller itself), and
// returns how many it stored. The result is exactly runtime.Callers': the
// same return addresses, one per frame, inlined calls included, so that
// Format renders the same text.
//
// It is cheaper, though. runtime.Callers resolves every frame's function,
// size and inlining as it walks; a log call that makes a report walks the
// same stack from the same places again and again. Fill follows the chain
// of saved frame pointers instead (a few loads per frame) and looks the
// resulting sequence of physical return addresses up in a cache of its
// runtime.Callers form (see expand), computed once per sequence. Where the
// chain cannot be trusted to equal the runtime's walk, Fill is
// runtime.Callers: on platforms without frame pointers, when a frame pointer
// is not where a Go frame's would be (a cgo callback's boundary, a frame
// larger than maxFrame), and for stacks that pass through the runtime (a
// panic, a signal, reflect's call trampolines; see walkable) or are deeper
// than maxPhysical frames.
//
//go:noinline
func Fill(skip int, buf []uintptr) int {
	if skip < 0 {
		skip = 0
	}
	if haveFramePointers && !disableFramePointers {
		var phys [maxPhysical]uintptr
		// phys[0] is in Fill (walk is not inlined, nor Fill), phys[1] the
		// frame of Fill's caller: the key is the stack from there on.
		if n, complete := walk(phys[:]); complete && n > 1 {
			key := phys[1:n]
			ex, ok := expanded.Lookup(key)
			if !ok {
				ex = expand(key)
				expanded.Store(key, ex)
			}
			if ex.ok {
				if skip >= len(ex.pcs) {
					return 0
				}
				return copy(buf, ex.pcs[skip:])
			}
		}
	}
	return runtime.Callers(skip+2, buf)
}

// disableFramePointers makes Fill runtime.Callers (tests compare the two).
var disableFramePointers = false

const (
	// maxPhysical bounds the frames walk follows: deeper stacks are left
	// to runtime.Callers.
	maxPhysical = 2 * MaxDepth
	// maxFrame bounds the distance between two frame pointers of one
	// goroutine's stack: a larger step is not a Go frame of this stack (or
	// a huge one) and ends the walk as untrusted.
	maxFrame = 1 << 20
)

// walk stores the return addresses of the frames above its caller's
// (the first is in walk's caller), following saved frame pointers, and
// reports whether it reached the goroutine's first frame (whose saved frame
// pointer is zero) within buf. A frame pointer that is not one of this
// stack's (see maxFrame) ends the walk incomplete.
//
// It calls nothing that could move the goroutine's stack (load is an
// assembly leaf), so the addresses stay valid while it runs.
//
//go:noinline
func walk(buf []uintptr) (n int, complete bool) {
	fp := framePointer() // walk's own frame
	for n < len(buf) {
		buf[n] = load(fp + 8) // the return address into the caller
		n++
		next := load(fp) // the caller's frame pointer
		if next == 0 {
			return n, true
		}
		if next <= fp || next-fp > maxFrame || next&7 != 0 {
			return n, false
		}
		fp = next
	}
	return n, false
}

// An expansion is what runtime.Callers gives for a stack whose frames have
// the physical return addresses of its key: one entry per frame, inlined
// ones included, wrappers left out.
type expansion struct {
	pcs []uintptr
	ok  bool // false: use runtime.Callers for this stack (see expand)
}

var expanded Cache[expansion]

// expand returns the expansion of phys, the physical return addresses of
// the frames of Fill's caller's stack, from Fill's caller on. It asks
// runtime.Callers, on this very stack (expand is called by Fill only, and
// is not inlined), and checks that the frame pointer chain missed none of
// its frames: each frame runtime.Callers gives must be one that
// runtime.CallersFrames finds at phys, in order (phys may have more: the
// wrappers runtime.Callers leaves out). Stacks through the runtime's own
// functions are refused (a signal's panic starts at the faulting
// instruction, in a frame that may have saved no frame pointer), as are
// frames the chain missed.
//
//go:noinline
func expand(phys []uintptr) expansion {
	var buf [maxPhysical * 2]uintptr
	// 0 is runtime.Callers, 1 expand, 2 Fill: 3 is Fill's caller.
	n := runtime.Callers(3, buf[:])
	if n == len(buf) {
		return expansion{}
	}
	want := runtime.CallersFrames(buf[:n])
	// A copy: phys, Fill's buffer, stays on the stack.
	have := runtime.CallersFrames(append([]uintptr(nil), phys...))
	for {
		w, wmore := want.Next()
		if w.Function == "" || !walkable(w.Function) {
			return expansion{}
		}
		for {
			h, hmore := have.Next()
			if h.Function == w.Function && h.File == w.File && h.Line == w.Line {
				break
			}
			if !hmore {
				return expansion{}
			}
		}
		if !wmore {
			break
		}
	}
	return expansion{pcs: append([]uintptr(nil), buf[:n]...), ok: true}
}

// walkable reports whether a frame of function fn may be on a stack whose
// frame pointer chain Fill follows. The runtime's own functions other than
// a goroutine's first and last frames are not: a signal's panic starts at
// the faulting instruction, not a return address, in a frame that may have
// saved no frame pointer; assembly trampolines (reflect calls, cgo
// callbacks, stack switches) may save none either.
func walkable(fn string) bool {
	if !strings.HasPrefix(fn, "runtime.") {
		return true
	}
	return fn == "runtime.goexit" || fn == "runtime.main"
}
