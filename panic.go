package oops

import "fmt"

// A PanicError is the error of a report about code that panicked (an HTTP
// handler, a gRPC method). When the panic value is an error, a PanicError
// only wraps it (same text, Unwrap returns it), so the report's type and value
// are that error's (a runtime.Error, say). Any other value gives the type
// *oops.PanicError and the value "panic: " followed by the value.
type PanicError struct {
	// Value is what the code panicked with.
	Value any
}

// Error returns the panic value's text when it is an error, else "panic: "
// and the value formatted with %v.
func (e *PanicError) Error() string {
	if err, ok := e.Value.(error); ok {
		return ErrorText(err)
	}
	return "panic: " + fmt.Sprint(e.Value) // fmt recovers from a String method that panics
}

// Unwrap returns the panic value when it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}
