package oopsgrpc

import (
	"fmt"

	"github.com/oops-go/oops"
)

// A PanicError is the error of a report about a handler that panicked. When
// the panic value is an error, a PanicError only wraps it (same text, Unwrap
// returns it), so the report's type and value are that error's. Any other
// value gives the type *oopsgrpc.PanicError and the value "panic: " followed
// by the value.
type PanicError struct {
	// Value is what the handler panicked with.
	Value any
}

// Error returns the panic value's text when it is an error, else "panic: "
// and the value formatted with %v.
func (e *PanicError) Error() string {
	if err, ok := e.Value.(error); ok {
		return oops.ErrorText(err)
	}
	return "panic: " + fmt.Sprint(e.Value) // fmt recovers from a String method that panics
}

// Unwrap returns the panic value when it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}
