package flight

import (
	"reflect"
	"sync/atomic"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/internal/errchain"
)

// sigTypes is how long an error chain signature remembers: longer chains
// are hashed every time. So are messages longer than sigMaxMsg, which the
// cache would otherwise keep alive.
const (
	sigTypes  = 4
	sigMaxMsg = 256
)

// A sigEntry is oops.Signature's answer for one call site, message and
// error type chain.
type sigEntry struct {
	pc    uintptr
	msg   string
	n     int // types in the chain
	types [sigTypes]reflect.Type
	sig   string
}

// sigCache remembers recent signatures, one per slot: bounded, and read
// without locks or allocations.
var sigCache [256]atomic.Pointer[sigEntry]

// signature is oops.Signature(pc, msg, err), remembered: a storm logs one
// call site, message and error type again and again, and hashing them (the
// message and every type's name) was a good part of a suppressed record's
// cost. oops.Signature depends on the call site, the message and the type
// of each error along the Unwrap chain (errchain.UnwrapFirst), never on an
// error's text; the chain is walked on every call, so an entry answers only
// for exactly the types it was computed from.
func signature(pc uintptr, msg string, err error) string {
	if len(msg) > sigMaxMsg {
		return oops.Signature(pc, msg, err)
	}
	var types [sigTypes]reflect.Type
	n := 0
	for e := err; e != nil; e = errchain.UnwrapFirst(e) {
		if n == sigTypes {
			return oops.Signature(pc, msg, err)
		}
		types[n] = reflect.TypeOf(e)
		n++
	}
	h := (uint64(pc) ^ uint64(len(msg))<<40 ^ uint64(n)<<56) * 0x9e3779b97f4a7c15
	slot := &sigCache[h>>56] // top 8 bits: 256 slots
	if e := slot.Load(); e != nil && e.pc == pc && e.n == n && e.msg == msg && sameTypes(&e.types, &types, n) {
		return e.sig
	}
	sig := oops.Signature(pc, msg, err)
	slot.Store(&sigEntry{pc: pc, msg: msg, n: n, types: types, sig: sig})
	return sig
}

// sameTypes reports whether the first n types of a and b are the same:
// one comparison per type of the chain, not of the whole array.
func sameTypes(a, b *[sigTypes]reflect.Type, n int) bool {
	for i := range n {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
