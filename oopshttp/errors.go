package oopshttp

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// SoftRequestTimeout is the type of the report of a request whose first
// response byte came later than Options.SoftTimeout, as in oops-wsgi.
const SoftRequestTimeout = "SoftRequestTimeout"

// A StatusError is the error of a report about a request answered with a
// status the middleware reports (a 5xx, or one of Options.ReportStatuses).
type StatusError struct {
	// Code is the HTTP status code.
	Code int
}

// Error returns "HTTP status" followed by the code and its text, as in
// "HTTP status 503 Service Unavailable".
func (e *StatusError) Error() string {
	// Appended, not formatted: every failing request's report says it.
	var buf [64]byte
	b := strconv.AppendInt(append(buf[:0], "HTTP status "...), int64(e.Code), 10)
	if t := http.StatusText(e.Code); t != "" {
		b = append(append(b, ' '), t...)
	}
	return string(b)
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
