package flight

import (
	"encoding/hex"
	"runtime"
	"strconv"
	"sync"

	"github.com/oops-go/oops"
)

// Signature returns the short hash that groups reports of the same problem
// (Report.Signature, DESIGN.md §3): 16 lowercase hex digits over the call
// site (function and file:line of pc, a program counter as runtime.Callers
// and slog.Record.PC give it), the message template and the type chain of err
// (outermost first, as oops.TypeChain gives it). The error's text is never
// part of it, so errors that carry ids or values still group; a message that
// is formatted with values (rather than carrying them as attributes) does
// not. pc may be 0 and err nil.
func Signature(pc uintptr, msg string, err error) string {
	h := fnvOffset
	h = fnvString(h, CallSite(pc))
	h = fnvByte(h, 0)
	h = fnvString(h, msg)
	for _, t := range oops.TypeChain(err) {
		h = fnvByte(h, 0)
		h = fnvString(h, t)
	}
	var b [8]byte
	for i := range b {
		b[i] = byte(h >> (56 - 8*i))
	}
	return hex.EncodeToString(b[:])
}

var callSites sync.Map // uintptr -> string

// CallSite returns "function file:line" for pc (a return address, as
// runtime.Callers and slog.Record.PC give it), or "" for 0. Results are
// cached per pc.
func CallSite(pc uintptr) string {
	if pc == 0 {
		return ""
	}
	if s, ok := callSites.Load(pc); ok {
		return s.(string)
	}
	f, _ := runtime.CallersFrames([]uintptr{pc}).Next()
	s := f.Function + " " + f.File + ":" + strconv.Itoa(f.Line)
	callSites.Store(pc, s)
	return s
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
