package oopshttp

import (
	"fmt"
	"net/http"
	"time"

	"github.com/oops-go/oops"
)

// SoftRequestTimeout is the type of the report of a request whose first
// response byte came later than Options.SoftTimeout, as in oops-wsgi.
const SoftRequestTimeout = "SoftRequestTimeout"

// A PanicError is the error of a report about a handler that panicked. When
// the panic value is an error, a PanicError only wraps it (same text, Unwrap
// returns it), so the report's type and value are that error's (a
// runtime.Error, say). Any other value gives the type *oopshttp.PanicError
// and the value "panic: " followed by the value.
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

// A StatusError is the error of a report about a request answered with a
// status the middleware reports (a 5xx, or one of Options.ReportStatuses).
type StatusError struct {
	// Code is the HTTP status code.
	Code int
}

// Error returns "HTTP status" followed by the code and its text, as in
// "HTTP status 503 Service Unavailable".
func (e *StatusError) Error() string {
	if t := http.StatusText(e.Code); t != "" {
		return fmt.Sprintf("HTTP status %d %s", e.Code, t)
	}
	return fmt.Sprintf("HTTP status %d", e.Code)
}

// A SoftTimeoutError is the error of a SoftRequestTimeout report.
type SoftTimeoutError struct {
	// FirstByte is how long the response's first byte took.
	FirstByte time.Duration
	// Limit is Options.SoftTimeout.
	Limit time.Duration
}

// Error says how long the first byte took and what the limit is.
func (e *SoftTimeoutError) Error() string {
	return fmt.Sprintf("first response byte after %v, over the soft time-out of %v", e.FirstByte, e.Limit)
}
