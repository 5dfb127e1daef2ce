package oops

import (
	"encoding/hex"
	"reflect"
	"runtime"
	"strconv"
	"sync/atomic"

	"github.com/oops-go/oops/internal/errchain"
)

// Signature returns the short hash that groups reports of the same problem
// (Report.Signature, the "signature" key): 16 lowercase hex digits over the call
// site (function and file:line of pc, a program counter as runtime.Callers
// and slog.Record.PC give it), the message template and the type chain of err
// (outermost first, as TypeChain gives it). The error's text is never
// part of it, so errors that carry ids or values still group; a message that
// is formatted with values (rather than carrying them as attributes) does
// not. pc may be 0 and err nil.
//
// It is on every report's path, so it allocates nothing once a call site and
// a signature have been seen (both are cached, in bounded tables).
func Signature(pc uintptr, msg string, err error) string {
	h := fnvOffset // FNV-1a of callSiteText(pc), cached with it
	if pc != 0 {
		h = lookupCallSite(pc).h
	}
	h = fnvByte(h, 0)
	h = fnvString(h, msg)
	// The walk of TypeChain, without building the list.
	for e, n := err, 0; e != nil && n < errchain.Max; e, n = errchain.UnwrapFirst(e), n+1 {
		h = fnvByte(h, 0)
		h = fnvString(h, reflect.TypeOf(e).String())
	}
	return sigText(h)
}

// sigTexts remembers the hex text of recent signature hashes, one per slot,
// so that a signature seen before costs no allocation.
var sigTexts [256]atomic.Pointer[sigEntry]

type sigEntry struct {
	h uint64
	s string
}

func sigText(h uint64) string {
	slot := &sigTexts[h%uint64(len(sigTexts))]
	if e := slot.Load(); e != nil && e.h == h {
		return e.s
	}
	var b [8]byte
	for i := range b {
		b[i] = byte(h >> (56 - 8*i))
	}
	s := hex.EncodeToString(b[:])
	slot.Store(&sigEntry{h: h, s: s})
	return s
}

// callSites remembers callSiteText's results, one pc per slot: bounded, and read
// without locks or allocations.
var callSites [1024]atomic.Pointer[callSite]

type callSite struct {
	pc uintptr
	s  string
	h  uint64 // fnvString(fnvOffset, s)
}

// callSiteText returns "function file:line" for pc (a return address, as
// runtime.Callers and slog.Record.PC give it), or "" for 0. Results are
// cached per pc.
func callSiteText(pc uintptr) string {
	if pc == 0 {
		return ""
	}
	return lookupCallSite(pc).s
}

func lookupCallSite(pc uintptr) *callSite {
	slot := &callSites[(uint64(pc)*0x9e3779b97f4a7c15)>>54] // top 10 bits: 1024 slots
	if e := slot.Load(); e != nil && e.pc == pc {
		return e
	}
	f, _ := runtime.CallersFrames([]uintptr{pc}).Next()
	s := f.Function + " " + f.File + ":" + strconv.Itoa(f.Line)
	e := &callSite{pc: pc, s: s, h: fnvString(fnvOffset, s)}
	slot.Store(e)
	return e
}

// FNV-1a, 64 bits.
const (
	fnvOffset uint64 = 14695981039346656037
	fnvPrime  uint64 = 1099511628211
)

func fnvString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

func fnvByte(h uint64, c byte) uint64 {
	h ^= uint64(c)
	return h * fnvPrime
}
