package sqltimeline

import (
	"database/sql/driver"
	"fmt"
)

// recorded returns the error to record for err: err itself, or, with
// Options.RedactError, an error whose text is the redacted one, asked for
// only when something reads it (a report made with the timeline). The error
// the caller gets is never changed. driver.ErrSkip is control flow and
// passes through.
func (c *config) recorded(err error) error {
	if err == nil || c.redactErr == nil || err == driver.ErrSkip {
		return err
	}
	return &redactedError{err: err, redact: c.redactErr}
}

// redactedError is what a timeline records of a statement's error when
// Options.RedactError is set. Its text is the redacted one; it does not
// unwrap to the driver's error, so that nothing reading the timeline
// reaches the original text.
type redactedError struct {
	err    error
	redact func(error) string
}

func (e *redactedError) Error() (s string) {
	defer func() {
		if r := recover(); r != nil {
			s = fmt.Sprintf("<RedactError panicked: %v>", r)
		}
	}()
	return e.redact(e.err)
}
