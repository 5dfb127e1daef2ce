package sqltimeline

import (
	"context"
	"database/sql/driver"
)

// DefaultMaxArgLen is how many bytes of each argument value are recorded when
// Options.MaxArgLen is zero.
const DefaultMaxArgLen = 64

// maxArgs bounds how many arguments of one statement are recorded.
const maxArgs = 32

// Options configure a wrapped driver or connector. The zero value (or a nil
// *Options) records every statement run with a context that carries a
// timeline, under the category "SQL-<name>", without argument values.
type Options struct {
	// Category is the timeline category of the entries. The default is
	// "SQL-" followed by the name given to WrapDriver, WrapConnector,
	// Register or Open.
	Category string

	// Args records the statement's argument values after its text. Off by
	// default: values often hold personal data or secrets.
	Args bool

	// Redact, when Args is on, is called with each argument and returns the
	// value to record in its place (for example "<hidden>"). A nil Redact
	// records values as they are. It runs on the statement's goroutine while
	// the statement runs; a Redact that panics records a placeholder.
	Redact func(query string, arg driver.NamedValue) any

	// MaxArgLen is how many bytes of each recorded value are kept; longer
	// values are cut (at a character boundary) and their length noted.
	// Zero means DefaultMaxArgLen.
	MaxArgLen int

	// Stacks captures, with each statement, the stack of the code that ran
	// it (program counters, rendered only when a report is made), whatever
	// the timeline's own Options.Stacks says. Off by default: capturing
	// costs about a microsecond per statement.
	Stacks bool

	// Filter, when set, is asked about every statement (and about BEGIN,
	// COMMIT and ROLLBACK) before it is recorded; false leaves it out of the
	// timeline. It is called only when ctx carries a timeline.
	Filter func(ctx context.Context, query string) bool

	// RedactError, when set, gives the text recorded in place of the error
	// a recorded statement (or BEGIN, COMMIT, ROLLBACK, or the reading of
	// its rows) ended with; see RedactError in this package's documentation
	// for why. The caller still gets the driver's error unchanged. It is
	// called when a report reads the entry (on the reporting goroutine,
	// possibly more than once), never for a statement run without a
	// timeline; one that panics records a placeholder.
	RedactError func(err error) string
}

// config is the resolved form of Options shared by everything one wrapper
// makes.
type config struct {
	category  string
	args      bool
	redact    func(query string, arg driver.NamedValue) any
	maxArgLen int
	filter    func(ctx context.Context, query string) bool
	stacks    bool
	redactErr func(err error) string
}

func newConfig(name string, opts *Options) *config {
	c := &config{category: "SQL", maxArgLen: DefaultMaxArgLen}
	if name != "" {
		c.category = "SQL-" + name
	}
	if opts == nil {
		return c
	}
	if opts.Category != "" {
		c.category = opts.Category
	}
	c.args = opts.Args
	c.redact = opts.Redact
	if opts.MaxArgLen > 0 {
		c.maxArgLen = opts.MaxArgLen
	}
	c.filter = opts.Filter
	c.stacks = opts.Stacks
	c.redactErr = opts.RedactError
	return c
}
