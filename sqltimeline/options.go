package sqltimeline

import (
	"context"
	"database/sql/driver"

	"github.com/oops-go/oops/internal/sqlrec"
)

// DefaultMaxArgLen is how many bytes of each argument value are recorded when
// Options.MaxArgLen is zero.
const DefaultMaxArgLen = sqlrec.DefaultMaxArgLen

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
	rec sqlrec.Config
	// plain is set when every statement is recorded with its text alone
	// (no filter, arguments or stacks): the common case, which then goes
	// straight to the timeline.
	plain bool
}

func newConfig(name string, opts *Options) *config {
	c := &config{rec: sqlrec.Config{Category: sqlrec.CategoryFor(name), MaxArgLen: DefaultMaxArgLen}, plain: true}
	if opts == nil {
		return c
	}
	if opts.Category != "" {
		c.rec.Category = opts.Category
	}
	c.rec.Args = opts.Args
	c.rec.Redact = opts.Redact
	if opts.MaxArgLen > 0 {
		c.rec.MaxArgLen = opts.MaxArgLen
	}
	c.rec.Filter = opts.Filter
	c.rec.Stacks = opts.Stacks
	c.rec.RedactError = opts.RedactError
	c.plain = c.rec.Filter == nil && !c.rec.Args && !c.rec.Stacks
	return c
}
