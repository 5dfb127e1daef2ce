// Package errchain walks error Unwrap chains for the module's packages: the
// one step along a chain, its bound, and the stack an error carries.
package errchain

import "reflect"

// Max bounds how far the error helpers follow an Unwrap chain, so that a
// chain that loops back on itself still ends.
const Max = 100

// UnwrapFirst returns the error err wraps, the step oops.TypeChain, oops.ErrorType and
// StackOf take along a chain: Unwrap() error, or the first non-nil branch of
// Unwrap() []error. An Unwrap method that panics (as one on a typed nil
// pointer may) ends the chain: UnwrapFirst returns nil. Follow it at most
// Max times; a chain may loop.
func UnwrapFirst(err error) (next error) {
	defer func() {
		if recover() != nil {
			next = nil
		}
	}()
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return u.Unwrap()
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			if e != nil {
				return e
			}
		}
	}
	return nil
}

// StackOf returns the program counters of the stack recorded in err or the
// first error of its Unwrap chain that records one, through a method
// StackTrace() whose result is a slice of program counters (as
// github.com/pkg/errors provides), or through a method Callers() []uintptr.
// It returns nil when no error in the chain carries a stack.
func StackOf(err error) []uintptr {
	for i, e := 0, err; e != nil && i < Max; i, e = i+1, UnwrapFirst(e) {
		if pcs := stackOfOne(e); len(pcs) > 0 {
			return pcs
		}
	}
	return nil
}

func stackOfOne(err error) (pcs []uintptr) {
	defer func() {
		if recover() != nil {
			pcs = nil
		}
	}()
	if c, ok := err.(interface{ Callers() []uintptr }); ok {
		return c.Callers()
	}
	m := reflect.ValueOf(err).MethodByName("StackTrace")
	if !m.IsValid() || m.Type().NumIn() != 0 || m.Type().NumOut() != 1 {
		return nil
	}
	out := m.Call(nil)[0]
	if out.Kind() != reflect.Slice || out.Type().Elem().Kind() != reflect.Uintptr {
		return nil
	}
	pcs = make([]uintptr, out.Len())
	for i := range pcs {
		pcs[i] = uintptr(out.Index(i).Uint())
	}
	return pcs
}
